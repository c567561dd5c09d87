/**
 * Integration: the real @langchain/openai client (through createOpenAiModel) against the fake OpenAI-compatible
 * server, in each structured-output mode a server may support.
 */
import { DependencyError, DiagnosisSchema, type StructuredModel } from '@aiops/contracts';
import { createOpenAiModel, type StructuredOutputMode } from '@aiops/llm';
import {
  responders,
  startFakeOpenAi,
  watchOutbound,
  type FakeOpenAi,
  type OpenAiCapabilities,
  type OpenAiResponder,
} from '@aiops/testkit';
import { afterEach, describe, expect, it } from 'vitest';

const API_KEY = 'sk-fake-openai-test-key-0123456789';
const SYSTEM = 'You decide whether a canary can be promoted. Answer in the Diagnosis schema.';
const EVIDENCE = [
  'Evidence:',
  '- [f-panic] severity=critical side=canary-only hard=true :: panic: nil pointer dereference in handler.go:42',
  '- [f-slow] severity=warning side=canary hard=false :: slow request',
].join('\n');

let fake: FakeOpenAi | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(
  responder: OpenAiResponder,
  options: {
    mode?: StructuredOutputMode;
    capabilities?: OpenAiCapabilities;
    maxOutputTokens?: number;
    apiKey?: string;
    timeoutMs?: number;
  } = {},
): Promise<{ server: FakeOpenAi; model: StructuredModel }> {
  fake = await startFakeOpenAi({
    responder,
    ...(options.capabilities ? { capabilities: options.capabilities } : {}),
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
  });
  return {
    server: fake,
    model: createOpenAiModel({
      model: 'qwen3-8b',
      baseUrl: fake.url,
      timeoutMs: options.timeoutMs ?? 10_000,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      ...(options.mode ? { structuredOutput: options.mode } : {}),
      ...(options.maxOutputTokens ? { maxOutputTokens: options.maxOutputTokens } : {}),
    }),
  };
}

function diagnose(model: StructuredModel, signal: AbortSignal = new AbortController().signal) {
  return model.generate(
    { system: SYSTEM, prompt: EVIDENCE, schema: DiagnosisSchema, schemaName: 'Diagnosis' },
    { signal },
  );
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

const NONE: OpenAiCapabilities = { jsonSchema: false, tools: false, jsonMode: false };

describe('createOpenAiModel: structured output by what the server supports', () => {
  it('json_schema: sends response_format with the schema and returns the validated value with usage', async () => {
    const { server, model } = await setup(responders.heuristic, { mode: 'json_schema', apiKey: API_KEY });
    const result = await diagnose(model);
    expect(result.attempts).toBe(1);
    expect(result.value).toMatchObject({ promote: false, evidenceIds: ['f-panic'] });
    expect(result.usage?.inputTokens).toBeGreaterThan(0);
    expect(result.usage?.outputTokens).toBeGreaterThan(0);
    const sent = server.requests[0];
    expect(sent?.mode).toBe('json_schema');
    expect(sent?.stream).toBe(false);
    expect(sent?.authorization).toBe(`Bearer ${API_KEY}`);
    expect(sent?.system).toBe(SYSTEM);
    expect(sent?.prompt).toBe(EVIDENCE);
    expect(sent?.body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'Diagnosis', schema: { type: 'object', properties: { promote: { type: 'boolean' } } } },
    });
  });

  it('tools only: one forced function call whose arguments are the answer', async () => {
    const { server, model } = await setup(responders.heuristic, {
      mode: 'tools',
      capabilities: { jsonSchema: false, jsonMode: false },
    });
    const result = await diagnose(model);
    expect(result.value).toMatchObject({ promote: false, evidenceIds: ['f-panic'] });
    const sent = server.requests[0];
    expect(sent?.mode).toBe('tools');
    expect(sent?.body.tool_choice).toMatchObject({ type: 'function', function: { name: 'Diagnosis' } });
  });

  it('json_mode: response_format json_object, the schema in the instructions', async () => {
    const { server, model } = await setup(responders.heuristic, {
      mode: 'json_mode',
      capabilities: { jsonSchema: false, tools: false },
    });
    const result = await diagnose(model);
    expect(result.value.promote).toBe(false);
    expect(server.requests[0]?.mode).toBe('json_object');
    expect(server.requests[0]?.system).toContain('"evidenceIds"');
  });

  it('no structured output at all: plain text parsed and validated, the schema in the instructions', async () => {
    const { server, model } = await setup(responders.heuristic, { mode: 'text', capabilities: NONE });
    const result = await diagnose(model);
    expect(result.value).toMatchObject({ promote: false });
    expect(server.requests[0]?.mode).toBe('text');
    expect(server.requests[0]?.system).toContain('JSON schema');
  });

  it('a mode the server lacks is a typed llm failure naming the 400, not a verdict', async () => {
    const { model } = await setup(responders.heuristic, { mode: 'json_schema', capabilities: NONE });
    const err = await failure(diagnose(model));
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as Error).message).toMatch(/HTTP 400/);
  });

  it('text mode: repairs an invalid answer once, sending the bad answer back', async () => {
    const { server, model } = await setup(responders.invalidThenValid(responders.heuristic), {
      mode: 'text',
      capabilities: NONE,
    });
    const result = await diagnose(model);
    expect(result.attempts).toBe(2);
    expect(server.requests[1]?.turns.map((t) => t.role)).toEqual(['user', 'assistant', 'user']);
    expect(server.requests[1]?.turns[1]?.text).toContain('"promote":"maybe"');
  });

  it('garbage twice is a DependencyError after two attempts', async () => {
    const { server, model } = await setup(responders.garbage, { mode: 'text', capabilities: NONE });
    const err = await failure(diagnose(model));
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as Error).message).toMatch(/invalid structured output/);
    expect(server.requests).toHaveLength(2);
  });
});

