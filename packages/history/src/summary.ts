import type { AnalysisRecord, AnalysisSummary } from '@aiops/contracts';

/** The list-view fields of a record (what a store indexes). */
export function summaryOf(record: AnalysisRecord): AnalysisSummary {
  const summary: AnalysisSummary = {
    id: record.id,
    key: record.key,
    namespace: record.namespace,
    finishedAt: record.finishedAt,
    verdict: record.verdict,
    promote: record.promote,
    confidence: record.confidence,
    decidedBy: record.decidedBy,
    reason: record.reason,
  };
  if (record.rolloutName !== undefined) summary.rolloutName = record.rolloutName;
  if (record.prLink !== undefined) summary.prLink = record.prLink;
  if (record.errorRate !== undefined) summary.errorRate = record.errorRate;
  return summary;
}
