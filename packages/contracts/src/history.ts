/**
 * Analysis history per rollout: every analysis the service answered, kept in a bounded store behind a port so that
 * the in-memory default and a shared store (Redis) are interchangeable. Records are built from evidence that was
 * redacted where it entered the process; the store keeps what it is given and adds nothing.
 */
import type { AgentName, CallOptions, TokenUsage } from './ports.js';
import type { AnalysisRequest } from './metric-ai.js';
import type { Evidence } from './evidence.js';
import type { DecidedBy, Outcome } from './diagnosis.js';

/** The rollout a measurement belongs to: the plugin's memoryId (`rollout:<ns>/<name>`), else namespace/rollout. */
export function historyKeyOf(
  request: Pick<AnalysisRequest, 'memoryId' | 'namespace' | 'rolloutName' | 'canarySelector'>,
): string {
  if (request.memoryId) return request.memoryId;
  if (request.rolloutName) return `rollout:${request.namespace}/${request.rolloutName}`;
  return `selector:${request.namespace}/${request.canarySelector}`;
}

/** promote, reject, or inconclusive (thin evidence); analyses with nothing to judge are not recorded. */
export type VerdictWord = Outcome;

/** The canary's error rate at one measurement; `source` says where it was measured. */
export interface ErrorRate {
  /** Fraction 0-1. */
  canary: number;
  stable: number;
  source: 'metrics' | 'access-logs' | 'logs';
}

/** A problem of the canary, named so that the same problem matches across measurements (ids are per analysis). */
export interface CanaryProblem {
  fingerprint: string;
  /** The id in this analysis's evidence. */
  id: string;
  title: string;
  hard: boolean;
}

/** One line of the list view, and one point of a rollout's timeline. */
export interface AnalysisSummary {
  id: string;
  key: string;
  namespace: string;
  rolloutName?: string;
  finishedAt: string;
  verdict: VerdictWord;
  promote: boolean;
  confidence: number;
  decidedBy: DecidedBy;
  /** One line: the root cause, or why the canary is fine. */
  reason: string;
  prLink?: string;
  errorRate?: ErrorRate;
}

export interface ModelExchange {
  modelName: string;
  system: string;
  /** Exactly what was sent (redacted, bounded by the evidence budget). */
  prompt: string;
  /** The model's answer text as received, when the adapter exposes it; else its validated JSON. */
  rawAnswer?: string;
  attempts?: number;
  executionTimeMs?: number;
  usage?: TokenUsage;
  error?: string;
  /** The evidence was unchanged: this is the diagnosis the model gave then (ISO 8601), not asked again. */
  reusedFrom?: string;
}

export interface AnalysisRecord extends AnalysisSummary {
  startedAt: string;
  durationMs: number;
  request: AnalysisRequest;
  analysis: string;
  rootCause: string;
  remediation: string;
  evidenceIds: string[];
  disagreement?: string;
  evidence: Evidence;
  model?: ModelExchange;
  /** Milliseconds per agent, for the agents that ran. */
  timings: Partial<Record<AgentName, number>>;
  canaryProblems: CanaryProblem[];
}

export interface HistoryQuery {
  namespace?: string;
  verdict?: VerdictWord;
  key?: string;
  /** Newest first, at most this many. */
  limit: number;
}

/**
 * The history store. Async so that a shared store (Redis) fits; implementations bound what they keep and evict the
 * oldest. Errors are DependencyError('history', ...): callers treat history as optional, never as a verdict.
 */
export interface AnalysisHistory {
  save(record: AnalysisRecord, options?: Partial<CallOptions>): Promise<void>;
  get(id: string, options?: Partial<CallOptions>): Promise<AnalysisRecord | undefined>;
  /** Newest first. */
  list(query: HistoryQuery, options?: Partial<CallOptions>): Promise<AnalysisSummary[]>;
}

/** What the evidence says about earlier measurements of the same rollout. */
export interface EvidenceHistory {
  previous?: { id: string; finishedAt: string; verdict: VerdictWord; confidence: number };
  /** Earlier measurements of this rollout in the store (bounded by the store). */
  earlierMeasurements: number;
  /** Current canary problems that the previous measurement showed too. */
  seenBefore: CanaryProblem[];
  /** Current canary problems the previous measurement did not show. */
  newSinceLast: CanaryProblem[];
  /** Problems of the previous measurement that are gone now. */
  resolvedSinceLast: CanaryProblem[];
  /** The canary's error rate per measurement, oldest first, this one last. */
  errorRateTrend: Array<{ at: string; errorRate: ErrorRate }>;
}
