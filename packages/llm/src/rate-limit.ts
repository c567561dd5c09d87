/**
 * A per-provider rate limit shared by every analysis of the process: requests per minute and tokens per minute
 * (both smooth token buckets), and a pause for everyone when the provider answers 429 with Retry-After.
 *
 * Library: `bottleneck` (reservoirs with weighted jobs and periodic refill; one limiter per provider; its Redis
 * datastore can share the limit between replicas later). `p-limit` bounds concurrency only, not a rate; `limiter`
 * has no weighted queue with an abortable wait.
 */
import Bottleneck from 'bottleneck';
import { DependencyError, abortReason, upstreamFailure } from '@aiops/contracts';

export interface RateLimitSettings {
  /** 0: no limit. */
  requestsPerMinute: number;
  /** 0: no limit. */
  tokensPerMinute: number;
  /**
   * Longest Retry-After a call waits out (then a rate-limited call is retried once). Default 0: while the provider
   * asked to wait, calls fail at once with the remaining Retry-After and reach nothing (Argo measures again).
   */
  maxRetryWaitMs?: number;
}

export interface ProviderLimiter {
  /**
   * Runs one model call when the provider's budget allows it, waiting (abortably) for its turn. On a 429 every
   * call to the provider waits out the Retry-After, and this one is retried once when the wait is short enough.
   */
  run<T>(estimatedTokens: number, signal: AbortSignal, call: () => Promise<T>): Promise<T>;
  /** Epoch ms until which calls are held after a 429 (0 when not paused). */
  readonly pausedUntil: number;
  /** Calls waiting for their turn now (not those in flight). */
  readonly queued: number;
  /** What is left of this minute's budgets (undefined: no limit). */
  remaining(): Promise<{ requests?: number; tokens?: number }>;
  stop(): Promise<void>;
}

function bucket(perMinute: number, refillEveryMs: number): Bottleneck {
  const amount = Math.max(1, Math.round((perMinute * refillEveryMs) / 60_000));
  return new Bottleneck({
    reservoir: perMinute,
    reservoirIncreaseAmount: amount,
    reservoirIncreaseInterval: refillEveryMs,
    reservoirIncreaseMaximum: perMinute,
  });
}

/** Resolves after `ms`, or rejects with the caller's typed reason when `signal` aborts first. */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortReason(signal, 'the model call'));
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal, 'the model call'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Races a queued job against the caller's abort; a job that starts after the abort does nothing. */
function abortable<T>(queued: Promise<T>, signal: AbortSignal): Promise<T> {
  queued.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal, 'the model call'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    queued.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export function createProviderLimiter(settings: RateLimitSettings, now: () => number = Date.now): ProviderLimiter {
  const requests =
    settings.requestsPerMinute > 0
      ? bucket(settings.requestsPerMinute, Math.max(50, Math.floor(60_000 / settings.requestsPerMinute)))
      : undefined;
  const tokens = settings.tokensPerMinute > 0 ? bucket(settings.tokensPerMinute, 1000) : undefined;
  const maxRetryWaitMs = settings.maxRetryWaitMs ?? 0;
  let pausedUntil = 0;
  let queued = 0;

  async function once<T>(estimatedTokens: number, signal: AbortSignal, call: () => Promise<T>): Promise<T> {
    const held = pausedUntil - now();
    if (held > maxRetryWaitMs) {
      throw upstreamFailure('llm', 'model call', {
        status: 429,
        detail: 'held back: the provider asked to wait (Retry-After) after an earlier call',
        retryAfter: Math.ceil(held / 1000),
      });
    }
    await wait(held, signal);
    // `queued` counts calls waiting for their turn, not calls in flight.
    let waiting = true;
    const started = () => {
      if (waiting) queued -= 1;
      waiting = false;
    };
    const guarded = () => {
      started();
      return signal.aborted ? Promise.reject(abortReason(signal, 'the model call')) : call();
    };
    const weight = Math.max(1, Math.min(Math.ceil(estimatedTokens), settings.tokensPerMinute));
    const withTokens = tokens ? () => tokens.schedule({ weight }, guarded) : guarded;
    queued += 1;
    const job = requests ? requests.schedule(withTokens) : withTokens();
    try {
      return await abortable(job, signal);
    } finally {
      started();
    }
  }

  return {
    get pausedUntil() {
      return pausedUntil > now() ? pausedUntil : 0;
    },
    get queued() {
      return queued;
    },
    async remaining() {
      const [r, t] = await Promise.all([requests?.currentReservoir(), tokens?.currentReservoir()]);
      return {
        ...(typeof r === 'number' ? { requests: r } : {}),
        ...(typeof t === 'number' ? { tokens: t } : {}),
      };
    },
    async run(estimatedTokens, signal, call) {
      try {
        return await once(estimatedTokens, signal, call);
      } catch (err) {
        if (
          !(err instanceof DependencyError) ||
          err.upstreamStatus !== 429 ||
          err.upstreamRetryAfterSeconds === undefined
        )
          throw err;
        // Everyone waits out the provider's Retry-After, not just this call.
        const waitMs = err.upstreamRetryAfterSeconds * 1000;
        pausedUntil = Math.max(pausedUntil, now() + waitMs);
        if (waitMs > maxRetryWaitMs) throw err;
        return once(estimatedTokens, signal, call);
      }
    },
    async stop() {
      await Promise.all([requests?.disconnect(false), tokens?.disconnect(false)]);
    },
  };
}

/** A limiter that never waits (no limits configured and no 429 seen yet still honours Retry-After). */
export function unlimited(): ProviderLimiter {
  return createProviderLimiter({ requestsPerMinute: 0, tokensPerMinute: 0 });
}

/** Tokens a call will use at most: its text at ~4 characters per token, plus the answer's limit. */
export function estimateCallTokens(texts: string[], maxOutputTokens: number | undefined): number {
  return Math.ceil(texts.reduce((n, t) => n + t.length, 0) / 4) + (maxOutputTokens ?? 1024);
}
