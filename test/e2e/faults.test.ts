/**
 * Faults against the built service: a dependency failure is never a verdict (503 + Retry-After, no promote field),
 * bad input is a 400 naming the field.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  pluginRequestBody,
  responders,
  scenarioById,
  startFakeGemini,
  type FakeGemini,
  type FaultSpec,
} from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

let kube: KubeFixture;
beforeAll(async () => {
  kube = await startKubeFixture();
});
afterAll(async () => {
  await kube.close();
});

const healthy = () => pluginRequestBody(scenarioById('healthy')!);
const panicking = () => pluginRequestBody(scenarioById('go-panic')!);

function expectRetryable(
  res: { status: number; headers: Headers; json: Record<string, unknown> },
  dependency?: string,
) {
  expect(res.status).toBe(503);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(res.json).not.toHaveProperty('promote');
  if (dependency) expect(res.json.error).toMatchObject({ dependency });
}

describe('Kubernetes API faults', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startServiceProcess({ ...kube.env, LLM_PROVIDER: 'none', KUBE_TIMEOUT_MS: '5000' });
  });
  afterAll(async () => {
    await service.stop();
  });
  afterEach(() => {
    kube.kube.faults.clear();
  });

  it('API server 500 on pod listing → 503', async () => {
    kube.kube.faults.inject({
      kind: 'status',
      match: { path: /\/pods$/ },
      status: 500,
      body: { kind: 'Status', status: 'Failure', message: 'etcdserver: request timed out', code: 500 },
    });
    expectRetryable(await postJson(`${service.url}/a2a/analyze`, healthy()), 'kubernetes');
  });

  it('an API server that throttles (429 with Retry-After, as API Priority and Fairness sends) → the calls wait and the verdict comes', async () => {
    const throttled = kube.kube.faults.inject({
      kind: 'status',
      match: { path: /\/(?:pods|events|log)$/ },
      status: 429,
      headers: { 'retry-after': '1' },
      times: 3,
    });
    const res = await postJson(`${service.url}/a2a/analyze`, panicking());
    expect(throttled.hits).toBe(3);
    expect(res.status).toBe(200);
    expect(res.json.promote).toBe(false);
  });

  it('API server that never answers log reads → 503 after the call timeout', async () => {
    kube.kube.faults.inject({ kind: 'hang', match: { path: /\/log$/ } });
    expectRetryable(await postJson(`${service.url}/a2a/analyze`, healthy()), 'kubernetes');
  });

  it('a namespace that does not exist is not a failure, and not a verdict either: 409 evidence_absent', async () => {
    const { status, headers, json } = await postJson(`${service.url}/a2a/analyze`, {
      context: { namespace: 'does-not-exist' },
    });
    expect(status).toBe(409);
    expect(headers.get('retry-after')).toBeNull();
    expect(json).not.toHaveProperty('promote');
    expect(json.error).toMatchObject({
      code: 'evidence_absent',
      absence: 'namespace-not-found',
      message: expect.stringContaining('namespace does-not-exist does not exist') as unknown,
    });
  });
});

describe('Prometheus faults: a rejection rests on the rest of the evidence, a promotion waits (503) for Prometheus', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startServiceProcess({ ...kube.env, LLM_PROVIDER: 'none', PROMETHEUS_TIMEOUT_MS: '500' });
  });
  afterAll(async () => {
    kube.prometheus.faults.clear();
    await service.stop();
  });

  it.each([
    [
      '500 with a Prometheus error body',
      {
        kind: 'status',
        status: 500,
        body: { status: 'error', errorType: 'internal', error: 'query processing failed' },
      },
    ],
    ['no answer at all', { kind: 'hang' }],
  ] satisfies Array<[string, FaultSpec]>)('%s', async (_name, fault) => {
    kube.prometheus.faults.clear();
    kube.prometheus.faults.inject(fault);
    // Without the metric comparison a regression could hide: no promotion on incomplete evidence.
    expectRetryable(await postJson(`${service.url}/a2a/analyze`, healthy()), 'prometheus');
    const crash = await postJson(`${service.url}/a2a/analyze`, panicking());
    expect(crash.json.promote).toBe(false);
  });

  it('an unreachable Prometheus is a dependency failure for a promotion, and no promotion happens without it', async () => {
    const unreachable = await startServiceProcess({
      ...kube.env,
      LLM_PROVIDER: 'none',
      PROMETHEUS_URL: 'http://127.0.0.1:9',
      PROMETHEUS_TIMEOUT_MS: '500',
    });
    try {
      expectRetryable(await postJson(`${unreachable.url}/a2a/analyze`, healthy()), 'prometheus');
      expect((await postJson(`${unreachable.url}/a2a/analyze`, panicking())).json.promote).toBe(false);
    } finally {
      await unreachable.stop();
    }
  });
});

describe('bad input', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startServiceProcess({ ...kube.env, LLM_PROVIDER: 'none', BODY_LIMIT_BYTES: '4096' });
  });
  afterAll(async () => {
    await service.stop();
  });

  it.each([
    ['malformed JSON', '{"context": ', 'body'],
    ['missing namespace', JSON.stringify({ context: { rolloutName: 'x' } }), 'context.namespace'],
    [
      'invalid label selector',
      JSON.stringify({ context: { namespace: 'shop', canarySelector: 'role in (canary' } }),
      'context.canarySelector',
    ],
    [
      'body too large',
      JSON.stringify({ context: { namespace: 'shop', extraPrompt: 'x'.repeat(3900) }, pad: 'y'.repeat(500) }),
      'body',
    ],
  ])('%s → 400 naming %s', async (_name, raw, field) => {
    const res = await postJson(`${service.url}/a2a/analyze`, undefined, { raw });
    expect(res.status).toBe(400);
    expect(Object.keys(res.json)).toEqual(['error']);
    expect(res.json.error).toMatchObject({ field });
    expect(res.json).not.toHaveProperty('promote');
  });
});

describe('model faults', () => {
  let gemini: FakeGemini;
  let lenient: ServiceProcess;
  let strict: ServiceProcess;
  beforeAll(async () => {
    gemini = await startFakeGemini({ responder: responders.heuristic });
    const base = {
      ...kube.env,
      GOOGLE_API_KEY: 'fake-key-for-tests',
      GEMINI_BASE_URL: gemini.url,
      LLM_TIMEOUT_MS: '1000',
    };
    lenient = await startServiceProcess({ ...base, ON_MODEL_UNAVAILABLE: 'evidence' });
    strict = await startServiceProcess({ ...base, ON_MODEL_UNAVAILABLE: 'error' });
  });
  afterAll(async () => {
    await lenient.stop();
    await strict.stop();
    await gemini.close();
  });

  it.each([
    ['429', responders.status(429)],
    ['500', responders.status(500)],
    ['garbage', responders.garbage],
    ['hang', responders.hang],
  ])(
    'Gemini %s: a decisive evidence verdict still stands, never a verdict caused by the failure',
    async (_name, responder) => {
      gemini.setResponder(responder);
      const crash = await postJson(`${lenient.url}/a2a/analyze`, panicking());
      expect(crash.status).toBe(200);
      expect(crash.json.promote).toBe(false);
      const ok = await postJson(`${lenient.url}/a2a/analyze`, healthy());
      expect(ok.status).toBe(200);
      expect(ok.json.promote).toBe(true);
      expect((ok.json.modelResults as Array<{ error: string }>)[0]?.error).not.toBe('');
    },
  );

  it.each([
    ['429', responders.status(429)],
    ['500', responders.status(500)],
    ['garbage', responders.garbage],
  ])('Gemini %s with ON_MODEL_UNAVAILABLE=error → 503 without promote', async (_name, responder) => {
    gemini.setResponder(responder);
    expectRetryable(await postJson(`${strict.url}/a2a/analyze`, healthy()), 'llm');
  });
});
