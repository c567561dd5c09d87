/**
 * The diagnosis cache, black-box: the plugin measures a canary every interval; while its evidence is unchanged the
 * model's earlier diagnosis is reused (one model call for ten measurements, counted on /metrics), and a canary that
 * starts panicking between measurements gets a new diagnosis.
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

const healthy: Scenario = { ...structuredClone(scenarioById('healthy')!), id: 'cache-healthy', namespace: 'cache' };

/** The same rollout whose canary now panics on some requests (a Go nil pointer dereference). */
function panicking(): Scenario {
  const s = structuredClone(healthy);
  const panic = [
    'panic: runtime error: invalid memory address or nil pointer dereference',
    '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x6d1f2a]',
    '',
    'goroutine 87 [running]:',
    'github.com/acme/catalog/internal/api.(*Handler).Search(0xc0001a2000, {0x7f1c80, 0xc000212000})',
    '\t/app/internal/api/search.go:57 +0x2a',
  ];
  for (const pod of s.pods.filter((p) => p.side === 'canary'))
    for (const c of pod.containers.filter((c) => c.name !== 'istio-proxy'))
      c.logs = c.logs.flatMap((line, i) => (i % 40 === 20 ? [line, ...panic] : [line]));
  return s;
}

let kube: KubeFixture;
let gemini: FakeGemini;
let service: ServiceProcess;
beforeAll(async () => {
  kube = await startKubeFixture([healthy]);
  gemini = await startFakeGemini({ responder: responders.heuristic });
  service = await startServiceProcess({
    ...kube.env,
    GOOGLE_API_KEY: 'fake-key-for-tests',
    GEMINI_BASE_URL: gemini.url,
    EVIDENCE_CACHE_TTL_SECONDS: '900',
  });
});
afterAll(async () => {
  await service?.stop();
  await gemini?.close();
  await kube?.close();
});

async function measure(scenario: Scenario): Promise<{ promote: boolean; analysis: string }> {
  const { status, json } = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenario));
  expect(status).toBe(200);
  return json as unknown as { promote: boolean; analysis: string };
}

describe('an unchanged canary measured again', () => {
  it('costs one model call for ten measurements, and the reuse is counted on /metrics', async () => {
    const answers: Array<{ promote: boolean }> = [];
    for (let i = 0; i < 10; i++) answers.push(await measure(healthy));
    expect(gemini.requests).toHaveLength(1);
    expect(answers.every((a) => a.promote === answers[0]!.promote)).toBe(true);
    expect(await metricSum(service.url, 'aiops_agent_diagnosis_cache_total{result="hit"}')).toBe(9);
    expect(await metricSum(service.url, 'aiops_agent_diagnosis_cache_total{result="miss"}')).toBe(1);
  });

  it('asks the model again when the canary starts panicking between measurements', async () => {
    const before = gemini.requests.length;
    kube.kube.loadScenarios([panicking()]);
    const after = await measure(healthy);
    expect(gemini.requests).toHaveLength(before + 1);
    expect(gemini.requests.at(-1)!.prompt).toContain('nil pointer dereference');
    expect(after.promote).toBe(false);
  });
});
