import { DependencyError, upstreamFailure, type AgentError } from '@aiops/contracts';

interface HttpLikeError {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

function isHttpLikeError(err: unknown): err is HttpLikeError {
  return typeof err === 'object' && err !== null && typeof (err as { status?: unknown }).status === 'number';
}

/** GitHub's Retry-After, or for an exhausted primary rate limit the seconds until its reset. */
function retryAfter(headers: Record<string, string | number | undefined> | undefined): string | number | undefined {
  if (!headers) return undefined;
  if (headers['retry-after'] !== undefined) return headers['retry-after'];
  if (String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    if (Number.isFinite(reset)) return Math.max(1, Math.ceil(reset - Date.now() / 1000));
  }
  return undefined;
}

/**
 * What Octokit threw, as a typed error (aborts and timeouts are handled by callDependency before this):
 * DependencyError('github') with the upstream status and, for rate limits, when to retry.
 * Messages carry GitHub's error text but never request headers (tokens).
 */
export function toGitHubError(err: unknown, what: string): AgentError {
  if (isHttpLikeError(err)) {
    // Octokit's message for a failed fetch is the network error; for an HTTP error it is GitHub's "message".
    const detail = err.message.split(' - https://docs.github.com')[0] ?? err.message;
    const wait = retryAfter(err.response?.headers);
    // GitHub answers an exhausted rate limit with 403 as well as 429.
    const rateLimited = err.status === 429 || (err.status === 403 && wait !== undefined);
    return upstreamFailure('github', what, { status: err.status, detail, retryAfter: wait, rateLimited, cause: err });
  }
  return new DependencyError('github', `${what} failed: ${err instanceof Error ? err.message : 'unknown error'}`, {
    cause: err,
  });
}
