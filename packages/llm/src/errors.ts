/**
 * Turning whatever the Gemini client throws into the typed errors of @aiops/contracts, so callers can tell a
 * cancel (abort) from a failure (DependencyError) and know when to retry.
 */
import { DependencyError } from '@aiops/contracts';

interface CallSignals {
  /** The caller's signal: its abort is a cancel and is rethrown as such. */
  caller: AbortSignal;
  /** Our own per-call timeout. */
  timeout: AbortSignal;
  timeoutMs: number;
  /** Strings that must never appear in an error (the API key). */
  secrets: string[];
}

/** The error that tells the caller its own signal stopped the call. */
export function abortError(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new DOMException(typeof reason === 'string' ? reason : 'The operation was aborted', 'AbortError');
}

export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('[redacted]');
  return out;
}

function numberField(value: unknown, key: string): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'number' && Number.isFinite(field) ? field : undefined;
}

/** HTTP status of an SDK error: GoogleGenerativeAIFetchError has `.status`; wrappers may nest it. */
function upstreamStatus(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    const status = numberField(e, 'status') ?? numberField((e as { response?: unknown }).response, 'status');
    if (status !== undefined) return status;
    e = (e as { cause?: unknown }).cause;
  }
  const fromMessage = /\[(\d{3}) [^\]]*\]/.exec(err instanceof Error ? err.message : '')?.[1];
  return fromMessage === undefined ? undefined : Number(fromMessage);
}

/** Seconds from Gemini's google.rpc.RetryInfo detail (`"retryDelay": "7s"`), if present. */
function retryAfterSeconds(err: unknown): number | undefined {
  const details = (err as { errorDetails?: unknown } | null)?.errorDetails;
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    const delay = (detail as { retryDelay?: unknown } | null)?.retryDelay;
    const seconds = typeof delay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(delay)?.[1] : undefined;
    if (seconds !== undefined) return Math.max(1, Math.ceil(Number(seconds)));
  }
  return undefined;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A copy of the SDK error with secrets removed, kept as `cause` for operators. */
function sanitizedCause(err: unknown, secrets: string[]): Error {
  const copy = new Error(redact(messageOf(err), secrets));
  copy.name = err instanceof Error ? err.name : 'Error';
  return copy;
}

/**
 * The error a failed call stands for: the caller's abort as an abort, our timeout and every
 * upstream or network failure as DependencyError('llm', ...).
 */
export function toLlmError(err: unknown, signals: CallSignals): unknown {
  if (signals.caller.aborted) return abortError(signals.caller);
  const cause = sanitizedCause(err, signals.secrets);
  if (signals.timeout.aborted) {
    return new DependencyError('llm', `no answer from the model within ${signals.timeoutMs} ms`, { cause });
  }
  if (err instanceof DependencyError) return err;
  const status = upstreamStatus(err);
  const detail = clip(redact(messageOf(err), signals.secrets), 500);
  if (status === 429) {
    const retryAfter = retryAfterSeconds(err);
    return new DependencyError('llm', `rate limited by the model API (429)${retryAfter === undefined ? '' : `, retry after ${retryAfter} s`}`, {
      cause,
      upstreamStatus: 429,
      ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
    });
  }
  if (status !== undefined && status >= 400) {
    return new DependencyError('llm', `model API answered ${status}: ${detail}`, { cause, upstreamStatus: status });
  }
  return new DependencyError('llm', `model call failed: ${detail}`, { cause });
}
