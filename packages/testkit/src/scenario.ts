/**
 * The labelled scenario corpus format. One scenario is one rollout in its own namespace: pods (with their logs,
 * container states and previous-container logs), events, the Rollout object, optional Prometheus series, and the
 * verdict a correct analysis must reach. The fake Kubernetes API server and the fake Prometheus serve it.
 */
import type { ContainerState, FindingKind } from '@aiops/contracts';

export interface ScenarioContainer {
  name: string;
  image: string;
  ready?: boolean;
  restartCount?: number;
  /** Defaults to running. */
  state?: ContainerState;
  lastState?: ContainerState;
  /** Current container's log lines (full lines, including any timestamp prefix the app prints). */
  logs: string[];
  /** Previous container's log lines, after a restart. */
  previousLogs?: string[];
}

export interface ScenarioPod {
  name: string;
  side: 'canary' | 'stable';
  labels: Record<string, string>;
  podTemplateHash: string;
  phase?: 'Running' | 'Pending' | 'Failed' | 'Succeeded';
  ready?: boolean;
  /** Seconds since the pod was created; default two days for stable, ten minutes for canary. */
  ageSeconds?: number;
  /** Spec order; mesh sidecars (istio-proxy) may come first. */
  containers: ScenarioContainer[];
}

export interface ScenarioEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  objectKind: string;
  objectName: string;
  count: number;
}

export type ScenarioMetricKey =
  | 'request_success_rate'
  | 'latency_p99_ms'
  | 'cpu_cores'
  | 'memory_bytes'
  | 'restarts'
  | 'request_rate';

/** Samples over the analysis window (one per step), per side. */
export interface ScenarioMetricSeries {
  canary: number[];
  stable: number[];
}

export interface ScenarioRollout {
  revision: string;
  canaryWeight: number;
  stablePodHash: string;
  canaryPodHash: string;
  currentStepIndex?: number;
}

export interface Scenario {
  id: string;
  title: string;
  description: string;
  namespace: string;
  rolloutName: string;
  stableSelector?: string;
  canarySelector?: string;
  extraPrompt?: string;
  repoUrl?: string;
  /** false: the fake API server does not have the namespace (GET answers 404, lists are empty). */
  namespaceExists?: false;
  /** Absent: the Rollout object does not exist (404). */
  rollout?: ScenarioRollout;
  /**
   * A Flagger canary instead of a Rollout: the Canary `name` (flagger.app/v1beta1) targets Deployment `target`,
   * whose pods are the canary pods (labels `app: <target>`), and Flagger's `<target>-primary`, whose pods are the
   * stable side (labels `app: <target>-primary`). `canaryObject: false`: the Canary cannot be read (404).
   */
  flagger?: { name: string; target: string; canaryObject?: false };
  pods: ScenarioPod[];
  events: ScenarioEvent[];
  metrics?: Partial<Record<ScenarioMetricKey, ScenarioMetricSeries>>;
  expected: {
    /** For inconclusive scenarios: whether the plugin route may answer promote (thin: true; absent: false, never). */
    promote: boolean;
    /**
     * `absent`: nothing to judge; the plugin route answers `status` without a `promote` field and A2A says
     * inconclusive. `thin`: the plugin route promotes with confidence at most 60 and A2A says inconclusive.
     */
    inconclusive?:
      | { kind: 'absent'; status: number; reasonMentions: string[] }
      | { kind: 'thin'; reasonMentions?: string[] };
    /** The hard-failure kind a correct analysis must find, when there is one. */
    hardFailure?: FindingKind;
    /** Words the root cause should mention (case-insensitive), e.g. ["nil pointer"]. */
    rootCauseMentions?: string[];
  };
  tags: string[];
}
