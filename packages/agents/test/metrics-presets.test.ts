/**
 * Every Prometheus preset, run by the metrics analyst over the real Kubernetes and Prometheus adapters against the
 * fake API servers, gets data for both sides: the mesh preset by pod, the ingress preset by the Rollout's Services.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAnalysisRequest } from '@aiops/contracts';
import { analyzeMetrics, createRunContext, type MetricsStageConfig } from '@aiops/agents';
import { createClusterReader } from '@aiops/kube';
import { createPrometheusSource, presetQueries, type MetricsPreset } from '@aiops/metrics';
import { KubeConfig } from '@kubernetes/client-node';
import {
  pluginRequestBody,
  scenarioById,
  scenarios,
  startFakeKubeApi,
  startFakePrometheus,
  type FakeKubeApi,
  type FakePrometheus,
} from '@aiops/testkit';

let kube: FakeKubeApi;
let prometheus: FakePrometheus;
let cluster: ReturnType<typeof createClusterReader>;
beforeAll(async () => {
  kube = await startFakeKubeApi({ scenarios });
  prometheus = await startFakePrometheus({ scenarios });
  const kc = new KubeConfig();
  kc.loadFromString(kube.kubeconfigYaml());
  cluster = createClusterReader(kc, { timeoutMs: 5000 });
});
afterAll(async () => {
  await kube.close();
  await prometheus.close();
});

async function measure(preset: MetricsPreset) {
  const scenario = scenarioById('go-panic')!;
  const config: MetricsStageConfig = { prometheus: { preset }, windowSeconds: 19 * 30, stepSeconds: 30 };
  const source = createPrometheusSource({ url: prometheus.url, timeoutMs: 5_000, retries: 0 });
  const run = createRunContext(new AbortController().signal);
  return analyzeMetrics(cluster, source, toAnalysisRequest(pluginRequestBody(scenario)), config, run, new Date());
}

describe('metrics presets against the fake Prometheus', () => {
  it.each(['istio', 'nginx', 'pod'] as const)(
    '%s: every query of the preset gets samples for both sides',
    async (preset) => {
      const { metrics } = await measure(preset);
      const fromPrometheus = metrics.comparisons.filter((c) => c.source === 'prometheus');
      // Informational queries (request rate) are notes, not comparisons.
      const expected = presetQueries(preset)
        .filter((q) => !q.informational)
        .map((q) => q.name)
        .filter((name) => scenarioById('go-panic')!.metrics?.[name as never] !== undefined);
      expect(expected.length).toBeGreaterThan(0);
      expect(fromPrometheus.map((c) => c.name).sort()).toEqual(expect.arrayContaining(expected.sort()));
      for (const c of fromPrometheus.filter((c) => expected.includes(c.name))) {
        expect(c.canary.count, `${preset} ${c.name} canary`).toBeGreaterThan(0);
        expect(c.stable.count, `${preset} ${c.name} stable`).toBeGreaterThan(0);
      }
      expect(metrics.notes.join('\n')).not.toMatch(/no value for/);
    },
  );

  it('nginx: canary and stable are told apart by the Rollout Services (the canary success rate is the lower one)', async () => {
    const { metrics } = await measure('nginx');
    const successRate = metrics.comparisons.find((c) => c.name === 'request_success_rate')!;
    expect(successRate.canary.median!).toBeLessThan(successRate.stable.median!);
    const serviceMatchers = prometheus.requests
      .map((r) => /service="([^"]+)"/.exec(r.params.query ?? '')?.[1])
      .filter((s): s is string => s !== undefined);
    expect(new Set(serviceMatchers)).toEqual(
      new Set(
        ['go-panic-canary', 'go-panic-stable'].map((s) => s.replace('go-panic', scenarioById('go-panic')!.rolloutName)),
      ),
    );
  });
});
