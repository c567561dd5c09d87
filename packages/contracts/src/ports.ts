/**
 * Ports: what the agents need from the outside world. Adapters (packages/kube, metrics, llm, github) implement
 * them over the real SDKs; the testkit's fakes serve the same wire protocols to those adapters.
 */
import type { ZodType } from 'zod';
import type { AnalysisRequest, AnalyzeAnswer } from './metric-ai.js';
import type { Evidence, KubeEvent, PodInfo, RolloutInfo } from './evidence.js';
import type { AbsentEvidence, ModelDiagnosis, Outcome, Verdict } from './diagnosis.js';
import type { RemediationPreview } from './code-host.js';
import type { ModelExchange } from './history.js';

/** Every external call takes an abort signal; adapters add their own timeout on top. */
export interface CallOptions {
  signal: AbortSignal;
}

export interface LogReadRequest {
  namespace: string;
  pod: string;
  container: string;
  previous: boolean;
  tailLines: number;
  limitBytes: number;
  sinceSeconds?: number;
}

/** Read-only view of the cluster. Errors are DependencyError('kubernetes', ...). */
export interface ClusterReader {
  listPods(namespace: string, labelSelector: string, options: CallOptions): Promise<PodInfo[]>;
  /** Empty string when there is no such (previous) container log. */
  readLog(request: LogReadRequest, options: CallOptions): Promise<string>;
  /** Recent events of the namespace (bounded by the adapter). */
  listEvents(namespace: string, options: CallOptions): Promise<KubeEvent[]>;
  /** Whether the namespace exists; undefined when the service account may not read it. */
  namespaceExists(namespace: string, options: CallOptions): Promise<boolean | undefined>;
  /** Undefined when the Rollout does not exist or the CRD is not installed. */
  getRollout(namespace: string, name: string, options: CallOptions): Promise<RolloutInfo | undefined>;
}

export interface MetricSeries {
  labels: Record<string, string>;
  /** [unix seconds, value] */
  values: Array<[number, number]>;
}

/** Prometheus HTTP API. Errors are DependencyError('prometheus', ...). */
export interface MetricsSource {
  queryRange(
    query: string,
    range: { start: Date; end: Date; stepSeconds: number },
    options: CallOptions,
  ): Promise<MetricSeries[]>;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface StructuredGeneration<T> {
  value: T;
  attempts: number;
  usage?: TokenUsage;
  /** The answer text of the accepted attempt, as the model sent it (kept in the analysis history). */
  raw?: string;
}

/** A model that answers in a validated structured form. Errors are DependencyError('llm', ...). */
export interface StructuredModel {
  readonly name: string;
  generate<T>(
    request: { system: string; prompt: string; schema: ZodType<T>; schemaName: string },
    options: CallOptions,
  ): Promise<StructuredGeneration<T>>;
}

export interface RemediationResult {
  status: 'created' | 'updated' | 'existing' | 'pending' | 'skipped' | 'dry-run' | 'failed';
  issueUrl?: string;
  pullRequestUrl?: string;
  issueNumber?: number;
  pullRequestNumber?: number;
  reason?: string;
  /** Dry run: the issue and patch that would have been written. */
  preview?: RemediationPreview;
}

/** Opens (or finds) the issue and draft PR for a rejected canary. Must return within its own budget. */
export interface RemediationPublisher {
  publish(
    input: { request: AnalysisRequest; verdict: Verdict; evidence: Evidence },
    options: CallOptions,
  ): Promise<RemediationResult>;
}

export type AgentName = 'log-fetcher' | 'metrics-analyst' | 'diagnosis' | 'policy' | 'pr-author';

export interface ProgressEvent {
  agent: AgentName;
  phase: 'started' | 'finished' | 'skipped' | 'failed';
  message?: string;
}

/** A verdict: promote, reject, or inconclusive because the evidence is thin (then `answer.promote` is true). */
export interface DecidedOutcome {
  outcome: Outcome;
  answer: AnalyzeAnswer;
  verdict: Verdict;
  evidence: Evidence;
  remediation?: RemediationResult;
  durationMs: number;
  /** Milliseconds per agent, for the agents that ran. */
  timings?: Partial<Record<AgentName, number>>;
  /** The prompt sent to the model and its answer, when a model was asked. */
  modelExchange?: ModelExchange;
  absent?: never;
}

/** Nothing to judge: never a verdict, so there is no answer with a `promote` field. */
export interface AbsentOutcome {
  outcome: 'inconclusive';
  absent: AbsentEvidence;
  evidence: Evidence;
  durationMs: number;
  answer?: never;
  verdict?: never;
}

/** What every entry point maps to its controller's words (metric-ai, A2A, and later Argo's web provider, Flagger). */
export type AnalysisOutcome = DecidedOutcome | AbsentOutcome;

/** The workflow as every entry point (metric-ai route, A2A executor, demo) sees it. */
export type AnalyzeFn = (
  request: AnalysisRequest,
  options: { signal: AbortSignal; onProgress?: (event: ProgressEvent) => void },
) => Promise<AnalysisOutcome>;

/** The Kubernetes object an Event is about: a Rollout, a Flagger Canary. */
export interface ObjectReference {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** A verdict as operators see it in `kubectl describe`: one Event per object, reason and cause, its count updated. */
export interface VerdictEvent {
  involvedObject: ObjectReference;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** Verdicts with the same object, reason and key are one Event whose count grows (the message is the latest). */
  key: string;
}

export interface RecordedEvent {
  name: string;
  count: number;
}

/** Writes Events. Errors are DependencyError('kubernetes', ...); undefined when the object does not exist. */
export interface EventRecorder {
  record(event: VerdictEvent, options: CallOptions): Promise<RecordedEvent | undefined>;
}

/** A diagnosis the model gave for one evidence fingerprint (see `evidenceFingerprint` in @aiops/evidence). */
export interface CachedDiagnosis {
  result: ModelDiagnosis;
  exchange: ModelExchange;
  /** When the model gave it (ISO 8601). */
  savedAt: string;
}

/**
 * Diagnoses by evidence fingerprint, kept for a while: a re-measurement of an unchanged canary reuses the model's
 * earlier diagnosis instead of asking again. In memory by default, in Redis when REDIS_URL is set (shared by replicas).
 */
export interface DiagnosisCache {
  get(fingerprint: string, options: CallOptions): Promise<CachedDiagnosis | undefined>;
  set(fingerprint: string, value: CachedDiagnosis, options: CallOptions): Promise<void>;
}

/** What a Flagger Canary points at (its `spec.targetRef`). */
export interface WorkloadRef {
  kind: string;
  name: string;
}

/** Reads the workloads behind a Flagger Canary. Errors are DependencyError('kubernetes', ...). */
export interface WorkloadReader {
  /** The Canary's targetRef; undefined when the Canary cannot be read (no such object, no CRD, no RBAC to read it). */
  getCanaryTarget(namespace: string, name: string, options: CallOptions): Promise<WorkloadRef | undefined>;
  /** The label selector of a workload's pods (`app=podinfo`); undefined when the workload does not exist. */
  getPodSelector(namespace: string, workload: WorkloadRef, options: CallOptions): Promise<string | undefined>;
}
