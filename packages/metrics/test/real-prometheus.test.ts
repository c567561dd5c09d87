/**
 * The metrics analyst against a real Prometheus (Debian's package), backfilled with real-shaped series: counters
 * by response code, cumulative histogram buckets, cAdvisor's sidecar, pause-container and pod-cgroup series,
 * kube-state-metrics' restart counter. Checks what the fake Prometheus cannot: that every preset query is accepted
 * by the real parser and computes the intended number on real series. One Prometheus for the file; each case has
 * its own namespace. Without prometheus/promtool these tests fail and say how to install them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCanaryMetrics, createPrometheusSource, presetQueries } from '@aiops/metrics';
import type { MetricsAnalysis, MetricsAnalystConfig } from '@aiops/metrics';
import { canaryOpenMetrics, startPrometheusServer } from '@aiops/testkit';
import type { PodProfile, PrometheusServer, WorkloadSeries } from '@aiops/testkit';

/** End of the backfilled series and of every analysis window. */
const NOW = new Date('2026-01-01T00:10:00Z');
const WINDOW_SECONDS = 600;
const STEP_SECONDS = 30;
/** Samples per side of an aggregated query: one per step, both ends included. */
const STEPS = WINDOW_SECONDS / STEP_SECONDS + 1;

const HEALTHY: PodProfile = {
  requestsPerSecond: 10,
  serverErrorRatio: 0.001,
  meanLatencyMs: 20,
  cpuCores: 0.25,
  memoryBytes: 200e6,
};
/** Everything wrong at once: a pod with this profile that a side's query picks up changes every metric. */
const BROKEN: PodProfile = {
  requestsPerSecond: 50,
  serverErrorRatio: 0.5,
  meanLatencyMs: 400,
  cpuCores: 3,
  memoryBytes: 3e9,
  restartEverySeconds: 30,
};

interface Rollout {
  namespace: string;
  canaryPods: string[];
  stablePods: string[];
  workloads: WorkloadSeries[];
}

/** A rollout of "web" in its own namespace: canary and stable pods, each side behind its own Service. */
function rollout(
  namespace: string,
  canary: Partial<PodProfile>,
  pods: { canary?: string[]; stable?: string[]; bystanders?: WorkloadSeries[] } = {},
): Rollout {
  const canaryPods = pods.canary ?? ['web-7d9c4f8b6-k2x8p'];
  const stablePods = pods.stable ?? ['web-5f6b7c9d8-abcde', 'web-5f6b7c9d8-fghij'];
  return {
    namespace,
    canaryPods,
    stablePods,
    workloads: [
      { namespace, name: 'web', pods: canaryPods, service: 'web-canary', profile: { ...HEALTHY, ...canary } },
      { namespace, name: 'web', pods: stablePods, service: 'web-stable', profile: HEALTHY },
      ...(pods.bystanders ?? []),
    ],
  };
}

const rollouts = {
  healthy: rollout('healthy', {}),
  errors: rollout('errors', { serverErrorRatio: 0.05 }),
  onlyErrors: rollout('only-errors', { serverErrorRatio: 1 }),
  slow: rollout('slow', { meanLatencyMs: 100 }),
  resources: rollout('resources', { cpuCores: 0.5, memoryBytes: 400e6, restartEverySeconds: 60 }),
  // CrashLoopBackOff doubles its wait up to 5 minutes: a crash loop soon restarts a few times per analysis window.
  slowCrashLoop: rollout('slow-crash-loop', { restartEverySeconds: 150 }),
  idle: rollout('idle', { requestsPerSecond: 0 }),
  // '.' is legal in a pod name and any character in a regex; Prometheus anchors label regexes.
  dotted: rollout(
    'dotted',
    {},
    {
      canary: ['web.v2-7d9c-abcde'],
      stable: ['web.v1-5f6b-fghij'],
      bystanders: [
        { namespace: 'dotted', name: 'web', pods: ['web.v2-7d9c-abcdeX', 'webXv2-7d9c-abcde'], profile: BROKEN },
        { namespace: 'dotted', name: 'web', pods: ['web.v1-5f6b-fghijX', 'web-v1-5f6b-fghij'], profile: BROKEN },
      ],
    },
  ),
};

