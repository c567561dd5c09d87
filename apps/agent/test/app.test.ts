import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import {
  DependencyError,
  type AnalysisOutcome,
  type ErrorBody,
  type AnalysisRequest,
  type AnalyzeFn,
} from '@aiops/contracts';
import { buildApp, createAnalysisRunner, createTelemetry } from '../src/index.js';
import { outcome } from './support/outcome.js';

const quiet = pino({ level: 'silent' }) as FastifyBaseLogger;

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function appWith(
  analyze: AnalyzeFn,
  options: { deadlineMs?: number; maxConcurrent?: number; bodyLimitBytes?: number } = {},
) {
  const telemetry = createTelemetry();
  const runner = createAnalysisRunner({
    analyze,
    deadlineMs: options.deadlineMs ?? 5000,
    maxConcurrent: options.maxConcurrent ?? 4,
    telemetry,
    logger: quiet,
  });
  const built = await buildApp({
    analyze: runner,
    telemetry,
    logger: quiet,
    bodyLimitBytes: options.bodyLimitBytes ?? 65536,
    requestTimeoutMs: 30_000,
    headersTimeoutMs: 10_000,
    version: 'test',
  });
  app = built.app;
  return built;
}

const post = (body: string, contentType = 'application/json') =>
  app!.inject({ method: 'POST', url: '/a2a/analyze', headers: { 'content-type': contentType }, payload: body });

describe('POST /a2a/analyze', () => {
  it('answers 200 with the verdict for the plugin body and passes the normalised request', async () => {
    const seen: AnalysisRequest[] = [];
    await appWith(async (request) => {
      seen.push(request);
      return outcome(request);
    });
    const res = await post(
      JSON.stringify({
        userId: 'argo-rollouts',
        memoryId: 'rollout:shop/checkout',
        prompt: 'x',
        context: { namespace: 'shop', rolloutName: 'checkout' },
      }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ promote: true, confidence: 80 });
    expect(seen[0]).toMatchObject({ namespace: 'shop', canarySelector: 'role=canary', stableSelector: 'role=stable' });
  });

  it.each([
    ['{"context": {"namespace": ', 'invalid_json', 'body'],
    ['', 'invalid_json', 'body'],
    ['{"context": {}}', 'invalid_request', 'context.namespace'],
    ['{"context": {"namespace": "shop", "canarySelector": "role in (x"}}', 'invalid_request', 'context.canarySelector'],
  ])('answers 400 for %j naming the field', async (payload, code, field) => {
    await appWith(async (r) => outcome(r));
    const res = await post(payload);
    expect(res.statusCode).toBe(400);
    const body = res.json<ErrorBody>();
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatchObject({ code, field });
  });

  it('answers 400 for a body over the limit', async () => {
    await appWith(async (r) => outcome(r), { bodyLimitBytes: 1024 });
    const res = await post(JSON.stringify({ context: { namespace: 'shop', extraPrompt: 'x'.repeat(3000) } }));
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorBody>().error).toMatchObject({ code: 'payload_too_large', field: 'body' });
  });

  it('answers 503 with Retry-After and no promote field when a dependency fails', async () => {
    await appWith(async () => {
      throw new DependencyError('kubernetes', 'HTTP 500 from the API server', { upstreamStatus: 500 });
    });
    const res = await post('{"context":{"namespace":"shop"}}');
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    const body = res.json<ErrorBody>();
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatchObject({ code: 'dependency_unavailable', dependency: 'kubernetes' });
    expect(body.error.message).toContain('kubernetes');
  });

  it('answers 503 deadline_exceeded when the analysis outlives the deadline (the work is aborted)', async () => {
    let aborted = false;
    await appWith(
      (_request, { signal }) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(signal.reason as Error);
          });
        }),
      { deadlineMs: 1000 },
    );
    const res = await post('{"context":{"namespace":"shop"}}');
    expect(res.statusCode).toBe(503);
    expect(res.json<ErrorBody>().error.code).toBe('deadline_exceeded');
    expect(aborted).toBe(true);
  });

  it('queues beyond the concurrency bound: the second analysis waits for the slot and gets its verdict', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const order: string[] = [];
    await appWith(
      async (request) => {
        order.push(request.namespace);
        if (request.namespace === 'shop') {
          started();
          await gate;
        }
        return outcome(request);
      },
      { maxConcurrent: 1 },
    );
    const first = post('{"context":{"namespace":"shop"}}');
    await running;
    const second = post('{"context":{"namespace":"other"}}');
    await expect.poll(async () => (await app!.inject('/metrics')).body).toContain('aiops_agent_analyses_queued 1');
    expect(order).toEqual(['shop']);
    release();
    expect((await first).statusCode).toBe(200);
    expect((await second).statusCode).toBe(200);
    expect(order).toEqual(['shop', 'other']);
  });

  it('answers 503 overloaded when the wait for a slot would exceed the deadline', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    await appWith(
      async (request) => {
        started();
        await gate;
        return outcome(request);
      },
      // A slot is expected to be held for 2 s before any analysis has finished: longer than this deadline leaves.
      { maxConcurrent: 1, deadlineMs: 1500 },
    );
    const first = post('{"context":{"namespace":"shop"}}');
    await running;
    const second = await post('{"context":{"namespace":"other"}}');
    expect(second.statusCode).toBe(503);
    expect(second.json<ErrorBody>().error.code).toBe('overloaded');
    expect((await app!.inject('/metrics')).body).toContain('aiops_agent_analyses_refused_total 1');
    release();
    expect((await first).statusCode).toBe(200);
  });
});