describe('createOpenAiModel: budgets', () => {
  it('sends the output-token limit; an answer cut off by it is invalid even when it parses', async () => {
    const valid = {
      promote: true,
      confidence: 90,
      analysis: 'fine',
      rootCause: 'none',
      remediation: 'none required',
      evidenceIds: [],
    };
    let calls = 0;
    const cutThenValid: OpenAiResponder = () => {
      calls += 1;
      return calls === 1 ? { json: valid, finishReason: 'length' } : { json: { ...valid, confidence: 70 } };
    };
    const { server, model } = await setup(cutThenValid, { maxOutputTokens: 512 });
    const result = await diagnose(model);
    expect(server.requests[0]?.maxTokens).toBe(512);
    expect(result.attempts).toBe(2);
    expect(result.value.confidence).toBe(70);
    expect(server.requests[1]?.turns[2]?.text).toMatch(/cut off at the limit of 512 tokens/);
  });

  it('cut off twice: a DependencyError, never the half answer', async () => {
    const { model } = await setup(() => ({ text: '{"promote": true, "confid', finishReason: 'length' }));
    const err = await failure(diagnose(model));
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as Error).message).toMatch(/cut off/);
  });

  it('reports the tokens of every answer, invalid ones included', async () => {
    fake = await startFakeOpenAi({ responder: responders.garbage });
    const seen: number[] = [];
    const model = createOpenAiModel({
      model: 'qwen3-8b',
      baseUrl: fake.url,
      timeoutMs: 5000,
      structuredOutput: 'text',
      onUsage: (u) => seen.push(u.inputTokens + u.outputTokens),
    });
    await failure(diagnose(model));
    expect(seen).toHaveLength(2);
    expect(seen.every((n) => n > 0)).toBe(true);
  });

  it('429 carries the Retry-After of the answer', async () => {
    const { model } = await setup(responders.status(429, 'Rate limit reached', 17));
    const err = await failure(diagnose(model));
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as DependencyError).upstreamStatus).toBe(429);
    expect((err as DependencyError).retryAfterSeconds).toBe(17);
  });

  it('the API key never appears in an error', async () => {
    const { model } = await setup(responders.heuristic, { apiKey: 'sk-right-key' });
    // A model configured with a wrong key gets a 401 whose message must not carry the key.
    const wrong = createOpenAiModel({ model: 'qwen3-8b', baseUrl: fake!.url, apiKey: API_KEY, timeoutMs: 5000 });
    const err = await failure(diagnose(wrong));
    expect(err).toBeInstanceOf(DependencyError);
    expect(JSON.stringify({ m: (err as Error).message, c: String((err as Error).cause) })).not.toContain(API_KEY);
    await expect(diagnose(model)).resolves.toBeDefined();
  });

  it('an abort ends a hung call at once with the caller reason', async () => {
    const { server, model } = await setup(responders.hang);
    const controller = new AbortController();
    const pending = diagnose(model, controller.signal);
    await expect.poll(() => server.openRequests).toBe(1);
    controller.abort();
    await expect(pending).rejects.toThrow(/cancelled/);
    await expect.poll(() => server.openRequests).toBe(0);
  });
});

describe('createOpenAiModel: air-gapped', () => {
  // No tokenizer download, no other host: the fake sees every request, and the call completes well inside the
  // test's timeout (the tokenizer path takes ~3 minutes where its host is unreachable).
  it.each(['json_schema', 'tools', 'json_mode', 'text'] as const)(
    '%s: reaches nothing but the configured endpoint',
    { timeout: 8000 },
    async (mode) => {
      const watch = watchOutbound();
      try {
        const { server, model } = await setup(responders.invalidThenValid(responders.heuristic), { mode });
        const result = await diagnose(model);
        expect(result.attempts).toBe(2);
        expect(server.requests).toHaveLength(2);
        expect(watch.targets.length).toBeGreaterThan(0);
        expect(watch.offLoopback()).toEqual([]);
      } finally {
        watch.stop();
      }
    },
  );
});
