/**
 * Evidence: what the log fetcher and metrics analyst observed, in shapes that carry no SDK types.
 * Every finding has a stable id so the model can cite it and the policy can check the citation.
 */
import type { EvidenceId } from './evidence-id.js';
import type { AnalysisRequest } from './metric-ai.js';
import type { EvidenceHistory } from './history.js';

export type Side = 'canary' | 'stable';
export type Severity = 'critical' | 'error' | 'warning' | 'info';

export interface ContainerState {
  state: 'running' | 'waiting' | 'terminated' | 'unknown';
  reason?: string;
  message?: string;
  exitCode?: number;
  startedAt?: string;
  finishedAt?: string;
}

export interface ContainerInfo {
  name: string;
  image: string;
  ready: boolean;
  restartCount: number;
  current: ContainerState;
  /** The previous instance's termination, after a restart. */
  last?: ContainerState;
}

export interface PodInfo {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  phase: string;
  ready: boolean;
  createdAt?: string;
  podTemplateHash?: string;
  ownerReplicaSet?: string;
  deleting?: boolean;
  containers: ContainerInfo[];
  initContainers: ContainerInfo[];
}

export interface KubeEvent {
  type: string;
  reason: string;
  message: string;
  objectKind: string;
  objectName: string;
  count: number;
  lastSeen?: string;
}

export interface RolloutInfo {
  name: string;
  namespace: string;
  revision?: string;
  phase?: string;
  message?: string;
  currentPodHash?: string;
  stablePodHash?: string;
  /** Services that route to each side (canary: canaryService or blueGreen previewService; stable: stableService or activeService). */
  canaryService?: string;
  stableService?: string;
  canaryWeight?: number;
  currentStepIndex?: number;
  images: string[];
}

/** One log template, counted on both sides. Rates are per 1,000 lines so unequal traffic compares fairly. */
export interface LogSignature {
  id: string;
  template: string;
  severity: Severity;
  /** error, panic, exception, stack trace, fatal... */
  errorLike: boolean;
  kind?: 'panic' | 'exception' | 'oom' | 'fatal' | 'error' | 'warning' | 'info';
  canary: { count: number; perThousand: number };
  stable: { count: number; perThousand: number };
  canaryOnly: boolean;
  /** A few verbatim (redacted, truncated) lines. */
  examples: string[];
  /** Application source frames of the signature's stack trace, top first (e.g. 'internal/cart/handler.go:42'). */
  frames?: string[];
  /** For a stack trace: the innermost error and the application frame where it happened, in one line. */
  cause?: string;
}

export interface LogDiff {
  canaryLines: number;
  stableLines: number;
  /** Ranked: canary-only error-like first, then canary-heavier, then the rest. */
  signatures: LogSignature[];
  /** Templates left out to keep the diff bounded. */
  omitted: number;
}

export type MetricClassification = 'Pass' | 'High' | 'Low' | 'NoData';

export interface MetricComparison {
  id: EvidenceId;
  name: string;
  source: 'prometheus' | 'kubernetes' | 'logs';
  classification: MetricClassification;
  critical: boolean;
  /** Which direction is bad. */
  direction: 'increase' | 'decrease' | 'either';
  canary: { count: number; median?: number; mean?: number };
  stable: { count: number; median?: number; mean?: number };
  pValue?: number;
  effectSize?: number;
  unit?: string;
  note?: string;
  /** The values compared, oldest first (bounded), for charts; absent when the comparison is not a series. */
  samples?: { canary: number[]; stable: number[] };
}

export type FindingKind =
  | 'crash-loop'
  | 'oom-killed'
  | 'image-pull'
  | 'config-error'
  | 'panic'
  | 'exception'
  | 'error-signature'
  | 'not-ready'
  | 'restarts'
  | 'terminated'
  | 'warning-event'
  | 'metric-regression'
  | 'no-canary-pods'
  | 'no-traffic'
  | 'info';

/** A checkable statement about one side, citable by id. */
export interface Finding {
  id: EvidenceId;
  kind: FindingKind;
  side: Side | 'both';
  severity: Severity;
  /** A hard failure in the canary is never promoted, whatever the model says. */
  hard: boolean;
  title: string;
  detail?: string;
}

export interface MetricsEvidence {
  source: 'prometheus' | 'kubernetes';
  comparisons: MetricComparison[];
  /** 0-100 from the judge; absent when there is nothing to judge. */
  score?: number;
  notes: string[];
  /**
   * Set when Prometheus is configured but some of its queries failed (errors, garbage, hangs): the comparison is
   * incomplete, so it cannot support a promotion (a regression it would have shown may be hidden by the failure).
   */
  failure?: string;
}

/** The labels that pods a selector may have meant carry: read only when a selector matched nothing, to say what to fix. */
export interface PodLabelHint {
  /** The Rollout's newest (canary) or stable pod-template-hash pods, or the namespace's newest pods. */
  source: 'rollout-canary' | 'rollout-stable' | 'namespace';
  /** Labels of the newest such pod, without the pod-template-hash labels. */
  labels: Record<string, string>;
  pods: number;
}

/** Whether there is anything to judge: read when a side has no pod. */
export interface EvidenceScope {
  /** false when the namespace does not exist; absent when not checked or not readable. */
  namespaceExists?: boolean;
  canaryHint?: PodLabelHint;
  stableHint?: PodLabelHint;
}

export interface Evidence {
  request: AnalysisRequest;
  scope?: EvidenceScope;
  collectedAt: string;
  pods: { canary: PodInfo[]; stable: PodInfo[] };
  rollout?: RolloutInfo;
  logs: LogDiff;
  events: KubeEvent[];
  metrics: MetricsEvidence;
  findings: Finding[];
  /** What could not be observed and why (e.g. "Prometheus is not configured"). */
  notes: string[];
  /** Earlier measurements of the same rollout, when history is kept and there were any. */
  history?: EvidenceHistory;
}
