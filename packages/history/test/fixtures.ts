import type { AnalysisRecord, Evidence } from '@aiops/contracts';

export function emptyEvidence(namespace: string, rolloutName: string): Evidence {
  return {
    request: { namespace, rolloutName, canarySelector: 'role=canary', stableSelector: 'role=stable' },
    collectedAt: '2026-12-02T10:00:00.000Z',
    pods: { canary: [], stable: [] },
    logs: { canaryLines: 0, stableLines: 0, signatures: [], omitted: 0 },
    events: [],
    metrics: { source: 'kubernetes', comparisons: [], notes: [] },
    findings: [],
    notes: [],
  };
}

let counter = 0;

/** A stored analysis of `namespace/rollout`, ids increasing with each call. */
export function recordFixture(
  namespace: string,
  rolloutName: string,
  overrides: Partial<AnalysisRecord> = {},
): AnalysisRecord {
  counter++;
  const promote = overrides.promote ?? true;
  return {
    id: `r${String(counter).padStart(6, '0')}`,
    key: `rollout:${namespace}/${rolloutName}`,
    namespace,
    rolloutName,
    finishedAt: new Date(Date.UTC(2026, 11, 2, 10, 0, counter)).toISOString(),
    startedAt: new Date(Date.UTC(2026, 11, 2, 10, 0, counter)).toISOString(),
    durationMs: 10,
    verdict: promote ? 'promote' : 'reject',
    promote,
    confidence: 80,
    decidedBy: 'evidence',
    reason: 'nothing wrong',
    request: { namespace, rolloutName, canarySelector: 'role=canary', stableSelector: 'role=stable' },
    analysis: 'fine',
    rootCause: 'none',
    remediation: 'none required',
    evidenceIds: [],
    evidence: emptyEvidence(namespace, rolloutName),
    timings: {},
    canaryProblems: [],
    ...overrides,
  };
}
