/**
 * Bearer authentication for the A2A routes: static tokens (compared in constant time) and Kubernetes
 * service-account tokens (TokenReview). Tokens never reach a log line or an error message.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { User } from '@a2a-js/sdk/server';
import type { TokenReviewer } from '@aiops/contracts';

export interface AuthOptions {
  /** token → user name (the service reads it from a mounted Secret file). */
  tokens?: Record<string, string>;
  /** Verifies Kubernetes service-account tokens. */
  tokenReviewer?: TokenReviewer;
  /** Budget for one TokenReview; default 5 s. */
  reviewTimeoutMs?: number;
}

export class AuthenticatedUser implements User {
  constructor(private readonly name: string) {}
  get isAuthenticated(): boolean {
    return true;
  }
  get userName(): string {
    return this.name;
  }
}

export type AuthDecision = { ok: true; user: User } | { ok: false; reason: string };

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function bearerTokenOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

export class BearerAuthenticator {
  private readonly staticTokens: Array<{ digest: Buffer; user: string }>;
  private readonly reviewer: TokenReviewer | undefined;
  private readonly reviewTimeoutMs: number;

  constructor(options: AuthOptions) {
    // Digests have equal length, so timingSafeEqual never throws and the comparison time does not depend on the token.
    this.staticTokens = Object.entries(options.tokens ?? {})
      .filter(([token]) => token.length > 0)
      .map(([token, user]) => ({ digest: digest(token), user }));
    // Tasks are scoped by caller name: a nameless token would share its tasks with every other nameless one.
    if (this.staticTokens.some((t) => t.user.trim() === ''))
      throw new Error('A2A auth: every static token must name its caller');
    this.reviewer = options.tokenReviewer;
    this.reviewTimeoutMs = options.reviewTimeoutMs ?? 5_000;
    if (this.staticTokens.length === 0 && this.reviewer === undefined) {
      // An empty token file must not silently open (or silently lock) the endpoint.
      throw new Error('A2A auth is configured with no static tokens and no token reviewer');
    }
  }

  /** Rejections are DependencyError('kubernetes') from the reviewer: a 503, not a 401. */
  async authenticate(authorization: string | undefined, signal: AbortSignal): Promise<AuthDecision> {
    const token = bearerTokenOf(authorization);
    if (token === undefined) return { ok: false, reason: 'a bearer token is required (Authorization: Bearer <token>)' };
    const presented = digest(token);
    let matched: string | undefined;
    // Compare against every configured token, without an early exit.
    for (const candidate of this.staticTokens) {
      if (timingSafeEqual(candidate.digest, presented) && matched === undefined) matched = candidate.user;
    }
    if (matched !== undefined) return { ok: true, user: new AuthenticatedUser(matched) };
    if (this.reviewer) {
      const review = await this.reviewer.review(token, {
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.reviewTimeoutMs)]),
      });
      if (review.authenticated) return { ok: true, user: new AuthenticatedUser(review.user ?? 'serviceaccount') };
    }
    return { ok: false, reason: 'the bearer token is not valid' };
  }
}
