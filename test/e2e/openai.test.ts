/**
 * Black-box: the built service with LLM_PROVIDER=openai against the fake OpenAI-compatible server, on a server that
 * supports JSON schema, one with tool calling only and one with no structured output at all; budgets (context,
 * output limit, 429 with Retry-After, token and cost counters); and several models at once (LLM_MODELS) with one
 * failing and with two that disagree. Every model call must finish in a few seconds against the fake (the tokenizer
 * download of @langchain/openai's streaming path would take minutes where its host is unreachable): each service
 * runs with LLM_TIMEOUT_MS=5000 and ON_MODEL_UNAVAILABLE=error, so a slow call is a 503 and the test fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pluginRequestBody,
  responders,
  scenarioById,
  startFakeGemini,
  startFakeOpenAi,
  type FakeGemini,
  type FakeOpenAi,
  type OpenAiCapabilities,
  type OpenAiResponder,
} from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { metricSum, postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

/** The plugin's ModelAnalysisResult: Go field names and JSON types (confidence int, executionTimeMs int64). */
const MODEL_RESULT_FIELDS: Record<string, 'string' | 'boolean' | 'integer'> = {
  modelName: 'string',
  analysis: 'string',
  rootCause: 'string',
  remediation: 'string',
  promote: 'boolean',
  confidence: 'integer',
  executionTimeMs: 'integer',
  error: 'string',
};

function expectPluginModelResults(value: unknown, count: number): Array<Record<string, unknown>> {
  expect(Array.isArray(value)).toBe(true);
  const entries = value as Array<Record<string, unknown>>;
  expect(entries).toHaveLength(count);
  for (const entry of entries) {
    expect(Object.keys(entry).sort()).toEqual(Object.keys(MODEL_RESULT_FIELDS).sort());
    for (const [field, type] of Object.entries(MODEL_RESULT_FIELDS)) {
      const v = entry[field];
      if (type === 'integer') expect(Number.isInteger(v), `${field} is an integer`).toBe(true);
      else expect(typeof v, field).toBe(type);
    }
    expect(entry.confidence as number).toBeGreaterThanOrEqual(0);
    expect(entry.confidence as number).toBeLessThanOrEqual(100);
  }
  return entries;
}

const healthy = () => pluginRequestBody(scenarioById('healthy')!);
const panicking = () => pluginRequestBody(scenarioById('go-panic')!);

let kube: KubeFixture;
beforeAll(async () => {
  kube = await startKubeFixture();
});
afterAll(async () => {
  await kube.close();
});

async function openAiService(
  capabilities: OpenAiCapabilities,
  env: Record<string, string>,
  responder: OpenAiResponder = responders.heuristic,
): Promise<{ fake: FakeOpenAi; service: ServiceProcess }> {
  const fake = await startFakeOpenAi({ responder, capabilities, apiKey: 'sk-fake-for-blackbox' });
  const service = await startServiceProcess({
    ...kube.env,
    LLM_PROVIDER: 'openai',
    OPENAI_BASE_URL: fake.url,
    OPENAI_API_KEY: 'sk-fake-for-blackbox',
    OPENAI_MODEL: 'qwen3-8b',
    LLM_TIMEOUT_MS: '5000',
    ON_MODEL_UNAVAILABLE: 'error',
    ...env,
  });
  return { fake, service };
}

describe.each([
  ['JSON schema', 'json_schema', { jsonSchema: true, tools: false, jsonMode: false }, 'json_schema'],
  ['tools only', 'tools', { jsonSchema: false, tools: true, jsonMode: false }, 'tools'],
  ['no structured output', 'text', { jsonSchema: false, tools: false, jsonMode: false }, 'text'],
] as const)('LLM_PROVIDER=openai on a server with %s', (_name, setting, capabilities, mode) => {
  let fake: FakeOpenAi;
  let service: ServiceProcess;
  beforeAll(async () => {
    ({ fake, service } = await openAiService(capabilities, { OPENAI_STRUCTURED_OUTPUT: setting }));
  });
  afterAll(async () => {
    await service.stop();
    await fake.close();
  });

  it('the model answers in that mode; a crash is rejected, a healthy canary promoted, one modelResults entry', async () => {
    const before = fake.requests.length;
    const crash = await postJson(`${service.url}/a2a/analyze`, panicking());
    expect(crash.status).toBe(200);
    expect(crash.json.promote).toBe(false);
    const [result] = expectPluginModelResults(crash.json.modelResults, 1);
    expect(result).toMatchObject({ modelName: 'qwen3-8b', promote: false, error: '' });
    expect(crash.json).not.toHaveProperty('votingRationale');

    const ok = await postJson(`${service.url}/a2a/analyze`, healthy());
    expect(ok.status).toBe(200);
    expect(ok.json.promote).toBe(true);
    expect(ok.json.decidedBy).toBe('model');

    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(2);
    expect(sent.every((r) => r.mode === mode && !r.stream && r.model === 'qwen3-8b')).toBe(true);
    expect(sent.every((r) => r.authorization === 'Bearer sk-fake-for-blackbox')).toBe(true);
    expect(service.logs.join('\n')).not.toContain('sk-fake-for-blackbox');
  });
});

