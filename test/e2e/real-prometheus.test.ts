/**
 * Verdicts that depend on Prometheus, with the service's PromQL evaluated by a real Prometheus (Debian's 2.42)
 * instead of the fake that matches metric names: the corpus' metric profiles backfilled as the raw series of real
 * exporters (istio counters and duration buckets, cAdvisor, kube-state-metrics), queried by the built service at
 * its own clock. Latency and memory regressions show in no log, so a query that answers nothing or the wrong number
 * on real series promotes them. Without prometheus/promtool this suite fails and says how to install them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  corpusOpenMetrics,
  pluginRequestBody,
  scenarioById,
  startPrometheusServer,
  type PrometheusServer,
  type Scenario,
} from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

const byId = (id: string): Scenario => {
  const scenario = scenarioById(id);
  if (scenario === undefined) throw new Error(`no corpus scenario ${id}`);
  return scenario;
};
const dependOnPrometheus = ['latency-regression', 'memory-growth', 'error-rate-increase', 'cpu-within-tolerance'].map(
  byId,
);
const healthy = byId('healthy');
const corpus = [...dependOnPrometheus, healthy];

let kube: KubeFixture | undefined;
let prometheus: PrometheusServer | undefined;
let service: ServiceProcess | undefined;
beforeAll(async () => {
  kube = await startKubeFixture(corpus);
  prometheus = await startPrometheusServer({ openMetrics: corpusOpenMetrics({ scenarios: corpus, now: new Date() }) });
  service = await startServiceProcess({ ...kube.env, PROMETHEUS_URL: prometheus.url, LLM_PROVIDER: 'none' });
});
afterAll(async () => {
  await service?.stop();
  await prometheus?.close();
  await kube?.close();
});

describe('verdicts on a real Prometheus', () => {
  it.each(corpus.map((s) => [s.id, s] as const))(
    '%s: the labelled verdict, for the labelled reason',
    async (_id, scenario) => {
      if (service === undefined) throw new Error('the service did not start (see the beforeAll error)');
      const { status, json } = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenario));
      expect(status).toBe(200);
      expect(json.promote).toBe(scenario.expected.promote);
      for (const word of scenario.expected.rootCauseMentions ?? []) expect(String(json.rootCause)).toContain(word);
    },
  );

  it('the fake Prometheus was never asked: every number came from PromQL evaluated by the real one', () => {
    expect(kube?.prometheus.requests).toEqual([]);
  });
});
