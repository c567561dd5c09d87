/**
 * Large log evidence on worker threads, black-box: an analysis whose log text reaches EVIDENCE_WORKER_MIN_BYTES has
 * its parsing, templating and signature diff computed on a thread of the evidence pool (counted on /metrics) and
 * reaches the same answer as on the request thread; a small one stays inline; a worker that fails (here: out of the
 * heap EVIDENCE_WORKER_HEAP_MB allows) is a retryable 503, never a verdict; a client that goes away stops the task;
 * the worker redacts the logs with the service's rules and REDACTION_EXTRA_PATTERNS before anything is derived.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pluginRequestBody,
  responders,
  scenarioById,
  startFakeGemini,
  type FakeGemini,
  type Scenario,
} from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { metricSum, postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

function copy(id: string, namespace: string): Scenario {
  return { ...structuredClone(scenarioById(id)!), id: namespace, namespace };
}

/** The corpus scenarios of realistic size (Spring Boot and Go services, 190–540 kB of log text each). */
const REALISTIC = ['go-panic', 'java-npe', 'healthy'].map((id) => copy(id, `workers-${id}`));

/** A rollout whose app containers print only a few lines: far below the worker threshold. */
const small = copy('healthy', 'workers-small');
for (const pod of small.pods) for (const c of pod.containers) c.logs = c.logs.slice(0, 5);

/** A chatty rollout: 60,000 lines per app container (several MB per analysis). */
const huge = copy('healthy', 'workers-huge');
for (const pod of huge.pods)
  for (const c of pod.containers.filter((c) => c.name !== 'istio-proxy')) {
    const lines = c.logs;
    c.logs = Array.from({ length: 60_000 }, (_, i) => `${lines[i % lines.length]} seq=${i}`);
  }

/** A realistic rollout whose canary prints a GitHub token and a custom secret (ACME-nnnnnn) in its errors. */
const TOKEN = `ghp_${'a1B2'.repeat(9)}`;
const leaky = copy('go-panic', 'workers-leaky');
for (const pod of leaky.pods.filter((p) => p.side === 'canary'))
  for (const c of pod.containers.filter((c) => c.name !== 'istio-proxy'))
    c.logs = c.logs.flatMap((line, i) =>
      i % 50 === 25 ? [line, `ERROR payment refused for card ACME-123456 with token ${TOKEN}`] : [line],
    );

/** Every line of the huge rollout is read (the fake writes one line per second). */
const READ_EVERYTHING = { LOG_TAIL_LINES: '100000', LOG_LIMIT_BYTES: '67108864', LOG_SINCE_SECONDS: '604800' };

let kube: KubeFixture;
let pooled: ServiceProcess;
let inline: ServiceProcess;
beforeAll(async () => {
  kube = await startKubeFixture([...REALISTIC, small, huge, leaky]);
  [pooled, inline] = await Promise.all([
    startServiceProcess({ ...kube.env, LLM_PROVIDER: 'none', ...READ_EVERYTHING }),
    startServiceProcess({ ...kube.env, LLM_PROVIDER: 'none', ...READ_EVERYTHING, EVIDENCE_WORKERS: '0' }),
  ]);
});
afterAll(async () => {
  await pooled?.stop();
  await inline?.stop();
  await kube?.close();
});

const tasks = (service: ServiceProcess, place: string, result: string) =>
  metricSum(service.url, `aiops_agent_evidence_tasks_total{place="${place}",result="${result}"}`);

/** What an answer decides and why; the analysis text and timings aside. */
const decision = (json: Record<string, unknown>) => ({
  promote: json.promote,
  confidence: json.confidence,
  rootCause: json.rootCause,
  decidedBy: json.decidedBy,
  evidence: json.evidence,
});

