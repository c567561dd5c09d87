import type { AnalysisOutcome, AnalysisRequest } from '@aiops/contracts';

/** A decided outcome for runner and route tests, whose evidence nobody reads. */
export function outcome(request: AnalysisRequest, promote = true): AnalysisOutcome {
  return {
    outcome: promote ? 'promote' : 'reject',
    answer: {
      analysis: `analysed ${request.namespace}`,
      rootCause: 'none',
      remediation: 'none required',
      promote,
      confidence: 80,
    },
    verdict: {
      outcome: promote ? 'promote' : 'reject',
      promote,
      confidence: 80,
      analysis: '',
      rootCause: 'none',
      remediation: 'none required',
      decidedBy: 'evidence',
      evidenceIds: [],
    },
    evidence: {} as AnalysisOutcome['evidence'],
    durationMs: 1,
  };
}
