/**
 * TokenReviewer over the Kubernetes TokenReview API: verifies service-account bearer tokens presented to the A2A
 * endpoints. Answers are cached briefly (keyed by a hash of the token, never the token itself) so a busy caller
 * does not cost one API round trip per request.
 */
import { createHash } from 'node:crypto';
import { ApiException, AuthenticationV1Api, type KubeConfig } from '@kubernetes/client-node';
import {
  DependencyError,
  callDependency,
  upstreamFailure,
  type AgentError,
  type CallOptions,
  type TokenReviewer,
  type TokenReviewResult,
} from '@aiops/contracts';
import { withSignal } from './with-signal.js';

export interface TokenReviewerOptions {
  /** Per-review budget on top of the caller's signal. */
  timeoutMs: number;
  /**
   * Audiences the token must be valid for: sent as `spec.audiences` and required back in `status.audiences`. Absent:
   * the API server's own audience (any service-account token of the cluster).
   */
  audiences?: string[];
  /** How long an answer is reused; 0 disables caching. Default 10 s. */
  cacheTtlMs?: number;
  /** Upper bound on cached answers; the oldest is dropped first. Default 1,000. */
  cacheMaxEntries?: number;
  /** Injectable clock for tests. */
  now?: () => number;
}

interface CachedReview {
  result: TokenReviewResult;
  expiresAt: number;
}

function translate(err: unknown): AgentError {
  if (err instanceof ApiException && typeof err.code === 'number')
    return upstreamFailure('kubernetes', 'TokenReview', { status: err.code, cause: err });
  return new DependencyError('kubernetes', 'TokenReview request failed', { cause: err });
}

export function createTokenReviewer(kubeConfig: KubeConfig, options: TokenReviewerOptions): TokenReviewer {
  const api = kubeConfig.makeApiClient(AuthenticationV1Api);
  const ttlMs = options.cacheTtlMs ?? 10_000;
  const maxEntries = options.cacheMaxEntries ?? 1_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, CachedReview>();

  function remember(key: string, result: TokenReviewResult): void {
    if (ttlMs <= 0) return;
    cache.delete(key);
    cache.set(key, { result, expiresAt: now() + ttlMs });
    while (cache.size > maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
  }

  async function askApiServer(token: string, signal: AbortSignal): Promise<TokenReviewResult> {
    const spec: { token: string; audiences?: string[] } = { token };
    if (options.audiences?.length) spec.audiences = options.audiences;
    const review = await api.createTokenReview(
      { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec } },
      withSignal(signal),
    );
    const status = review.status;
    if (status?.authenticated !== true) return { authenticated: false };
    // An audience-aware API server answers the audiences the token is valid for; one that ignores spec.audiences
    // answers none, and a token minted for something else must not pass for ours.
    if (options.audiences?.length && !options.audiences.some((a) => status.audiences?.includes(a)))
      return { authenticated: false };
    const user = status.user?.username;
    return user ? { authenticated: true, user } : { authenticated: true };
  }

  return {
    async review(token: string, callOptions: CallOptions): Promise<TokenReviewResult> {
      const key = createHash('sha256').update(token).digest('base64url');
      const cached = cache.get(key);
      if (cached && cached.expiresAt > now()) return cached.result;
      if (cached) cache.delete(key);

      const result = await callDependency(
        {
          dependency: 'kubernetes',
          what: 'TokenReview',
          signal: callOptions.signal,
          timeoutMs: options.timeoutMs,
          translate,
        },
        (signal) => askApiServer(token, signal),
      );
      remember(key, result);
      return result;
    },
  };
}
