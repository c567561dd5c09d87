import { afterEach, describe, expect, it } from 'vitest';
import { DeadlineError } from '@aiops/contracts';
import { analyzeCanaryMetrics, createPrometheusSource } from '@aiops/metrics';
import type { CanaryMetricsTarget } from '@aiops/metrics';
import { startFakePrometheus } from '@aiops/testkit';
import type { FakePrometheus, Scenario, ScenarioMetricKey, ScenarioMetricSeries } from '@aiops/testkit';

const STEPS = 20;
/** Deterministic wobble around a level, one value per step. */
function around(level: number, spread: number): number[] {
  return Array.from({ length: STEPS }, (_, i) => level + spread * (((i * 7) % 11) / 10 - 0.5));
}

function scenarioWith(metrics: Partial<Record<ScenarioMetricKey, ScenarioMetricSeries>>): Scenario {
  return {
    id: 'inline',
    title: 'inline',
    description: 'built in the test',
    namespace: 'shop',
    rolloutName: 'web',
    rollout: { revision: '3', canaryWeight: 20, stablePodHash: 'aaa111', canaryPodHash: 'bbb222' },
    pods: [
      { name: 'web-aaa111-one', side: 'stable', labels: {}, podTemplateHash: 'aaa111', containers: [] },
      { name: 'web-aaa111-two', side: 'stable', labels: {}, podTemplateHash: 'aaa111', containers: [] },
      { name: 'web-bbb222-one', side: 'canary', labels: {}, podTemplateHash: 'bbb222', containers: [] },
    ],
    events: [],
    metrics,
    expected: { promote: true },
    tags: [],
  };
}

const healthy: Partial<Record<ScenarioMetricKey, ScenarioMetricSeries>> = {
  request_success_rate: { canary: around(0.999, 0.001), stable: around(0.999, 0.001) },
  latency_p99_ms: { canary: around(120, 10), stable: around(121, 10) },
  request_rate: { canary: around(5, 1), stable: around(20, 2) },
  cpu_cores: { canary: around(0.2, 0.02), stable: around(0.2, 0.02) },
  memory_bytes: { canary: around(2e8, 1e6), stable: around(2e8, 1e6) },
  restarts: { canary: Array(STEPS).fill(0) as number[], stable: Array(STEPS).fill(0) as number[] },
};

const target: CanaryMetricsTarget = {
  namespace: 'shop',
  canary: { podNames: ['web-bbb222-one'], podTemplateHash: 'bbb222' },
  stable: { podNames: ['web-aaa111-one', 'web-aaa111-two'], podTemplateHash: 'aaa111' },
  windowSeconds: (STEPS - 1) * 30,
  stepSeconds: 30,
  now: new Date('2026-01-01T00:10:00Z'),
};
const live = () => ({ signal: new AbortController().signal });

let fake: FakePrometheus | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function analyse(
  metrics: Partial<Record<ScenarioMetricKey, ScenarioMetricSeries>>,
  config: Parameters<typeof analyzeCanaryMetrics>[2] = { preset: 'istio' },
) {
  fake = await startFakePrometheus({ scenarios: [scenarioWith(metrics)] });
  const source = createPrometheusSource({ url: fake.url, timeoutMs: 5_000, retries: 0 });
  return analyzeCanaryMetrics(source, target, config, live());
}

