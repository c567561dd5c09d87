/**
 * The per-provider rate limit, through the real OpenAI client against the fake server: requests and tokens per
 * minute shared by every call, and a 429's Retry-After honoured for every call to the provider.
 */
import { DependencyError, DiagnosisSchema, type StructuredModel } from '@aiops/contracts';
import { createOpenAiModel, createProviderLimiter, type ProviderLimiter } from '@aiops/llm';
import { responders, startFakeOpenAi, type FakeOpenAi } from '@aiops/testkit';
import { afterEach, describe, expect, it } from 'vitest';

let fake: FakeOpenAi | undefined;
let limiter: ProviderLimiter | undefined;
afterEach(async () => {
  await fake?.close();
  await limiter?.stop();
  fake = undefined;
  limiter = undefined;
});

async function setup(settings: Parameters<typeof createProviderLimiter>[0]) {
  fake = await startFakeOpenAi({ responder: responders.heuristic });
  limiter = createProviderLimiter(settings);
  const model = (name: string): StructuredModel =>
    createOpenAiModel({ model: name, baseUrl: fake!.url, timeoutMs: 10_000, limiter: limiter!, maxOutputTokens: 256 });
  return { server: fake, limiter, model };
}

function diagnose(model: StructuredModel, signal: AbortSignal = new AbortController().signal) {
  return model.generate(
    { system: 'judge', prompt: 'no evidence', schema: DiagnosisSchema, schemaName: 'Diagnosis' },
    { signal },
  );
}

describe('createProviderLimiter', () => {
  it('requests per minute are shared by every model of the provider; a waiting call can be aborted', async () => {
    const { server, limiter, model } = await setup({ requestsPerMinute: 2, tokensPerMinute: 0 });
    await Promise.all([diagnose(model('a')), diagnose(model('b'))]);
    expect(server.requests).toHaveLength(2);
    expect((await limiter.remaining()).requests).toBe(0);
    const controller = new AbortController();
    const third = diagnose(model('c'), controller.signal);
    await expect.poll(() => limiter.queued).toBe(1);
    expect(server.requests).toHaveLength(2);
    controller.abort();
    await expect(third).rejects.toThrow(/cancelled/);
    expect(server.requests).toHaveLength(2);
  });

  it('tokens per minute: a call that would exceed the budget waits', async () => {
    // Each call is estimated at its text plus the 256-token answer limit: the second does not fit in 400.
    const { server, limiter, model } = await setup({ requestsPerMinute: 0, tokensPerMinute: 400 });
    await diagnose(model('a'));
    // The first call took its estimate (text + answer limit) out of the minute's tokens.
    expect((await limiter.remaining()).tokens).toBeLessThanOrEqual(400 - 256);
    const controller = new AbortController();
    const second = diagnose(model('a'), controller.signal);
    await expect.poll(() => limiter.queued).toBe(1);
    expect(server.requests).toHaveLength(1);
    controller.abort();
    await expect(second).rejects.toThrow(/cancelled/);
  });

  it('429 with Retry-After: every call is held until then and fails at once without reaching the provider', async () => {
    const { server, limiter, model } = await setup({ requestsPerMinute: 0, tokensPerMinute: 0 });
    server.setResponder(responders.status(429, 'Rate limit reached', 30));
    const first = await diagnose(model('a')).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(DependencyError);
    expect((first as DependencyError).retryAfterSeconds).toBe(30);
    expect(limiter.pausedUntil).toBeGreaterThan(Date.now());
    server.setResponder(responders.heuristic);
    const held = await diagnose(model('b')).catch((e: unknown) => e);
    expect(held).toBeInstanceOf(DependencyError);
    expect((held as DependencyError).upstreamStatus).toBe(429);
    expect((held as DependencyError).retryAfterSeconds).toBeGreaterThan(25);
    expect(server.requests).toHaveLength(1);
  });

  it('a short Retry-After is waited out and the call retried once', async () => {
    const { server, model } = await setup({ requestsPerMinute: 0, tokensPerMinute: 0, maxRetryWaitMs: 5000 });
    let calls = 0;
    server.setResponder((req) => {
      calls += 1;
      return calls === 1 ? { status: 429, retryAfterSeconds: 1 } : responders.heuristic(req);
    });
    const result = await diagnose(model('a'));
    expect(result.value.promote).toBe(true);
    expect(server.requests).toHaveLength(2);
  });
});
