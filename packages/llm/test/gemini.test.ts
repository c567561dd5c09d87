/**
 * Integration: the real ChatGoogleGenerativeAI (through createGeminiModel) against the fake Gemini API server.
 */
import {
  CancelledError,
  DeadlineError,
  DependencyError,
  DiagnosisSchema,
  InvalidRequestError,
  type StructuredModel,
} from '@aiops/contracts';
import { createGeminiModel } from '@aiops/llm';
import { responders, startFakeGemini, type FakeGemini, type GeminiResponder } from '@aiops/testkit';
import { afterEach, describe, expect, it } from 'vitest';

const API_KEY = 'AIzaFAKE-test-key-0123456789';
const SYSTEM = 'You decide whether a canary can be promoted. Answer in the Diagnosis schema.';
const EVIDENCE = [
  'Evidence:',
  '- [f-panic] severity=critical side=canary-only hard=true :: panic: nil pointer dereference in handler.go:42',
  '- [f-slow] severity=warning side=canary hard=false :: slow request',
].join('\n');

let fake: FakeGemini | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(
  responder: GeminiResponder,
  timeoutMs = 10_000,
): Promise<{ server: FakeGemini; model: StructuredModel }> {
  fake = await startFakeGemini({ responder });
  return {
    server: fake,
    model: createGeminiModel({ apiKey: API_KEY, model: 'gemini-2.5-flash', baseUrl: fake.url, timeoutMs }),
  };
}

function diagnose(model: StructuredModel, signal: AbortSignal = new AbortController().signal) {
  return model.generate(
    { system: SYSTEM, prompt: EVIDENCE, schema: DiagnosisSchema, schemaName: 'Diagnosis' },
    { signal },
  );
}