describe('absent evidence on the plugin route', () => {
  const absentOutcome = (absence: 'no-canary-pods' | 'overlapping-selectors', reason: string): AnalysisOutcome => ({
    outcome: 'inconclusive',
    absent: {
      kind: 'absent',
      absence,
      reason,
      ...(absence === 'overlapping-selectors' ? { field: 'context.canarySelector' } : {}),
    },
    evidence: {} as AnalysisOutcome['evidence'],
    durationMs: 1,
  });

  it('is a 409 without promote, naming what is missing, and counted as inconclusive', async () => {
    await appWith(async () =>
      absentOutcome('no-canary-pods', 'no pod in namespace shop matches canarySelector role=canary'),
    );
    const res = await post('{"context":{"namespace":"shop"}}');
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      error: {
        code: 'evidence_absent',
        absence: 'no-canary-pods',
        message: 'no pod in namespace shop matches canarySelector role=canary',
      },
    });
    const metrics = await app!.inject('/metrics');
    expect(metrics.body).toContain('aiops_agent_verdicts_total{outcome="inconclusive",decided_by="absent-evidence"} 1');
    expect(metrics.body).toContain(
      'aiops_agent_analysis_duration_seconds_count{outcome="inconclusive",entry="other"} 1',
    );
  });

  it('overlapping selectors are a 400 naming the field', async () => {
    await appWith(async () =>
      absentOutcome('overlapping-selectors', 'canarySelector app=x and stableSelector app=x,role=stable both match'),
    );
    const res = await post('{"context":{"namespace":"shop"}}');
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorBody>().error).toMatchObject({
      code: 'overlapping_selectors',
      field: 'context.canarySelector',
      absence: 'overlapping-selectors',
    });
  });
});

describe('health and metrics', () => {
  it('answers the plugin health check, liveness, readiness and metrics', async () => {
    const { setDraining } = await appWith(async (r) => outcome(r, false));
    expect((await app!.inject('/')).statusCode).toBe(200);
    expect((await app!.inject('/a2a/health')).statusCode).toBe(200);
    expect((await app!.inject('/healthz')).statusCode).toBe(200);
    expect((await app!.inject('/readyz')).statusCode).toBe(200);
    await post('{"context":{"namespace":"shop"}}');
    const metrics = await app!.inject('/metrics');
    expect(metrics.body).toContain('aiops_agent_verdicts_total{outcome="reject",decided_by="evidence"} 1');
    setDraining(true);
    expect((await app!.inject('/readyz')).statusCode).toBe(503);
  });
  it('answers 404 in the error shape for unknown routes', async () => {
    await appWith(async (r) => outcome(r));
    const res = await app!.inject('/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json<ErrorBody>().error.code).toBe('not_found');
  });
});

describe('coalescing repeated measurements', () => {
  it('a repeated identical request joins the running analysis instead of starting another', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    await appWith(async (request) => {
      calls++;
      started();
      await gate;
      return outcome(request, false);
    });
    const body = '{"context":{"namespace":"shop","rolloutName":"checkout"}}';
    const first = post(body);
    await running;
    const second = post(body);
    const other = post('{"context":{"namespace":"other"}}');
    // The second identical request is registered before the gate opens: wait until the metric says so.
    await expect
      .poll(async () => (await app!.inject('/metrics')).body.includes('aiops_agent_coalesced_requests_total 1'))
      .toBe(true);
    release();
    const answers = await Promise.all([first, second, other]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200]);
    expect(calls).toBe(2);
  });
});
