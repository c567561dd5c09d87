/**
 * The metric-ai plugin's exact request against the built service on the fake cluster: a correct verdict on every
 * corpus scenario, without a model and with the fake Gemini, and the policy holding against a model that always
 * says "promote".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  plantedSecrets,
  pluginRequestBody,
  responders,
  scenarioById,
  scenarios,
  startFakeGemini,
  type FakeGemini,
  type Scenario,
} from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

/**
 * A Go panic whose message carries credentials: the root cause the service reports is this very line, so the answer
 * would carry them if redaction failed anywhere on the way (read, diff, root cause, answer).
 */
function panicWithSecrets(): Scenario {
  const base = structuredClone(scenarioById('go-panic')!);
  const s = plantedSecrets;
  const message = `panic: dial postgres://orders:${s.databasePassword}@orders-db.internal:5432/orders failed: token ${s.githubToken} key ${s.awsAccessKeyId} rejected`;
  let replaced = 0;
  for (const pod of base.pods.filter((p) => p.side === 'canary')) {
    for (const c of pod.containers) {
      c.logs = c.logs.map((line) => (line.startsWith('panic: runtime error') ? (replaced++, message) : line));
    }
  }
  if (replaced === 0) throw new Error('go-panic no longer prints the panic line this test rewrites');
  return { ...base, id: 'go-panic-with-secrets', namespace: 'scn-go-panic-with-secrets' };
}
const leaky = panicWithSecrets();

let kube: KubeFixture;
beforeAll(async () => {
  kube = await startKubeFixture([...scenarios, leaky]);
});
afterAll(async () => {
  await kube.close();
});

function expectContractAnswer(json: Record<string, unknown>) {
  expect(typeof json.analysis).toBe('string');
  expect(typeof json.rootCause).toBe('string');
  expect(typeof json.remediation).toBe('string');
  expect(typeof json.promote).toBe('boolean');
  expect(Number.isInteger(json.confidence)).toBe(true);
  expect(json.confidence as number).toBeGreaterThanOrEqual(0);
  expect(json.confidence as number).toBeLessThanOrEqual(100);
}

describe('LLM_PROVIDER=none: the evidence decides', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startServiceProcess({ ...kube.env, LLM_PROVIDER: 'none' });
  });
  afterAll(async () => {
    expect(await service.stop()).toBe(0);
  });

  it('answers the plugin health check', async () => {
    expect((await fetch(`${service.url}/`)).status).toBe(200);
  });

  it.each(scenarios.map((s) => [s.id, s] as const))('%s', async (_id, scenario) => {
    const { status, json } = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenario));
    expect(status).toBe(200);
    expectContractAnswer(json);
    expect(json.promote).toBe(scenario.expected.promote);
    if (!scenario.expected.promote) {
      expect(json.rootCause).not.toBe('none');
      for (const word of scenario.expected.rootCauseMentions ?? [])
        expect(String(json.rootCause) + String(json.analysis)).toMatch(new RegExp(word, 'i'));
    }
    if (scenario.expected.hardFailure) {
      const findings = (json.evidence as { findings: Array<{ hard: boolean; kind?: string; id: string }> }).findings;
      expect(findings.some((f) => f.hard)).toBe(true);
    }
  });

  it('never puts a secret from the logs into the answer', async () => {
    for (const scenario of [scenarios.find((s) => s.id === 'secrets-in-logs')!, leaky]) {
      const { status, json } = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenario));
      expect(status).toBe(200);
      expect(json.promote).toBe(scenario.expected.promote);
      const answer = JSON.stringify(json);
      for (const secret of [plantedSecrets.databasePassword, plantedSecrets.githubToken, plantedSecrets.awsAccessKeyId])
        expect(answer).not.toContain(secret);
      for (const secret of Object.values(plantedSecrets)) expect(answer).not.toContain(secret);
    }
    // The leaky panic is the root cause, with its credentials replaced: the line did reach the answer.
    const { json } = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(leaky));
    expect(String(json.rootCause)).toMatch(/postgres:\/\/orders:/);
    expect(String(json.rootCause)).toContain('[REDACTED');
  });

  it('accepts callers that send only context, or only the prompt', async () => {
    const scenario = scenarios.find((s) => s.id === 'go-panic')!;
    const body = pluginRequestBody(scenario);
    const onlyContext = await postJson(`${service.url}/a2a/analyze`, { context: body.context });
    const onlyPrompt = await postJson(`${service.url}/a2a/analyze`, { prompt: body.prompt });
    expect(onlyContext.json.promote).toBe(false);
    expect(onlyPrompt.json.promote).toBe(false);
  });
});

describe('with the fake Gemini (real ChatGoogleGenerativeAI client over the wire)', () => {
  let gemini: FakeGemini;
  let service: ServiceProcess;
  beforeAll(async () => {
    gemini = await startFakeGemini({ responder: responders.heuristic });
    service = await startServiceProcess({
      ...kube.env,
      LLM_PROVIDER: 'gemini',
      GOOGLE_API_KEY: 'fake-key-for-tests',
      GEMINI_BASE_URL: gemini.url,
    });
  });
  afterAll(async () => {
    await service.stop();
    await gemini.close();
  });

  it.each(scenarios.map((s) => [s.id, s] as const))('%s', async (_id, scenario) => {
    const { status, json } = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenario));
    expect(status).toBe(200);
    expectContractAnswer(json);
    expect(json.promote).toBe(scenario.expected.promote);
    expect((json.modelResults as Array<{ modelName: string }>)[0]?.modelName).toBe('gemini-2.5-flash');
  });

  it('accounts the model tokens in /metrics', async () => {
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/aiops_agent_model_tokens_total\{model="gemini-2.5-flash",direction="input"\} [1-9]/);
  });

  it('passes the operator extraPrompt to the model, fenced', async () => {
    const scenario = scenarios.find((s) => s.extraPrompt)!;
    await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenario));
    const last = gemini.requests.at(-1)!;
    expect(last.prompt).toContain(scenario.extraPrompt);
    expect(last.prompt).toContain('<operator-note>');
  });

  it('never sends a secret from the logs to the model', async () => {
    const scenario = scenarios.find((s) => s.id === 'secrets-in-logs')!;
    const before = gemini.requests.length;
    await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenario));
    const prompts = gemini.requests
      .slice(before)
      .map((r) => r.prompt)
      .join('\n');
    expect(prompts.length).toBeGreaterThan(0);
    for (const secret of Object.values(plantedSecrets)) expect(prompts).not.toContain(secret);
  });
});

describe('a model that always says "promote"', () => {
  let gemini: FakeGemini;
  let service: ServiceProcess;
  beforeAll(async () => {
    gemini = await startFakeGemini({ responder: responders.alwaysPromote });
    service = await startServiceProcess({
      ...kube.env,
      GOOGLE_API_KEY: 'fake-key-for-tests',
      GEMINI_BASE_URL: gemini.url,
    });
  });
  afterAll(async () => {
    await service.stop();
    await gemini.close();
  });

  it.each(scenarios.filter((s) => s.expected.hardFailure).map((s) => [s.id, s] as const))(
    'never promotes %s (hard failure)',
    async (_id, scenario) => {
      const { json } = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenario));
      expect(json.promote).toBe(false);
      expect(json.decidedBy).toBe('evidence-over-model');
    },
  );
});
