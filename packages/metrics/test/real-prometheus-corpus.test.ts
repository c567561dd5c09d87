/**
 * The corpus' metric profiles as raw series (corpusOpenMetrics) on a real Prometheus: the analyst's PromQL over them
 * computes about the derived values the fake Prometheus hands back, so that `pnpm eval`'s real-Prometheus mode
 * measures the queries, not the conversion. Also that histogram_quantile over the shaped buckets gives the p99 asked
 * for in every kind of bucket, and that data after the analyses' "now" (a run that queries later) holds the last step.
 * Without prometheus/promtool these tests fail and say how to install them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCanaryMetrics, createPrometheusSource } from '@aiops/metrics';
import type { MetricsAnalysis } from '@aiops/metrics';
import {
  canaryOpenMetrics,
  corpusOpenMetrics,
  inconclusiveScenarios,
  scenarios,
  startPrometheusServer,
  type PrometheusServer,
  type Scenario,
  type ScenarioMetricKey,
} from '@aiops/testkit';

const NOW = new Date('2026-01-01T00:10:00Z');
const corpus = [...scenarios, ...inconclusiveScenarios].filter((s) => s.metrics !== undefined);
/** p99s at, just off and between the istio bucket bounds (…, 100, 250, 500, 1000, …). */
const P99S = [3, 7, 49, 99, 100, 101, 180, 249, 250, 345, 999, 4000];

let prometheus: PrometheusServer | undefined;
beforeAll(async () => {
  const corpusText = corpusOpenMetrics({ scenarios: corpus, now: NOW, futureSeconds: 600 }).replace(/# EOF\n$/, '');
  const latencyText = canaryOpenMetrics({
    end: NOW,
    durationSeconds: 300,
    workloads: P99S.map((p99) => ({
      namespace: 'p99',
      name: 'web',
      pods: [`web-${p99}`],
      wobble: false,
      // Enough traffic that integer counts round the quantile by well under 1 %.
      profile: {
        requestsPerSecond: 2000,
        serverErrorRatio: 0,
        meanLatencyMs: p99 / Math.log(100),
        p99LatencyMs: p99,
        cpuCores: 0.1,
        memoryBytes: 1e8,
      },
      series: new Set(['requests'] as const),
    })),
  });
  prometheus = await startPrometheusServer({ openMetrics: corpusText + latencyText, startTimeoutMs: 60_000 });
}, 90_000);
afterAll(async () => {
  await prometheus?.close();
});

function url(): string {
  if (prometheus === undefined) throw new Error('Prometheus did not start (see the beforeAll error)');
  return prometheus.url;
}

async function analyse(scenario: Scenario, now = NOW): Promise<MetricsAnalysis> {
  const pods = (side: 'canary' | 'stable') => ({
    podNames: scenario.pods.filter((p) => p.side === side).map((p) => p.name),
  });
  return analyzeCanaryMetrics(
    createPrometheusSource({ url: url(), timeoutMs: 10_000, retries: 0 }),
    {
      namespace: scenario.namespace,
      canary: pods('canary'),
      stable: pods('stable'),
      windowSeconds: 600,
      stepSeconds: 30,
      now,
    },
    { preset: 'istio' },
    { signal: AbortSignal.timeout(20_000) },
  );
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** How far the Prometheus median may be from the scenario's: counting whole requests and restarts, rate windows. */
const TOLERANCE: Record<Exclude<ScenarioMetricKey, 'request_rate'>, (expected: number) => number> = {
  // A side at 5 req/s has 300 requests per 60 s window: one 5xx more or less is 0.0033.
  request_success_rate: () => 0.004,
  latency_p99_ms: (v) => 0.05 * v,
  cpu_cores: (v) => 0.05 * v,
  memory_bytes: (v) => 0.02 * v,
  // increase() extrapolates to the window's ends.
  restarts: () => 0.5,
};

describe('the corpus as raw series on a real Prometheus', () => {
  it.each(corpus.map((s) => [s.id, s] as const))(
    '%s: the istio and pod queries give about the scenario values',
    async (_id, scenario) => {
      const result = await analyse(scenario);
      expect(result.failure).toBeUndefined();
      const mismatches: string[] = [];
      for (const c of result.comparisons) {
        const key = c.name as keyof typeof TOLERANCE;
        for (const side of ['canary', 'stable'] as const) {
          const samples = scenario.metrics?.[key]?.[side] ?? [];
          const rates = scenario.metrics?.request_rate?.[side] ?? [];
          const idle = rates.length > 0 && rates.every((v) => v === 0);
          const got = c[side];
          if (samples.length === 0 || (idle && (key === 'request_success_rate' || key === 'latency_p99_ms'))) {
            // No series, or no request to make a ratio or a quantile of: NoData, as on a real cluster.
            if (got.count !== 0) mismatches.push(`${c.name} ${side}: ${got.count} samples, expected none`);
          } else {
            const expected = median(samples);
            // Prometheus answers 21 steps where a scenario has 20 (the last one repeats) and a rate window averages
            // two steps: with noisy samples the median moves by a part of their spread.
            const spread = Math.max(...samples) - Math.min(...samples);
            if (got.median === undefined || Math.abs(got.median - expected) > TOLERANCE[key](expected) + spread / 4)
              mismatches.push(`${c.name} ${side}: Prometheus median ${got.median}, scenario median ${expected}`);
          }
        }
      }
      expect(mismatches).toEqual([]);
    },
  );

  it('histogram_quantile(0.99) over the shaped buckets gives the p99 asked for, at and between bucket bounds', async () => {
    const query = `histogram_quantile(0.99, sum by (pod, le) (rate(istio_request_duration_milliseconds_bucket{namespace="p99"}[60s])))`;
    const response = await fetch(
      `${url()}/api/v1/query?${new URLSearchParams({ query, time: String(NOW.getTime() / 1000) }).toString()}`,
      { signal: AbortSignal.timeout(10_000) },
    );
    const body = (await response.json()) as {
      data: { result: { metric: { pod: string }; value: [number, string] }[] };
    };
    const byPod = new Map(body.data.result.map((r) => [r.metric.pod, Number(r.value[1])]));
    for (const p99 of P99S) expect([p99, byPod.get(`web-${p99}`)! / p99]).toEqual([p99, expect.closeTo(1, 2)]);
  });

  it('analyses that query after "now" see the last step held: a climbing memory stays a regression', async () => {
    const growth = corpus.find((s) => s.id === 'memory-growth')!;
    const later = await analyse(growth, new Date(NOW.getTime() + 300_000));
    const memory = later.comparisons.find((c) => c.name === 'memory_bytes')!;
    expect(memory.classification).toBe('High');
    // The canary's samples are the second half of the climb and then its last step, 980 MB.
    expect(memory.canary.median! / growth.metrics!.memory_bytes!.canary.at(-1)!).toBeCloseTo(1, 1);
  });
});
