/**
 * The analyst against the labelled scenario corpus served by the fake Prometheus: the metrics alone must never
 * reject a canary the corpus says to promote, and must find the metric-visible failures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCanaryMetrics, createPrometheusSource } from '@aiops/metrics';
import { scenarios, startFakePrometheus } from '@aiops/testkit';
import type { FakePrometheus, Scenario } from '@aiops/testkit';

let fake: FakePrometheus;
beforeAll(async () => {
  fake = await startFakePrometheus({ scenarios });
});
afterAll(async () => {
  await fake.close();
});

async function analyse(scenario: Scenario) {
  const side = (name: 'canary' | 'stable') => ({
    podNames: scenario.pods.filter((p) => p.side === name).map((p) => p.name),
  });
  const source = createPrometheusSource({ url: fake.url, timeoutMs: 5_000, retries: 0 });
  return analyzeCanaryMetrics(
    source,
    {
      namespace: scenario.namespace,
      canary: side('canary'),
      stable: side('stable'),
      windowSeconds: 19 * 30,
      stepSeconds: 30,
      now: new Date('2026-01-01T00:00:00Z'),
    },
    { preset: 'istio' },
    { signal: new AbortController().signal },
  );
}

describe('metrics analyst on the scenario corpus', () => {
  const withMetrics = scenarios.filter((s) => s.metrics !== undefined);

  it.each(withMetrics.filter((s) => s.expected.promote).map((s) => [s.id, s] as const))(
    '%s: no metric regression',
    async (_id, scenario) => {
      const result = await analyse(scenario);
      expect(result.findings.filter((f) => f.kind === 'metric-regression')).toEqual([]);
    },
  );

  it.each(
    withMetrics
      .filter((s) => !s.expected.promote && (s.metrics?.request_success_rate || s.metrics?.restarts))
      .filter((s) => {
        const sr = s.metrics?.request_success_rate;
        const restarts = s.metrics?.restarts;
        const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
        // Only the scenarios whose series actually differ: some failures show only in logs and pod states.
        return (
          (sr !== undefined && mean(sr.stable) - mean(sr.canary) > 0.01) ||
          (restarts !== undefined && mean(restarts.canary) > mean(restarts.stable))
        );
      })
      .map((s) => [s.id, s] as const),
  )('%s: a hard metric regression', async (_id, scenario) => {
    const result = await analyse(scenario);
    expect(result.findings.some((f) => f.kind === 'metric-regression' && f.hard)).toBe(true);
    expect(result.score).toBe(0);
  });
});
