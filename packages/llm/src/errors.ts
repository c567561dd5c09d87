/**
 * Turning whatever the model clients (Gemini, OpenAI-compatible) throw into the typed errors of @aiops/contracts (aborts and timeouts are
 * callDependency's), with the API key removed, and with when to retry.
 */
import { DependencyError, upstreamFailure } from '@aiops/contracts';

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

/** A `Retry-After` header on an SDK error (the OpenAI client keeps the answer's Headers on `.headers`). */
function retryAfterHeader(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    const headers = (e as { headers?: unknown }).headers;
    if (headers instanceof Headers) {
      const value = headers.get('retry-after');
      if (value !== null) return value;
    } else if (typeof headers === 'object' && headers !== null) {
      const value = (headers as Record<string, unknown>)['retry-after'];
      if (typeof value === 'string') return value;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Seconds to wait: the answer's Retry-After header (OpenAI-compatible servers), or Gemini's google.rpc.RetryInfo
 * detail (`"retryDelay": "7s"`), if present.
 */
function retryAfterSeconds(err: unknown): number | string | undefined {
  const header = retryAfterHeader(err);
  if (header !== undefined) return header;
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

/** An upstream or network failure of the model call as DependencyError('llm', ...); `secrets` never appear in it. */
export function toLlmError(err: unknown, secrets: string[]): DependencyError {
  if (err instanceof DependencyError) return err;
  const cause = sanitizedCause(err, secrets);
  const status = upstreamStatus(err);
  const detail = clip(redact(messageOf(err), secrets), 500);
  if (status !== undefined && status >= 400)
    return upstreamFailure('llm', 'model call', { status, detail, retryAfter: retryAfterSeconds(err), cause });
  return new DependencyError('llm', `model call failed: ${detail}`, { cause });
}
