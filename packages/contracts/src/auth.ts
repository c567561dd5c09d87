/**
 * Caller authentication port: the A2A plugin verifies bearer tokens through it, the kube package implements it
 * with the Kubernetes TokenReview API. Errors are DependencyError('kubernetes', ...), never "not authenticated".
 */
import type { CallOptions } from './ports.js';

export interface TokenReviewResult {
  authenticated: boolean;
  /** The authenticated user name, e.g. `system:serviceaccount:<namespace>:<name>`. */
  user?: string;
}

export interface TokenReviewer {
  review(token: string, options: CallOptions): Promise<TokenReviewResult>;
}
