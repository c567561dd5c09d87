/**
 * The idempotency key of a remediation: one issue (and one draft PR) per repository, rollout, canary revision and
 * root cause. The root cause is fingerprinted from deterministic evidence (hard-failure kinds and the top error
 * template), never from model prose, so repeated measurements and several replicas compute the same key.
 */
import { createHash } from 'node:crypto';
import type { Evidence, LogSignature, RepoCoordinates } from '@aiops/contracts';

export interface RemediationKey {
  /** 16 hex chars. */
  key: string;
  shortKey: string;
  repository: string;
  namespace: string;
  rollout: string;
  revision: string;
  hardFailureKinds: string[];
  topSignature?: LogSignature;
  /** Hidden in the issue body; the source of truth for deduplication across restarts and replicas. */
  marker: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The canary's most telling error template: the diff is ranked canary-only error-like first. */
export function topErrorSignature(evidence: Evidence): LogSignature | undefined {
  const errors = evidence.logs.signatures.filter((s) => s.errorLike && s.canary.count > 0);
  return (
    errors.find((s) => s.canaryOnly) ?? errors.find((s) => s.canary.perThousand > s.stable.perThousand) ?? errors[0]
  );
}

export function canaryRevision(evidence: Evidence): string {
  const fromRollout = evidence.rollout?.revision ?? evidence.rollout?.currentPodHash;
  if (fromRollout) return fromRollout;
  const hashes = [
    ...new Set(evidence.pods.canary.map((p) => p.podTemplateHash).filter((h): h is string => !!h)),
  ].sort();
  return hashes.join('+') || 'unknown';
}

export function remediationKey(repo: RepoCoordinates, evidence: Evidence): RemediationKey {
  const repository = `${repo.owner}/${repo.repo}`.toLowerCase();
  const namespace = evidence.request.namespace;
  const rollout = evidence.request.rolloutName ?? evidence.rollout?.name ?? 'unnamed';
  const revision = canaryRevision(evidence);
  const hardFailureKinds = [
    ...new Set(evidence.findings.filter((f) => f.hard && f.side !== 'stable').map((f) => f.kind)),
  ].sort();
  const topSignature = topErrorSignature(evidence);
  const fingerprint = sha256(JSON.stringify({ kinds: hardFailureKinds, template: topSignature?.template ?? '' }));
  const key = sha256(JSON.stringify([repository, namespace, rollout, revision, fingerprint])).slice(0, 16);
  const result: RemediationKey = {
    key,
    shortKey: key.slice(0, 8),
    repository,
    namespace,
    rollout,
    revision,
    hardFailureKinds,
    marker: `<!-- aiops-agent:key=${key} -->`,
  };
  if (topSignature) result.topSignature = topSignature;
  return result;
}

/** Branch names allow a limited alphabet; rollouts are DNS names already, but be strict. */
export function fixBranch(k: RemediationKey): string {
  const rollout = k.rollout
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 60);
  return `aiops/${rollout}-${k.shortKey}`;
}