describe('log evidence on worker threads', () => {
  it('computes the evidence of a realistic analysis on a worker thread, with the same answer as on the request thread', async () => {
    for (const scenario of REALISTIC) {
      const [onWorker, onRequestThread] = await Promise.all([
        postJson(`${pooled.url}/a2a/analyze`, pluginRequestBody(scenario)),
        postJson(`${inline.url}/a2a/analyze`, pluginRequestBody(scenario)),
      ]);
      expect(onWorker.status, scenario.id).toBe(200);
      expect(decision(onWorker.json), scenario.id).toEqual(decision(onRequestThread.json));
    }
    expect(await tasks(pooled, 'worker', 'ok')).toBe(REALISTIC.length);
    expect(await tasks(pooled, 'inline', 'ok')).toBe(0);
    // EVIDENCE_WORKERS=0: everything on the request thread.
    expect(await tasks(inline, 'inline', 'ok')).toBe(REALISTIC.length);
    expect(await tasks(inline, 'worker', 'ok')).toBe(0);
  });

  it('keeps a small analysis on the request thread', async () => {
    const before = await tasks(pooled, 'inline', 'ok');
    const { status } = await postJson(`${pooled.url}/a2a/analyze`, pluginRequestBody(small));
    expect(status).toBe(200);
    expect(await tasks(pooled, 'inline', 'ok')).toBe(before + 1);
  });

  it('stops the worker task when the client goes away, and the next analysis still runs', async () => {
    const client = new AbortController();
    const request = fetch(`${pooled.url}/a2a/analyze`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(pluginRequestBody(huge)),
      signal: client.signal,
    }).catch((err: unknown) => err);
    await expect.poll(() => metricSum(pooled.url, 'aiops_agent_evidence_worker_tasks_running')).toBe(1);
    client.abort();
    await request;
    await expect.poll(() => tasks(pooled, 'worker', 'aborted')).toBe(1);
    expect(await metricSum(pooled.url, 'aiops_agent_evidence_worker_tasks_running')).toBe(0);
    const okBefore = await tasks(pooled, 'worker', 'ok');
    const next = await postJson(`${pooled.url}/a2a/analyze`, pluginRequestBody(REALISTIC[0]!));
    expect(next.status).toBe(200);
    expect(await tasks(pooled, 'worker', 'ok')).toBe(okBefore + 1);
  });
});

describe('a worker that fails', () => {
  let bounded: ServiceProcess;
  beforeAll(async () => {
    bounded = await startServiceProcess({
      ...kube.env,
      LLM_PROVIDER: 'none',
      ...READ_EVERYTHING,
      EVIDENCE_WORKER_HEAP_MB: '16',
    });
  });
  afterAll(async () => {
    await bounded?.stop();
  });

  it('is a retryable 503 (evidence_failed), never a verdict, and the service goes on', async () => {
    const { status, headers, json } = await postJson(`${bounded.url}/a2a/analyze`, pluginRequestBody(huge));
    expect(status).toBe(503);
    expect(headers.get('retry-after')).toBe('30');
    expect(json).not.toHaveProperty('promote');
    expect((json.error as { code: string }).code).toBe('evidence_failed');
    expect(await tasks(bounded, 'worker', 'failed')).toBe(1);
    const health = await fetch(`${bounded.url}/healthz`);
    expect(health.status).toBe(200);
    const next = await postJson(`${bounded.url}/a2a/analyze`, pluginRequestBody(small));
    expect(next.status).toBe(200);
  });
});

describe('secrets in large logs', () => {
  let gemini: FakeGemini;
  let redacting: ServiceProcess;
  beforeAll(async () => {
    gemini = await startFakeGemini({ responder: responders.heuristic });
    redacting = await startServiceProcess({
      ...kube.env,
      GOOGLE_API_KEY: 'fake-key-for-tests',
      GEMINI_BASE_URL: gemini.url,
      REDACTION_EXTRA_PATTERNS: '["ACME-[0-9]{6}"]',
    });
  });
  afterAll(async () => {
    await redacting?.stop();
    await gemini?.close();
  });

  it('are redacted on the worker thread, with the extra patterns, before anything is derived from them', async () => {
    const { status, json } = await postJson(`${redacting.url}/a2a/analyze`, pluginRequestBody(leaky));
    expect(status).toBe(200);
    expect(await tasks(redacting, 'worker', 'ok')).toBe(1);
    // The evidence as kept (the history behind /ui shows the signatures' example lines), the prompt, the answer.
    const list = await (await fetch(`${redacting.url}/ui`)).text();
    const id = /\/ui\/analyses\/([\w-]+)/.exec(list)?.[1];
    expect(id).toBeDefined();
    const page = await (await fetch(`${redacting.url}/ui/analyses/${id}`)).text();
    expect(page).toContain('payment refused for card');
    expect(page).toContain('[REDACTED:custom]');
    const prompt = gemini.requests.map((r) => r.prompt).join('\n');
    for (const secret of [TOKEN, 'ACME-123456']) {
      expect(page).not.toContain(secret);
      expect(prompt).not.toContain(secret);
      expect(JSON.stringify(json)).not.toContain(secret);
      expect(redacting.logs.join('\n')).not.toContain(secret);
    }
  });
});
