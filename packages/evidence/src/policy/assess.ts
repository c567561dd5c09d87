import type { Assessment, Evidence, Finding } from '@aiops/contracts';

const canarySide = (f: Finding) => f.side === 'canary';

/** The evidence-only assessment (outcomes explained on the Assessment type). A canary hard failure is never promoted. */
export function assessEvidence(evidence: Pick<Evidence, 'findings' | 'pods'>): Assessment {
  const hard = evidence.findings.filter((f) => f.hard && canarySide(f));
  if (hard.length > 0) {
    return { outcome: 'fail', findingIds: hard.map((f) => f.id), reasons: hard.map((f) => f.title) };
  }
  if (evidence.pods.canary.length === 0) {
    return { outcome: 'inconclusive', findingIds: [], reasons: ['no canary pod matches the canary selector'] };
  }
  const soft = evidence.findings.filter((f) => canarySide(f) && (f.severity === 'error' || f.severity === 'critical'));
  if (soft.length > 0) {
    return { outcome: 'suspect', findingIds: soft.map((f) => f.id), reasons: soft.map((f) => f.title) };
  }
  return { outcome: 'pass', findingIds: [], reasons: [] };
}

export type EvidenceOutcome = Assessment['outcome'];
