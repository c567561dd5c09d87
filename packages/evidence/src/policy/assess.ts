import {
  parseLabelSelector,
  type AbsentEvidence,
  type Assessment,
  type Evidence,
  type Finding,
  type PodLabelHint,
} from '@aiops/contracts';
import { measureEvidence, thinEvidence } from './confidence.js';

const canarySide = (f: Finding) => f.side === 'canary';

type AssessedEvidence = Pick<Evidence, 'findings' | 'pods' | 'request' | 'logs' | 'metrics' | 'collectedAt'> &
  Partial<Pick<Evidence, 'scope'>>;

/** `role=preview, app=refunds`: the labels the selector names first, so the difference reads at once. */
function describeLabels(labels: Record<string, string>, selector: string): string {
  const parsed = parseLabelSelector(selector);
  const keys = new Set(parsed.ok ? parsed.requirements.map((r) => r.key) : []);
  const entries = Object.entries(labels).sort(([a], [b]) => Number(keys.has(b)) - Number(keys.has(a)));
  return entries.length > 0 ? entries.map(([k, v]) => `${k}=${v}`).join(', ') : 'no labels';
}

function hintText(hint: PodLabelHint | undefined, selector: string, side: 'canary' | 'stable'): string {
  if (!hint)
    return side === 'canary' ? '; the namespace has no other pods' : '; the namespace has no pods outside the canary';
  const whose =
    hint.source === 'rollout-canary'
      ? "the Rollout's newest pods carry"
      : hint.source === 'rollout-stable'
        ? "the Rollout's stable pods carry"
        : `the newest pod${hint.pods > 1 ? 's' : ''} in the namespace carr${hint.pods > 1 ? 'y' : 'ies'}`;
  return `; ${whose} ${describeLabels(hint.labels, selector)}`;
}

/**
 * Absent evidence: nothing to judge, and the reason in words an operator can act on. A pod on both sides, a missing
 * namespace, no canary pod; no stable pod only when the canary shows no hard failure (checked by the caller).
 */
export function findAbsence(evidence: AssessedEvidence): AbsentEvidence | undefined {
  const { request, pods, scope } = evidence;
  const ns = request.namespace;
  const stableNames = new Set(pods.stable.map((p) => p.name));
  const both = pods.canary.filter((p) => stableNames.has(p.name)).map((p) => p.name);
  if (both.length > 0) {
    const shown = both.slice(0, 3).join(', ') + (both.length > 3 ? ` and ${both.length - 3} more` : '');
    return {
      kind: 'absent',
      absence: 'overlapping-selectors',
      field: 'context.canarySelector',
      reason: `canarySelector ${request.canarySelector} and stableSelector ${request.stableSelector} both match ${both.length} pod(s) in namespace ${ns} (${shown}); a pod cannot be canary and stable at once: make the selectors disjoint (e.g. role=canary and role=stable)`,
    };
  }
  if (scope?.namespaceExists === false) {
    return {
      kind: 'absent',
      absence: 'namespace-not-found',
      reason: `namespace ${ns} does not exist, so no pod matches canarySelector ${request.canarySelector}; check the namespace of the analysis`,
    };
  }
  if (pods.canary.length === 0) {
    return {
      kind: 'absent',
      absence: 'no-canary-pods',
      reason: `no pod in namespace ${ns} matches canarySelector ${request.canarySelector}${hintText(scope?.canaryHint, request.canarySelector, 'canary')}`,
    };
  }
  return undefined;
}

function noStablePods(evidence: AssessedEvidence): AbsentEvidence | undefined {
  const { request, pods, scope } = evidence;
  if (pods.stable.length > 0) return undefined;
  return {
    kind: 'absent',
    absence: 'no-stable-pods',
    reason: `no pod in namespace ${request.namespace} matches stableSelector ${request.stableSelector}${hintText(scope?.stableHint, request.stableSelector, 'stable')}; without stable pods there is nothing to compare the canary with`,
  };
}

/**
 * The evidence-only assessment (outcomes explained on the Assessment type). A canary hard failure is never promoted;
 * absent evidence is never a verdict. Without stable pods only a hard failure of the canary is judged: "canary-only"
 * means nothing without a baseline.
 */
export function assessEvidence(evidence: AssessedEvidence): Assessment {
  const absent = findAbsence(evidence);
  if (absent) return { outcome: 'absent', inconclusive: absent, findingIds: [], reasons: [absent.reason] };
  const hard = evidence.findings.filter((f) => f.hard && canarySide(f));
  if (hard.length > 0) {
    return { outcome: 'fail', findingIds: hard.map((f) => f.id), reasons: hard.map((f) => f.title) };
  }
  const noStable = noStablePods(evidence);
  if (noStable) return { outcome: 'absent', inconclusive: noStable, findingIds: [], reasons: [noStable.reason] };
  const soft = evidence.findings.filter((f) => canarySide(f) && (f.severity === 'error' || f.severity === 'critical'));
  if (soft.length > 0) {
    return { outcome: 'suspect', findingIds: soft.map((f) => f.id), reasons: soft.map((f) => f.title) };
  }
  // Nothing wrong seen: but was enough seen? A healthy pod that has served nothing is not yet evidence of health.
  const thin = thinEvidence(measureEvidence(evidence));
  if (thin) return { outcome: 'thin', inconclusive: { kind: 'thin', reason: thin }, findingIds: [], reasons: [thin] };
  return { outcome: 'pass', findingIds: [], reasons: [] };
}

export type EvidenceOutcome = Assessment['outcome'];
