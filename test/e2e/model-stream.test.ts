/**
 * A model endpoint that answers 200 with something that is not an SSE stream (an HTML page from a proxy or
 * gateway) used to take the whole process down after the answer went out: the Gemini client's background
 * `response` promise rejected with nobody listening. It must be a typed `llm` dependency failure of that analysis
 * and nothing else: the same process answers the next request, and nothing reaches the unhandled-failure path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginRequestBody, responders, scenarioById, startFakeGemini, type FakeGemini } from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { metricSum, postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

let kube: KubeFixture;
let gemini: FakeGemini;
let service: ServiceProcess;
beforeAll(async () => {
  kube = await startKubeFixture();
  gemini = await startFakeGemini({ responder: responders.heuristic });
  service = await startServiceProcess({
    ...kube.env,
    GOOGLE_API_KEY: 'fake-key-for-tests',
    GEMINI_BASE_URL: gemini.url,
    LLM_TIMEOUT_MS: '5000',
    ON_MODEL_UNAVAILABLE: 'error',
  });
});
afterAll(async () => {
  await service.stop();
  await gemini.close();
  await kube.close();
});

describe('a model answer that is not a stream', () => {
  it('200 + text/html: a 503 naming the model for that analysis, and the same process answers the next one', async () => {
    const fault = gemini.faults.inject({ kind: 'html' });
    const broken = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenarioById('healthy')!));
    expect(broken.status).toBe(503);
    expect(broken.json).not.toHaveProperty('promote');
    expect(broken.json.error).toMatchObject({ code: 'dependency_unavailable', dependency: 'llm' });
    expect(fault.hits).toBeGreaterThan(0);
    fault.remove();

    const next = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenarioById('go-panic')!));
    expect(next.status).toBe(200);
    expect(next.json.promote).toBe(false);
    expect(service.alive).toBe(true);
    expect(await metricSum(service.url, 'aiops_agent_unhandled_failures_total')).toBe(0);
  });
});