let prometheus: PrometheusServer | undefined;
beforeAll(async () => {
  prometheus = await startPrometheusServer({
    openMetrics: canaryOpenMetrics({ end: NOW, workloads: Object.values(rollouts).flatMap((r) => r.workloads) }),
  });
});
afterAll(async () => {
  await prometheus?.close();
});

async function analyse(target: Rollout, config: MetricsAnalystConfig): Promise<MetricsAnalysis> {
  if (prometheus === undefined) throw new Error('Prometheus did not start (see the beforeAll error)');
  const source = createPrometheusSource({ url: prometheus.url, timeoutMs: 10_000, retries: 0 });
  return analyzeCanaryMetrics(
    source,
    {
      namespace: target.namespace,
      canary: { podNames: target.canaryPods, service: 'web-canary' },
      stable: { podNames: target.stablePods, service: 'web-stable' },
      windowSeconds: WINDOW_SECONDS,
      stepSeconds: STEP_SECONDS,
      now: NOW,
    },
    config,
    { signal: AbortSignal.timeout(20_000) },
  );
}

function comparison(result: MetricsAnalysis, name: string) {
  const found = result.comparisons.find((c) => c.name === name);
  if (found === undefined)
    throw new Error(`no comparison of ${name}: ${result.comparisons.map((c) => c.name).join(', ')}`);
  return found;
}

const regressions = (result: MetricsAnalysis) =>
  result.findings.filter((f) => f.kind === 'metric-regression').map((f) => f.id);

