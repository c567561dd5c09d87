/**
 * The one way an adapter calls its dependency (Kubernetes, Prometheus, the model, GitHub): under the caller's
 * signal and the adapter's own timeout, with every failure turned into a typed AgentError whose reason survives.
 *
 * Like LangGraph's `combineAbortSignals` (pregel/utils) the two signals are combined but kept apart, so the
 * outcome says which one fired: the caller's reason wins (a DeadlineError stays a DeadlineError, any other abort
 * is a CancelledError), our timeout is a DependencyError naming the dependency and the timeout, and the work is
 * raced against the combined signal so an SDK that ignores its signal cannot outlive it.
 */
import { AgentError, CancelledError, DependencyError, type Dependency } from './errors.js';

export interface DependencyCall {
  dependency: Dependency;
  /** What the call does, for messages: "list pods in shop". */
  what: string;
  /** The caller's signal (a deadline, a client that went away). */
  signal: AbortSignal;
  /** Upper bound of this call, retries included. */
  timeoutMs: number;
  /**
   * Maps a failure that is not an abort to a typed error; `upstreamFailure` builds the usual one.
   * Default: an AgentError thrown by the work passes unchanged, anything else is a DependencyError.
   */
  translate?: (err: unknown) => AgentError;
}

/** The error that stands for the caller's abort: its own AgentError reason when it gave one, else a cancel. */
export function abortReason(signal: AbortSignal, what = 'the call'): AgentError {
  const reason: unknown = signal.reason;
  if (reason instanceof AgentError) return reason;
  return new CancelledError(`${what} was cancelled`);
}

/**
 * The controllers of the calls running under each caller signal. One listener per caller signal aborts them all:
 * `AbortSignal.any` (weak references the GC has to track, several times the CPU of the rest of this helper) showed
 * in CPU profiles of 200 analyses at once, and a listener per call would pile up on an analysis' signal (Node warns
 * past 10).
 */
const running = new WeakMap<AbortSignal, Set<AbortController>>();

/** Registers a call's controller under its caller's signal; the set it joined, to leave when the call ends. */
function follow(caller: AbortSignal, controller: AbortController): Set<AbortController> {
  let calls = running.get(caller);
  if (calls === undefined) {
    const created = new Set<AbortController>();
    caller.addEventListener('abort', () => created.forEach((c) => c.abort(caller.reason)), { once: true });
    running.set(caller, created);
    calls = created;
  }
  calls.add(controller);
  return calls;
}

/** Runs `work` with a signal that fires on the caller's abort or the timeout, and types whatever goes wrong. */
export async function callDependency<T>(call: DependencyCall, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const { dependency, what, signal: caller, timeoutMs } = call;
  if (caller.aborted) throw abortReason(caller, what);
  const controller = new AbortController();
  const signal = controller.signal;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, timeoutMs);
  timer.unref(); // like AbortSignal.timeout: a pending call's timer alone does not keep the process up
  const siblings = follow(caller, controller);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const result = work(signal);
  result.catch(() => {}); // the race reports the failure; this only keeps a late rejection from going unhandled
  try {
    return await Promise.race([result, aborted]);
  } catch (err) {
    if (caller.aborted) throw abortReason(caller, what);
    if (timedOut) throw new DependencyError(dependency, `${what}: no answer within ${timeoutMs} ms`, { cause: err });
    if (call.translate) throw call.translate(err);
    if (err instanceof AgentError) throw err;
    throw new DependencyError(dependency, `${what} failed: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  } finally {
    clearTimeout(timer);
    siblings.delete(controller);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/** Seconds from a Retry-After header: delta-seconds or an HTTP date. */
export function parseRetryAfter(
  value: string | number | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.max(1, Math.ceil(seconds)) : undefined;
  const at = Date.parse(String(value));
  return Number.isNaN(at) ? undefined : Math.max(1, Math.ceil((at - now) / 1000));
}

/**
 * The DependencyError of an HTTP answer that failed: the status, the upstream detail and its Retry-After.
 * `rateLimited` defaults to a 429 (GitHub also answers 403 when a rate limit is exhausted).
 */
export function upstreamFailure(
  dependency: Dependency,
  what: string,
  failure: {
    status: number;
    detail?: string;
    retryAfter?: string | number | null;
    rateLimited?: boolean;
    cause?: unknown;
  },
): DependencyError {
  const retryAfterSeconds = parseRetryAfter(failure.retryAfter);
  const detail = failure.detail ? `: ${failure.detail}` : '';
  const retry = retryAfterSeconds === undefined ? '' : `; retry after ${retryAfterSeconds} s`;
  const rateLimited = failure.rateLimited ?? failure.status === 429;
  const message = rateLimited
    ? `${what} was rate limited (HTTP ${failure.status})${detail}${retry}`
    : `${what} failed with HTTP ${failure.status}${detail}${retry}`;
  return new DependencyError(dependency, message, {
    upstreamStatus: failure.status,
    ...(failure.cause === undefined ? {} : { cause: failure.cause }),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds, upstreamRetryAfterSeconds: retryAfterSeconds }),
  });
}
