import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  DeadlineError,
  DependencyError,
  callDependency,
  parseRetryAfter,
  upstreamFailure,
} from '@aiops/contracts';

/** Work that never settles on its own and ignores its signal, like an SDK queue that does not watch it. */
const never = (): Promise<never> => new Promise<never>(() => {});

describe('callDependency', () => {
  const call = (signal: AbortSignal, timeoutMs = 30_000) => ({
    dependency: 'prometheus' as const,
    what: 'query_range',
    signal,
    timeoutMs,
  });

  it('returns what the work returns, handing it a live signal', async () => {
    const value = await callDependency(call(new AbortController().signal), async (signal) =>
      signal.aborted ? 'aborted' : 'ok',
    );
    expect(value).toBe('ok');
  });

  it("keeps a deadline's DeadlineError even when the work ignores its signal", async () => {
    const controller = new AbortController();
    const pending = callDependency(call(controller.signal), never).catch((e: unknown) => e);
    const deadline = new DeadlineError();
    controller.abort(deadline);
    expect(await pending).toBe(deadline);
  });

  it("turns the caller's plain abort into a CancelledError naming the call, without starting the work", async () => {
    let started = false;
    const err = await callDependency(call(AbortSignal.abort()), async () => {
      started = true;
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as Error).message).toMatch(/query_range was cancelled/);
    expect(started).toBe(false);
  });

  it('turns its own timeout into a DependencyError naming the dependency and the timeout', async () => {
    const err = await callDependency(call(new AbortController().signal, 20), never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect(err).toMatchObject({ dependency: 'prometheus', message: 'prometheus: query_range: no answer within 20 ms' });
  });

  it("aborts the work's signal with the caller's reason when the caller aborts", async () => {
    const controller = new AbortController();
    let seen: unknown;
    const pending = callDependency(
      call(controller.signal),
      (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            seen = signal.reason;
            reject(new Error('stopped'));
          }),
        ),
    ).catch((e: unknown) => e);
    const deadline = new DeadlineError();
    controller.abort(deadline);
    expect(await pending).toBe(deadline);
    expect(seen).toBe(deadline);
  });

  it("aborts the work's signal when its own timeout passes", async () => {
    let seen: unknown;
    const err = await callDependency(
      call(new AbortController().signal, 20),
      (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            seen = signal.reason;
            reject(new Error('stopped'));
          }),
        ),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect(seen).toMatchObject({ name: 'TimeoutError' });
  });

  it("adds at most one listener to the caller's signal however many calls run under it, and aborts them all", async () => {
    const controller = new AbortController();
    const aborted: boolean[] = [];
    const calls = Array.from({ length: 20 }, () =>
      callDependency(
        call(controller.signal),
        (signal) =>
          new Promise((_, reject) =>
            signal.addEventListener('abort', () => {
              aborted.push(true);
              reject(new Error('stopped'));
            }),
          ),
      ).catch((e: unknown) => e),
    );
    expect(getEventListeners(controller.signal, 'abort').length).toBeLessThanOrEqual(1);
    controller.abort();
    for (const err of await Promise.all(calls)) expect(err).toBeInstanceOf(CancelledError);
    expect(aborted).toHaveLength(20);
  });

  it('passes typed errors through and wraps anything else as a DependencyError', async () => {
    const typed = upstreamFailure('prometheus', 'query_range', { status: 500 });
    expect(
      await callDependency(call(new AbortController().signal), () => Promise.reject(typed)).catch((e: unknown) => e),
    ).toBe(typed);
    const wrapped = await callDependency(call(new AbortController().signal), () =>
      Promise.reject(new Error('socket hang up')),
    ).catch((e: unknown) => e);
    expect(wrapped).toMatchObject({
      name: 'DependencyError',
      dependency: 'prometheus',
      message: 'prometheus: query_range failed: socket hang up',
    });
  });

  it('uses translate for failures that are not aborts', async () => {
    const err = await callDependency(
      { ...call(new AbortController().signal), translate: () => new DependencyError('prometheus', 'translated') },
      () => Promise.reject(new Error('x')),
    ).catch((e: unknown) => e);
    expect((err as Error).message).toBe('prometheus: translated');
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('7')).toBe(7);
    expect(parseRetryAfter(0.2)).toBe(1);
    expect(parseRetryAfter('Wed, 02 Dec 2026 14:00:30 GMT', Date.parse('Wed, 02 Dec 2026 14:00:00 GMT'))).toBe(30);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it("keeps a 429's Retry-After on the DependencyError", () => {
    const err = upstreamFailure('llm', 'model call', { status: 429, retryAfter: '12', detail: 'quota' });
    expect(err).toMatchObject({
      dependency: 'llm',
      upstreamStatus: 429,
      retryAfterSeconds: 12,
      message: 'llm: model call was rate limited (HTTP 429): quota; retry after 12 s',
    });
  });
});