describe('metrics analyst on a real Prometheus', () => {
  it.each(['istio', 'nginx', 'pod'] as const)(
    '%s preset: real Prometheus accepts every query and answers one aggregated series per side',
    async (preset) => {
      const result = await analyse(rollouts.healthy, { preset });
      expect(result.failure).toBeUndefined();
      const judged = presetQueries(preset).filter((q) => !q.informational);
      expect(result.comparisons.map((c) => c.name)).toEqual(judged.map((q) => q.name));
      for (const c of result.comparisons) {
        // Not NoData and no "query failed" note: both sides answered, a bad_data would show here.
        expect([c.name, c.classification, c.canary.count, c.stable.count]).toEqual([c.name, 'Pass', STEPS, STEPS]);
      }
      for (const q of presetQueries(preset).filter((q) => q.informational))
        expect(result.notes).toContainEqual(
          expect.stringMatching(new RegExp(`^${q.name}: canary median [0-9.]+ \\S+, stable median [0-9.]+`)),
        );
      expect(result.findings).toEqual([]);
      expect(result.score).toBe(100);
    },
  );

  it('computes the intended numbers: served non-5xx share, p99 from the buckets, app container cpu and memory only', async () => {
    const result = await analyse(rollouts.healthy, { preset: 'istio' });
    // The pods' own outbound calls (reporter="source", half failing) would pull this to about 0.75.
    expect(comparison(result, 'request_success_rate').canary.median).toBeGreaterThan(0.995);
    // Exponential with mean 20 ms: the true p99 is 92 ms, in the (50, 100] bucket that histogram_quantile interpolates.
    const p99 = comparison(result, 'latency_p99_ms');
    for (const side of [p99.canary, p99.stable]) expect(side.median).toSatisfy((v: number) => v > 50 && v <= 100);
    // The istio-proxy sidecar (0.5 cores, 150 MB), the POD pause container and the pod cgroup (container="", the sum)
    // are left out: the per-pod value is the app container's.
    const cpu = comparison(result, 'cpu_cores');
    for (const side of [cpu.canary, cpu.stable]) expect(side.median).toBeCloseTo(HEALTHY.cpuCores, 2);
    const memory = comparison(result, 'memory_bytes');
    for (const side of [memory.canary, memory.stable]) expect(side.median! / HEALTHY.memoryBytes).toBeCloseTo(1, 1);
    // Request rate is summed over the side's pods: one canary pod, two stable pods at 10 req/s each.
    expect(result.notes).toContainEqual(
      expect.stringMatching(
        /^request_rate: canary median (9\.\d+|10\.\d+) req\/s, stable median (19\.\d+|20\.\d+) req\/s/,
      ),
    );
  });

  it.each(['istio', 'nginx'] as const)(
    '%s: a canary with 5% of 5xx vs 0.1% in stable fails the critical success rate',
    async (preset) => {
      const result = await analyse(rollouts.errors, { preset });
      const successRate = comparison(result, 'request_success_rate');
      expect(successRate).toMatchObject({ classification: 'Low', critical: true, direction: 'decrease' });
      expect(successRate.canary.median).toBeCloseTo(0.95, 2);
      expect(regressions(result)).toEqual(['metric:request_success_rate']);
      expect(result.findings[0]).toMatchObject({ severity: 'critical', hard: true, side: 'canary' });
      expect(result.score).toBe(0);
      expect(result.notes[0]).toMatch(/^judge: fail/);
    },
  );

  it.each(['istio', 'nginx'] as const)(
    '%s: a canary that answers every request with a 5xx (no 2xx series at all) fails the success rate',
    async (preset) => {
      const result = await analyse(rollouts.onlyErrors, { preset });
      // Its non-5xx selection matches no series: the ratio must still be 0, not empty (NoData, judged a pass).
      const successRate = comparison(result, 'request_success_rate');
      expect(successRate).toMatchObject({ classification: 'Low', canary: { count: STEPS, median: 0 } });
      expect(regressions(result)).toEqual(['metric:request_success_rate']);
      expect(result.score).toBe(0);
      expect(result.notes[0]).toMatch(/^judge: fail/);
    },
  );

  it.each(['istio', 'nginx'] as const)(
    '%s: a 5x slower latency distribution is latency_p99_ms High',
    async (preset) => {
      const result = await analyse(rollouts.slow, { preset });
      const latency = comparison(result, 'latency_p99_ms');
      expect(latency).toMatchObject({ classification: 'High', critical: false });
      expect(latency.canary.median! / latency.stable.median!).toBeGreaterThan(3);
      expect(regressions(result)).toEqual(['metric:latency_p99_ms']);
      expect(result.findings[0]).toMatchObject({ severity: 'error', hard: false });
    },
  );

  it('canary cpu, memory and restart regressions each flag their metric; restarts are a hard failure', async () => {
    const result = await analyse(rollouts.resources, { preset: 'pod' });
    expect(result.comparisons.map((c) => [c.name, c.classification])).toEqual([
      ['cpu_cores', 'High'],
      ['memory_bytes', 'High'],
      ['restarts', 'High'],
    ]);
    expect(comparison(result, 'cpu_cores').canary.median).toBeCloseTo(0.5, 1);
    expect(result.findings.find((f) => f.id === 'metric:restarts')).toMatchObject({ hard: true, severity: 'critical' });
    expect(result.score).toBe(0);
  });

  it('a canary restarting every 150 s (a crash loop in back-off) fails the restarts metric, stable with none passes', async () => {
    const result = await analyse(rollouts.slowCrashLoop, { preset: 'pod' });
    const restarts = comparison(result, 'restarts');
    expect(restarts.classification).toBe('High');
    // Restarts are counted over the whole analysis window at every step, not per rate window: most 60 s windows of
    // a crash loop in back-off hold no restart.
    expect(restarts.canary.median).toBeGreaterThanOrEqual(3);
    expect(restarts.stable.median).toBe(0);
    expect(result.findings.find((f) => f.id === 'metric:restarts')).toMatchObject({ hard: true, severity: 'critical' });
  });

  it('pod names with "." select exactly their pods: near-miss pods ("...X", "." as any char) stay out', async () => {
    const result = await analyse(rollouts.dotted, { preset: 'istio' });
    expect(result.failure).toBeUndefined();
    expect(regressions(result)).toEqual([]);
    // The near-miss pods serve 50 req/s with half of them failing, at 3 cores and 3 GB: any of them in a side's
    // selection moves these numbers.
    for (const side of ['canary', 'stable'] as const) {
      expect(comparison(result, 'request_success_rate')[side].median).toBeGreaterThan(0.995);
      expect(comparison(result, 'cpu_cores')[side].median).toBeCloseTo(HEALTHY.cpuCores, 2);
      expect(comparison(result, 'memory_bytes')[side].median! / HEALTHY.memoryBytes).toBeCloseTo(1, 1);
      expect(comparison(result, 'restarts')[side].median).toBe(0);
    }
    expect(result.notes).toContainEqual(
      expect.stringMatching(
        /^request_rate: canary median (9\.\d+|10\.\d+) req\/s, stable median (9\.\d+|10\.\d+) req\/s/,
      ),
    );
  });

  it('a canary with zero traffic: 0/0 is NaN in Prometheus, so NoData for the ratios and a no-traffic warning', async () => {
    const result = await analyse(rollouts.idle, { preset: 'istio' });
    expect(result.failure).toBeUndefined();
    for (const name of ['request_success_rate', 'latency_p99_ms']) {
      const c = comparison(result, name);
      // Real Prometheus answers NaN per step for a ratio of two zero rates and a quantile of empty buckets; the
      // samples for charts keep numbers only, so the answer's JSON holds no null.
      expect(c.samples).toEqual({ canary: [], stable: expect.any(Array) as unknown });
      expect(c.samples?.stable).toHaveLength(STEPS);
      expect(JSON.parse(JSON.stringify(c.samples))).toEqual(c.samples);
      expect(c).toMatchObject({ classification: 'NoData', canary: { count: 0 }, stable: { count: STEPS } });
      expect(c.note).toMatch(/^not enough data: canary has 0 value/);
    }
    expect(regressions(result)).toEqual([]);
    // Only cpu, memory and restarts are judged; the policy reads the no-traffic finding as thin evidence.
    expect(result.notes[0]).toMatch(/^judge: pass \(score 100, 3 metric\(s\) judged, 2 without data, 0 critical/);
    expect(result.findings).toEqual([
      expect.objectContaining({ id: 'metric:no-canary-traffic', kind: 'no-traffic', severity: 'warning', hard: false }),
    ]);
  });

  it("an operator's query with a PromQL syntax error: real Prometheus answers 400 bad_data, the metric is NoData and failed", async () => {
    const broken = {
      name: 'error_budget_burn',
      query:
        'sum(rate(istio_requests_total{namespace="{{namespace}}",{{selector}},response_code=~"5.."}[{{window}}]) /',
      direction: 'increase' as const,
      critical: true,
    };
    const result = await analyse(rollouts.healthy, { preset: 'istio', queries: [broken] });
    const c = comparison(result, 'error_budget_burn');
    expect(c.classification).toBe('NoData');
    expect(c.note).toMatch(
      /^query failed: canary: prometheus: query_range failed with HTTP 400: bad_data: .*parse error/,
    );
    expect(c.note).toMatch(/; stable: prometheus: query_range failed with HTTP 400: bad_data: .*parse error/);
    expect(result.failure).toMatch(/error_budget_burn/);
    expect(regressions(result)).toEqual([]);
    // The preset's metrics are still judged on their own.
    expect(result.comparisons.filter((x) => x.name !== broken.name).every((x) => x.classification === 'Pass')).toBe(
      true,
    );
  });
});
