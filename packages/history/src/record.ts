/**
 * An analysis outcome as the history keeps it: the evidence (already redacted where it entered the process),
 * bounded so one noisy rollout cannot fill the store, plus what the view and later measurements need.
 */
import { randomBytes } from 'node:crypto';
import {
  historyKeyOf,
  type AnalysisRecord,
  type AnalysisRequest,
  type DecidedOutcome,
  type Evidence,
} from '@aiops/contracts';
import { canaryProblemsOf, errorRateOf } from '@aiops/evidence';

const MAX_SIGNATURES = 60;
const MAX_EXAMPLES = 3;
const MAX_EXAMPLE_CHARS = 2_000;
const MAX_EVENTS = 50;
const MAX_PROMPT_CHARS = 200_000;
const MAX_ANSWER_CHARS = 50_000;

/** Sortable by time, unique enough for one store. */
export function newAnalysisId(now: Date = new Date()): string {
  return `${now.getTime().toString(36)}-${randomBytes(5).toString('hex')}`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

function boundedEvidence(evidence: Evidence): Evidence {
  return {
    ...evidence,
    logs: {
      ...evidence.logs,
      signatures: evidence.logs.signatures
        .slice(0, MAX_SIGNATURES)
        .map((s) => ({ ...s, examples: s.examples.slice(0, MAX_EXAMPLES).map((e) => clip(e, MAX_EXAMPLE_CHARS)) })),
      omitted: evidence.logs.omitted + Math.max(0, evidence.logs.signatures.length - MAX_SIGNATURES),
    },
    events: evidence.events.slice(0, MAX_EVENTS),
  };
}

/** One line: the root cause when there is one, else the first sentence of the analysis. */
function oneLine(outcome: DecidedOutcome): string {
  const cause = outcome.verdict.rootCause.trim();
  const text = cause && cause.toLowerCase() !== 'none' ? cause : (outcome.verdict.analysis.split(/(?<=\.)\s/)[0] ?? '');
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

export function toAnalysisRecord(
  request: AnalysisRequest,
  outcome: DecidedOutcome,
  at: { id?: string; finishedAt: Date },
): AnalysisRecord {
  const { verdict, answer } = outcome;
  const record: AnalysisRecord = {
    id: at.id ?? newAnalysisId(at.finishedAt),
    key: historyKeyOf(request),
    namespace: request.namespace,
    finishedAt: at.finishedAt.toISOString(),
    startedAt: new Date(at.finishedAt.getTime() - outcome.durationMs).toISOString(),
    durationMs: outcome.durationMs,
    verdict: outcome.outcome,
    promote: answer.promote,
    confidence: answer.confidence,
    decidedBy: verdict.decidedBy,
    reason: oneLine(outcome),
    request,
    analysis: answer.analysis,
    rootCause: answer.rootCause,
    remediation: answer.remediation,
    evidenceIds: verdict.evidenceIds,
    evidence: boundedEvidence(outcome.evidence),
    timings: outcome.timings ?? {},
    canaryProblems: canaryProblemsOf(outcome.evidence),
  };
  if (request.rolloutName !== undefined) record.rolloutName = request.rolloutName;
  if (answer.prLink !== undefined) record.prLink = answer.prLink;
  if (verdict.disagreement !== undefined) record.disagreement = verdict.disagreement;
  const errorRate = errorRateOf(outcome.evidence);
  if (errorRate) record.errorRate = errorRate;
  const exchange = outcome.modelExchange;
  if (exchange) {
    record.model = {
      ...exchange,
      prompt: clip(exchange.prompt, MAX_PROMPT_CHARS),
      ...(exchange.rawAnswer !== undefined ? { rawAnswer: clip(exchange.rawAnswer, MAX_ANSWER_CHARS) } : {}),
    };
  } else if (verdict.modelError !== undefined) {
    record.model = { modelName: 'model', system: '', prompt: '', error: verdict.modelError };
  }
  return record;
}