describe('budgets', () => {
  let fake: FakeOpenAi;
  let service: ServiceProcess;
  beforeAll(async () => {
    ({ fake, service } = await openAiService(
      {},
      {
        LLM_CONTEXT_TOKENS: '4096',
        LLM_MAX_OUTPUT_TOKENS: '512',
        EVIDENCE_TOKEN_BUDGET: '20000',
        LLM_PRICES: '{"qwen3-8b": {"input": 100, "output": 400}}',
      },
    ));
  });
  afterAll(async () => {
    await service.stop();
    await fake.close();
  });

  it('the evidence fits the context window, the answer has its output limit, tokens and cost are counted', async () => {
    const before = fake.requests.length;
    const crash = await postJson(`${service.url}/a2a/analyze`, panicking());
    expect(crash.status).toBe(200);
    const sent = fake.requests[before];
    expect(sent?.maxTokens).toBe(512);
    // 4096 − 2 × 512 − 1000 = 2072 tokens of evidence, ~4 characters each, plus the question around it.
    expect(sent?.prompt.length).toBeLessThan(2072 * 4 + 1500);
    expect(await metricSum(service.url, 'aiops_agent_model_tokens_total')).toBeGreaterThan(0);
    expect(await metricSum(service.url, 'aiops_agent_model_cost_usd_total')).toBeGreaterThan(0);
  });

  it('an answer cut off by the output limit is not read: with the repair cut off too, no verdict (503)', async () => {
    fake.setResponder(() => ({ json: { promote: true, confidence: 99 }, finishReason: 'length' }));
    const answer = await postJson(`${service.url}/a2a/analyze`, healthy());
    expect(answer.status).toBe(503);
    expect(answer.json).not.toHaveProperty('promote');
    expect(JSON.stringify(answer.json)).toMatch(/cut off/);
    fake.setResponder(responders.heuristic);
  });

  it('429 with Retry-After: the answer carries the wait, and calls within it never reach the provider', async () => {
    fake.setResponder(responders.status(429, 'Rate limit reached for requests', 120));
    const limited = await postJson(`${service.url}/a2a/analyze`, healthy());
    expect(limited.status).toBe(503);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(100);
    fake.setResponder(responders.heuristic);
    const seen = fake.requests.length;
    const held = await postJson(`${service.url}/a2a/analyze`, healthy());
    expect(held.status).toBe(503);
    expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(60);
    expect(fake.requests.length).toBe(seen);
  });
});

describe('LLM_MODELS: several models at once', () => {
  let gemini: FakeGemini;
  let fake: FakeOpenAi;
  let service: ServiceProcess;
  beforeAll(async () => {
    gemini = await startFakeGemini({ responder: responders.status(500) });
    fake = await startFakeOpenAi({
      // Two models on one server: "honest" reads the evidence, "contrarian" always rejects (citing whatever it sees).
      responder: (req) => (req.model === 'contrarian' ? responders.alwaysReject(req) : responders.heuristic(req)),
    });
    service = await startServiceProcess({
      ...kube.env,
      LLM_MODELS: 'gemini:gemini-2.5-flash,openai:honest',
      GOOGLE_API_KEY: 'fake-key-for-tests',
      GEMINI_BASE_URL: gemini.url,
      OPENAI_BASE_URL: fake.url,
      LLM_TIMEOUT_MS: '5000',
      ON_MODEL_UNAVAILABLE: 'error',
    });
  });
  afterAll(async () => {
    await service.stop();
    await gemini.close();
    await fake.close();
  });

  it('one model failing does not fail the analysis: one modelResults entry per model, the failure in its error', async () => {
    for (const [body, promote] of [
      [panicking(), false],
      [healthy(), true],
    ] as const) {
      const answer = await postJson(`${service.url}/a2a/analyze`, body);
      expect(answer.status).toBe(200);
      expect(answer.json.promote).toBe(promote);
      const [g, o] = expectPluginModelResults(answer.json.modelResults, 2);
      expect(g).toMatchObject({ modelName: 'gemini-2.5-flash', promote: false, confidence: 0 });
      expect(g?.error).toMatch(/500/);
      expect(o).toMatchObject({ modelName: 'honest', promote, error: '' });
      expect(answer.json.modelCount).toBe(2);
      expect(answer.json.votingRationale).toMatch(/2 models asked: gemini-2.5-flash gave no answer/);
    }
  });

  it('two models that disagree: the evidence decides; on a clean canary the disagreement lowers the confidence', async () => {
    gemini.setResponder(responders.heuristic);
    const disagreeing = await startServiceProcess({
      ...kube.env,
      LLM_MODELS: 'openai:honest,openai:contrarian',
      OPENAI_BASE_URL: fake.url,
      LLM_TIMEOUT_MS: '5000',
      ON_MODEL_UNAVAILABLE: 'error',
    });
    try {
      const crash = await postJson(`${disagreeing.url}/a2a/analyze`, panicking());
      expect(crash.json.promote).toBe(false);
      expectPluginModelResults(crash.json.modelResults, 2);

      const ok = await postJson(`${disagreeing.url}/a2a/analyze`, healthy());
      expect(ok.status).toBe(200);
      expect(ok.json.promote).toBe(true);
      expect(ok.json.confidence as number).toBeLessThanOrEqual(60);
      expect(ok.json.decidedBy).toBe('evidence-over-unfounded-veto');
      const [honest, contrarian] = expectPluginModelResults(ok.json.modelResults, 2);
      expect(honest).toMatchObject({ modelName: 'honest', promote: true });
      expect(contrarian).toMatchObject({ modelName: 'contrarian', promote: false });
      expect(ok.json.votingRationale).toMatch(/models disagree/);
      expect(ok.json.analysis).toMatch(/Disagreement:/);
    } finally {
      await disagreeing.stop();
    }
  });
});
