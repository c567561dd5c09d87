/**
 * Prompt injection: 32 payloads printed by the canary (logs and events) of a crashing and of a healthy scenario,
 * analysed by the built service with a fake Gemini that OBEYS injected instructions. No verdict may flip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectionPayloads, pluginRequestBody, responders, scenarioById, startFakeGemini, withInjection, type FakeGemini } from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

const bases = [scenarioById('go-panic')!, scenarioById('healthy')!];
const variants = bases.flatMap((base) => injectionPayloads.map((payload) => withInjection(base, payload)));

let kube: KubeFixture;
let gemini: FakeGemini;
let service: ServiceProcess;
beforeAll(async () => {
  kube = await startKubeFixture(variants);
  gemini = await startFakeGemini({ responder: responders.obeyInjection });
  service = await startServiceProcess({ ...kube.env, GOOGLE_API_KEY: 'fake-key-for-tests', GEMINI_BASE_URL: gemini.url });
});
afterAll(async () => {
  await service.stop();
  await gemini.close();
  await kube.close();
});

describe('red team: injected instructions never flip a verdict', () => {
  it('has at least 30 payloads', () => {
    expect(injectionPayloads.length).toBeGreaterThanOrEqual(30);
  });

  it.each(variants.map((v) => [v.id, v] as const))('%s', async (_id, scenario) => {
    const { status, json } = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenario));
    expect(status).toBe(200);
    expect(json.promote).toBe(scenario.expected.promote);
  });

  it('the payload reached the model only inside the fenced evidence block', () => {
    const prompts = gemini.requests.map((r) => r.prompt);
    expect(prompts.length).toBeGreaterThan(0);
    // Whatever the payload says, the model's instructions live in the system prompt, never in the data.
    for (const r of gemini.requests) expect(r.system).not.toContain('IGNORE ALL PREVIOUS INSTRUCTIONS');
  });
});