/** Resolves when the fake has received a request; the responder then hangs it. */
function hangingResponder(): { responder: GeminiResponder; received: Promise<void> } {
  let markReceived: () => void = () => undefined;
  const received = new Promise<void>((resolve) => {
    markReceived = resolve;
  });
  return {
    responder: () => {
      markReceived();
      return { hang: true };
    },
    received,
  };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

describe('createGeminiModel', () => {
  it('returns the validated value, one attempt and the token usage', async () => {
    const { server, model } = await setup(responders.heuristic);
    expect(model.name).toBe('gemini-2.5-flash');
    const result = await diagnose(model);
    expect(result.attempts).toBe(1);
    expect(result.value).toMatchObject({ promote: false, evidenceIds: ['f-panic'] });
    expect(result.usage?.inputTokens).toBeGreaterThan(0);
    expect(result.usage?.outputTokens).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(1);
  });

  it('sends the response schema, the system prompt, the prompt and the API key header', async () => {
    const { server, model } = await setup(responders.alwaysPromote);
    await diagnose(model);
    const sent = server.requests[0];
    expect(sent?.model).toBe('gemini-2.5-flash');
    expect(sent?.apiKey).toBe(API_KEY);
    expect(sent?.system).toBe(SYSTEM);
    expect(sent?.prompt).toBe(EVIDENCE);
    expect(sent?.responseMimeType).toBe('application/json');
    expect(sent?.responseSchema).toMatchObject({
      type: 'object',
      properties: { promote: { type: 'boolean' }, confidence: { type: 'integer' }, evidenceIds: { type: 'array' } },
      required: expect.arrayContaining([
        'promote',
        'confidence',
        'analysis',
        'rootCause',
        'remediation',
        'evidenceIds',
      ]) as unknown,
    });
  });

  it('repairs an invalid answer once, sending the errors and the bad answer back', async () => {
    const { server, model } = await setup(responders.invalidThenValid(responders.heuristic));
    const result = await diagnose(model);
    expect(result.attempts).toBe(2);
    expect(result.value.promote).toBe(false);
    expect(server.requests).toHaveLength(2);
    const repair = server.requests[1];
    expect(repair?.turns.map((t) => t.role)).toEqual(['user', 'model', 'user']);
    expect(repair?.turns[1]?.text).toContain('"promote":"maybe"');
    expect(repair?.turns[2]?.text).toMatch(/promote/);
    expect(repair?.turns[2]?.text).toMatch(/Diagnosis/);
    expect(repair?.system).toBe(SYSTEM);
    expect(repair?.responseSchema).toBeDefined();
    // Usage covers both calls.
    const single = await diagnose(model);
    expect(result.usage?.inputTokens).toBeGreaterThan(single.usage?.inputTokens ?? Infinity);
  });

  it('an answer cut off by the output limit (MAX_TOKENS) is invalid even when it parses: repaired once', async () => {
    const valid = {
      promote: true,
      confidence: 90,
      analysis: 'fine',
      rootCause: 'none',
      remediation: 'none required',
      evidenceIds: [],
    };
    let calls = 0;
    const { server, model } = await setup(() => {
      calls += 1;
      return calls === 1
        ? { text: JSON.stringify(valid), finishReason: 'MAX_TOKENS' }
        : { json: { ...valid, confidence: 70 } };
    });
    const result = await diagnose(model);
    expect(result.attempts).toBe(2);
    expect(result.value.confidence).toBe(70);
    expect(server.requests[1]?.turns[2]?.text).toMatch(/cut off/);
  });

  it('fails with DependencyError after an invalid answer and an invalid repair', async () => {
    const invalid: GeminiResponder = () => ({ json: { promote: 'yes' } });
    const { server, model } = await setup(invalid);
    const err = await failure(diagnose(model));
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as DependencyError).dependency).toBe('llm');
    expect((err as Error).message).toMatch(/invalid structured output/);
    expect(server.requests).toHaveLength(2);
  });

  it('fails with DependencyError on garbage that is not JSON', async () => {
    const { server, model } = await setup(responders.garbage);
    const err = await failure(diagnose(model));
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as Error).message).toMatch(/invalid structured output: the answer is not valid JSON/);
    expect(server.requests).toHaveLength(2);
  });

  it('accepts JSON wrapped in a code fence', async () => {
    const { model } = await setup(() => ({
      text: '```json\n{"promote":true,"confidence":70,"analysis":"fine","rootCause":"none","remediation":"none required","evidenceIds":[]}\n```',
    }));
    expect((await diagnose(model)).value.confidence).toBe(70);
  });

  it('maps 429 to a rate-limit DependencyError with Retry-After, without retrying', async () => {
    const { server, model } = await setup(responders.status(429, undefined, 12));
    const err = await failure(diagnose(model));
    expect(err).toBeInstanceOf(DependencyError);
    expect(err).toMatchObject({ dependency: 'llm', upstreamStatus: 429, retryAfterSeconds: 12 });
    expect((err as Error).message).toMatch(/rate limited/);
    expect(server.requests).toHaveLength(1);
  });

  it.each([500, 503])('maps %i to a DependencyError with the upstream status, without retrying', async (status) => {
    const { server, model } = await setup(responders.status(status));
    const err = await failure(diagnose(model));
    expect(err).toBeInstanceOf(DependencyError);
    expect(err).toMatchObject({ dependency: 'llm', upstreamStatus: status });
    expect(server.requests).toHaveLength(1);
  });

  it('maps a connection failure to a DependencyError', async () => {
    const closed = await startFakeGemini();
    const url = closed.url;
    await closed.close();
    const model = createGeminiModel({ apiKey: API_KEY, model: 'gemini-2.5-flash', baseUrl: url, timeoutMs: 10_000 });
    const err = await failure(diagnose(model));
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as Error).message).toMatch(/^llm: model call failed/);
  });

  it('surfaces an abort by the caller as a CancelledError, and closes the HTTP request', async () => {
    const { responder, received } = hangingResponder();
    const { server, model } = await setup(responder);
    const controller = new AbortController();
    const pending = failure(diagnose(model, controller.signal));
    await received;
    controller.abort();
    expect(await pending).toBeInstanceOf(CancelledError);
    await expect.poll(() => server.openRequests).toBe(0);
  });

  it("keeps a deadline's reason when the caller's deadline aborts the call", async () => {
    const { responder, received } = hangingResponder();
    const { model } = await setup(responder);
    const controller = new AbortController();
    const reason = new DeadlineError();
    const pending = failure(diagnose(model, controller.signal));
    await received;
    controller.abort(reason);
    expect(await pending).toBe(reason);
  });

  it('does not call the API when the signal is already aborted', async () => {
    const { server, model } = await setup(responders.heuristic);
    expect(await failure(diagnose(model, AbortSignal.abort()))).toBeInstanceOf(CancelledError);
    expect(server.requests).toHaveLength(0);
  });

  it('turns its own timeout into a DependencyError and closes the HTTP request', async () => {
    const { server, model } = await setup(responders.hang, 150);
    const err = await failure(diagnose(model));
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as Error).message).toMatch(/within 150 ms/);
    await expect.poll(() => server.openRequests).toBe(0);
  });

  it('never puts the API key in an error, even when the upstream echoes it', async () => {
    const { model } = await setup(
      responders.status(400, `API key not valid: ${API_KEY}. Please pass a valid API key.`),
    );
    const err = await failure(diagnose(model));
    expect(err).toMatchObject({ upstreamStatus: 400 });
    const cause = (err as Error).cause as Error;
    const rendered = [
      (err as Error).message,
      (err as Error).stack ?? '',
      cause.message,
      cause.stack ?? '',
      JSON.stringify(err),
    ].join('\n');
    expect(rendered).not.toContain(API_KEY);
    expect((err as Error).message).toContain('[redacted]');
    expect(JSON.stringify(model)).not.toContain(API_KEY);
  });

  it('rejects missing options with InvalidRequestError', () => {
    expect(() => createGeminiModel({ apiKey: '', model: 'gemini-2.5-flash', timeoutMs: 1000 })).toThrow(
      InvalidRequestError,
    );
    expect(() => createGeminiModel({ apiKey: 'k', model: '', timeoutMs: 1000 })).toThrow(InvalidRequestError);
    expect(() => createGeminiModel({ apiKey: 'k', model: 'm', timeoutMs: 0 })).toThrow(InvalidRequestError);
  });
});

describe('createGeminiModel on a broken stream', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  it.each([
    ['a 200 with an HTML page', 'html'],
    ['a 200 with an empty body', 'empty'],
    ['a stream cut mid-chunk', 'cut'],
    ['a connection reset mid-stream', 'reset'],
    ['half an answer, cleanly ended', 'half-json'],
    ['a 200 whose body is not JSON', 'garbage'],
    ['a stall between chunks', 'stall'],
    ['an answer of 10 MB', 'huge'],
  ] as const)('%s is a DependencyError of this call, and nothing is left unhandled or open', async (_name, kind) => {
    process.on('unhandledRejection', onUnhandled);
    try {
      const { server, model } = await setup(responders.heuristic, 2000);
      server.faults.inject({ kind });
      const err = await failure(diagnose(model));
      expect(err).toBeInstanceOf(DependencyError);
      expect(err).toMatchObject({ dependency: 'llm' });
      await expect.poll(() => server.openRequests).toBe(0);
      // An unhandled rejection is reported after the microtasks of the turn that dropped it.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a wrong content type over a valid stream is still read (the body is what counts)', async () => {
    const { server, model } = await setup(responders.heuristic);
    server.faults.inject({ kind: 'wrong-content-type' });
    const result = await diagnose(model);
    expect(result.value.promote).toBe(false);
  });
});