describe('analyzeCanaryMetrics', () => {
  it('without Prometheus it says so and judges nothing', async () => {
    const result = await analyzeCanaryMetrics(undefined, target, { preset: 'istio' }, live());
    expect(result).toEqual({
      source: 'prometheus',
      comparisons: [],
      notes: [expect.stringMatching(/^Prometheus is not configured: /) as string],
      findings: [],
    });
  });

  it('a healthy canary: every metric passes, score 100, request rate reported but not judged', async () => {
    const result = await analyse(healthy);
    expect(result.comparisons.map((c) => [c.id, c.classification])).toEqual([
      ['metric:request_success_rate', 'Pass'],
      ['metric:latency_p99_ms', 'Pass'],
      ['metric:cpu_cores', 'Pass'],
      ['metric:memory_bytes', 'Pass'],
      ['metric:restarts', 'Pass'],
    ]);
    expect(result.score).toBe(100);
    expect(result.findings).toEqual([]);
    expect(result.notes[0]).toMatch(/^judge: pass \(score 100/);
    expect(result.notes.some((n) => /^request_rate: canary median .* \(not judged/.test(n))).toBe(true);
    // Both sides of all six metrics, selected by pod name.
    expect(fake?.requests).toHaveLength(12);
    expect(fake?.requests.some((r) => r.params.query?.includes('pod=~"web-aaa111-one|web-aaa111-two"'))).toBe(true);
  });

  it('a latency regression visible only in metrics is a non-hard finding', async () => {
    const result = await analyse({ ...healthy, latency_p99_ms: { canary: around(480, 20), stable: around(120, 10) } });
    const latency = result.comparisons.find((c) => c.name === 'latency_p99_ms');
    expect(latency).toMatchObject({ classification: 'High', critical: false, unit: 'ms' });
    expect(latency?.effectSize).toBeGreaterThan(3.5);
    expect(latency?.canary.median).toBeCloseTo(480, -1);
    expect(result.findings).toEqual([
      expect.objectContaining({
        id: 'metric:latency_p99_ms',
        kind: 'metric-regression',
        side: 'canary',
        severity: 'error',
        hard: false,
      }),
    ]);
    expect(result.score).toBe(80);
  });

  it('a critical success-rate drop is a hard, critical finding and a score of 0', async () => {
    const result = await analyse({
      ...healthy,
      request_success_rate: { canary: around(0.9, 0.02), stable: around(0.999, 0.001) },
    });
    expect(result.findings).toEqual([
      expect.objectContaining({
        id: 'metric:request_success_rate',
        severity: 'critical',
        hard: true,
        title: expect.stringMatching(/lower in the canary/) as string,
      }),
    ]);
    expect(result.score).toBe(0);
    expect(result.notes[0]).toMatch(/^judge: fail/);
  });

  it('restarts only in the canary fail the critical restarts metric; matching by pod-template hash', async () => {
    const result = await analyse(
      { ...healthy, restarts: { canary: Array(STEPS).fill(3) as number[], stable: Array(STEPS).fill(0) as number[] } },
      { preset: 'pod', sideLabel: 'rollouts_pod_template_hash' },
    );
    expect(result.comparisons.map((c) => c.name)).toEqual(['cpu_cores', 'memory_bytes', 'restarts']);
    expect(result.findings).toEqual([expect.objectContaining({ id: 'metric:restarts', hard: true })]);
    expect(fake?.requests.every((r) => /rollouts_pod_template_hash="(aaa111|bbb222)"/.test(r.params.query ?? ''))).toBe(
      true,
    );
  });

  it('a higher success rate or lower CPU in the canary is not a failure', async () => {
    const result = await analyse({
      ...healthy,
      request_success_rate: { canary: around(0.9999, 0.0001), stable: around(0.95, 0.01) },
      cpu_cores: { canary: around(0.1, 0.01), stable: around(0.3, 0.02) },
    });
    expect(result.findings).toEqual([]);
    expect(result.comparisons.find((c) => c.name === 'cpu_cores')?.note).toMatch(/does not penalise/);
  });

  it('no canary traffic: traffic metrics have no data and a no-traffic finding says why', async () => {
    const result = await analyse({
      ...healthy,
      request_rate: { canary: Array(STEPS).fill(0) as number[], stable: around(20, 2) },
      request_success_rate: { canary: Array(STEPS).fill(NaN) as number[], stable: around(0.999, 0.001) },
      latency_p99_ms: { canary: Array(STEPS).fill(NaN) as number[], stable: around(120, 10) },
    });
    expect(result.comparisons.find((c) => c.name === 'request_success_rate')?.classification).toBe('NoData');
    expect(result.findings).toEqual([
      expect.objectContaining({ id: 'metric:no-canary-traffic', kind: 'no-traffic', hard: false }),
    ]);
  });

  it('half or more metrics without data: the judge says insufficient', async () => {
    const result = await analyse({ cpu_cores: healthy.cpu_cores! }, { preset: 'pod' });
    expect(result.comparisons.map((c) => c.classification)).toEqual(['Pass', 'NoData', 'NoData']);
    expect(result.notes[0]).toMatch(/^judge: insufficient/);
  });

  it('nginx preset tells sides apart by Service and says so when the Service is unknown', async () => {
    const withoutServices = await analyse(healthy, { preset: 'nginx' });
    expect(withoutServices.comparisons.find((c) => c.name === 'request_success_rate')).toMatchObject({
      classification: 'NoData',
      note: expect.stringMatching(/\{\{service\}\} \(the Service name is not known\)/) as string,
    });
    await fake?.close();
    fake = await startFakePrometheus({ scenarios: [scenarioWith(healthy)] });
    const source = createPrometheusSource({ url: fake.url, timeoutMs: 5_000, retries: 0 });
    const withServices = await analyzeCanaryMetrics(
      source,
      {
        ...target,
        canary: { ...target.canary, service: 'web-canary' },
        stable: { ...target.stable, service: 'web-stable' },
      },
      { preset: 'nginx' },
      live(),
    );
    expect(withServices.comparisons.find((c) => c.name === 'request_success_rate')?.classification).toBe('Pass');
  });

  it('user queries add to or replace preset ones; a broken template is reported on its metric', async () => {
    const result = await analyse(healthy, {
      preset: 'pod',
      queries: [
        {
          name: 'restarts',
          query: 'sum(kube_pod_container_status_restarts_total{namespace="{{namespace}}",pod=~"{{podRegex}}"})',
          direction: 'increase',
          critical: false,
        },
        {
          name: 'queue_depth',
          query: 'my_queue_depth{namespace="{{namespace}}",{{selector}},shard="{{shard}}"}',
          direction: 'increase',
        },
      ],
    });
    expect(result.comparisons.find((c) => c.name === 'restarts')).toMatchObject({
      critical: false,
      classification: 'Pass',
    });
    expect(result.comparisons.find((c) => c.name === 'queue_depth')).toMatchObject({
      classification: 'NoData',
      note: expect.stringMatching(/unknown placeholder \{\{shard\}\}/) as string,
    });
  });

  it('an unreachable Prometheus does not throw: a note and the failure say a promotion waits for Prometheus', async () => {
    fake = await startFakePrometheus();
    fake.faults.inject({
      kind: 'status',
      status: 503,
      body: { status: 'error', errorType: 'unavailable', error: 'down for maintenance' },
    });
    const source = createPrometheusSource({ url: fake.url, timeoutMs: 5_000, retries: 0 });
    const result = await analyzeCanaryMetrics(source, target, { preset: 'istio' }, live());
    expect(result.comparisons).toEqual([]);
    expect(result.findings).toEqual([]);
    expect(result.notes).toEqual([
      expect.stringMatching(
        /^Prometheus is unreachable or failing \(.*503.*\); a rejection rests on the other evidence, a promotion waits for Prometheus$/,
      ) as string,
    ]);
    expect(result.failure).toMatch(/^Prometheus is unreachable or failing/);
  });

  it("a deadline's reason survives the abort", async () => {
    fake = await startFakePrometheus();
    fake.faults.inject({ kind: 'hang' });
    const source = createPrometheusSource({ url: fake.url, timeoutMs: 60_000 });
    const controller = new AbortController();
    const pending = analyzeCanaryMetrics(source, target, { preset: 'pod' }, { signal: controller.signal });
    await expect.poll(() => fake?.requests.length).toBe(6);
    const deadline = new DeadlineError();
    controller.abort(deadline);
    await expect(pending).rejects.toBe(deadline);
  });
});
