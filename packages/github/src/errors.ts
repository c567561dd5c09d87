import { CancelledError, DependencyError, type AgentError } from '@aiops/contracts';

interface HttpLikeError {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

function isHttpLikeError(err: unknown): err is HttpLikeError {
  return typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number';
}

/** Seconds until GitHub says we may try again (rate limits), when it says so. */
function retryAfterSeconds(headers: Record<string, string | number | undefined> | undefined): number | undefined {
  if (!headers) return undefined;
  const retryAfter = Number(headers['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter > 0) return Math.ceil(retryAfter);
  if (String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    if (Number.isFinite(reset)) return Math.max(1, Math.ceil(reset - Date.now() / 1000));
  }
  return undefined;
}

/**
 * One mapping from whatever Octokit threw to the typed errors: the caller's abort is a cancellation, our own
 * timeout and every HTTP/network failure are DependencyError('github') with the upstream status when there was one.
 * Messages carry GitHub's error text but never request headers (tokens).
 */
export function toGitHubError(err: unknown, what: string, context: { callerSignal: AbortSignal; timedOut: boolean; timeoutMs: number }): AgentError {
  if (context.callerSignal.aborted) return new CancelledError(`${what} was cancelled`);
  if (context.timedOut) return new DependencyError('github', `${what} timed out after ${context.timeoutMs} ms`, { cause: err });
  if (isHttpLikeError(err)) {
    const headers = err.response?.headers;
    const wait = retryAfterSeconds(headers);
    const rateLimited = wait !== undefined && (err.status === 403 || err.status === 429);
    // Octokit's message for a failed fetch is the network error; for an HTTP error it is GitHub's "message".
    const detail = err.message.split(' - https://docs.github.com')[0] ?? err.message;
    const message = rateLimited ? `${what} was rate limited (HTTP ${err.status}): ${detail}` : `${what} failed (HTTP ${err.status}): ${detail}`;
    return new DependencyError('github', message, { cause: err, upstreamStatus: err.status, ...(wait !== undefined ? { retryAfterSeconds: wait } : {}) });
  }
  return new DependencyError('github', `${what} failed: ${err instanceof Error ? err.message : 'unknown error'}`, { cause: err });
}
