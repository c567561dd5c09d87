/** Helpers that turn a short scenario description into pods, logs, events and metrics. */
import type { ContainerState } from '@aiops/contracts';
import type {
  Scenario,
  ScenarioContainer,
  ScenarioEvent,
  ScenarioMetricSeries,
  ScenarioPod,
  ScenarioRollout,
} from '../scenario.js';
import { podLogs, type AppLogSpec, type LogStyle, type PodLogs, type Route } from './logs.js';
import { createRng, KUBE_SAFE_ALPHABET } from './random.js';

export const STABLE_STARTED_AT = '2025-06-01T07:12:04.318Z';
export const CANARY_STARTED_AT = '2025-06-03T09:30:11.902Z';

export interface AppDefinition {
  /** Rollout name and `app` label. */
  name: string;
  style: LogStyle;
  imageRepository: string;
  stableVersion: string;
  canaryVersion: string;
  routes: Route[];
}

export interface SideDefinition {
  count: number;
  /** istio-proxy first in the pod spec. */
  mesh?: boolean;
  requests?: number;
  /** Per pod (by index): log options on top of the defaults. */
  logs?: (podIndex: number) => Partial<Pick<AppLogSpec, 'failure' | 'extra' | 'startupExtra' | 'requests'>>;
  /** Per pod (by index): container fields replacing the generated ones (state, restarts, logs...). */
  app?: (podIndex: number, generated: PodLogs, pod: GeneratedPod) => Partial<ScenarioContainer>;
  phase?: ScenarioPod['phase'];
  labels?: Record<string, string>;
}

/** What the generator chose for a pod, for overrides that render more logs of the same pod (a previous instance). */
export interface GeneratedPod {
  name: string;
  podIp: string;
  version: string;
  startAt: string;
}

export interface PodSet {
  pods: ScenarioPod[];
  stableHash: string;
  canaryHash: string;
}

export function templateHashes(seed: string): { stableHash: string; canaryHash: string } {
  const rng = createRng(`${seed}/hashes`);
  return { stableHash: rng.chars(KUBE_SAFE_ALPHABET, 10), canaryHash: rng.chars(KUBE_SAFE_ALPHABET, 10) };
}

export function buildPods(
  seed: string,
  app: AppDefinition,
  sides: { stable?: SideDefinition; canary?: SideDefinition },
): PodSet {
  const { stableHash, canaryHash } = templateHashes(seed);
  const rng = createRng(`${seed}/pods`);
  const pods: ScenarioPod[] = [];
  for (const side of ['stable', 'canary'] as const) {
    const def = sides[side];
    if (!def) continue;
    const hash = side === 'stable' ? stableHash : canaryHash;
    for (let i = 0; i < def.count; i++) {
      const name = `${app.name}-${hash}-${rng.chars(KUBE_SAFE_ALPHABET, 5)}`;
      const podIp = `10.244.${rng.int(1, 3)}.${rng.int(10, 250)}`;
      const version = side === 'stable' ? app.stableVersion : app.canaryVersion;
      const startAt = new Date(
        Date.parse(side === 'stable' ? STABLE_STARTED_AT : CANARY_STARTED_AT) + i * 7_311,
      ).toISOString();
      const overrides = def.logs?.(i) ?? {};
      const generated = podLogs({
        seed: `${seed}/${name}`,
        style: app.style,
        service: app.name,
        version,
        podName: name,
        podIp,
        startAt,
        requests: def.requests ?? (side === 'stable' ? 260 : 220),
        routes: app.routes,
        ...overrides,
      });
      const appContainer: ScenarioContainer = {
        name: app.name,
        image: `${app.imageRepository}:${version}`,
        logs: generated.app,
        ...(def.app?.(i, generated, { name, podIp, version, startAt }) ?? {}),
      };
      const containers: ScenarioContainer[] = def.mesh
        ? [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.22.1', logs: generated.envoy }, appContainer]
        : [appContainer];
      pods.push({
        name,
        side,
        labels: def.labels ?? { app: app.name, role: side },
        podTemplateHash: hash,
        ...(def.phase ? { phase: def.phase } : {}),
        containers,
      });
    }
  }
  return { pods, stableHash, canaryHash };
}

export function rolloutFor(
  podSet: PodSet,
  revision: string,
  canaryWeight: number,
  currentStepIndex?: number,
): ScenarioRollout {
  return {
    revision,
    canaryWeight,
    stablePodHash: podSet.stableHash,
    canaryPodHash: podSet.canaryHash,
    ...(currentStepIndex !== undefined ? { currentStepIndex } : {}),
  };
}

/** The events a canary rollout leaves behind: the controller's steps and the kubelet starting each canary pod. */
export function rolloutEvents(
  rolloutName: string,
  revision: string,
  podSet: PodSet,
  options: { started?: boolean } = {},
): ScenarioEvent[] {
  const events: ScenarioEvent[] = [
    {
      type: 'Normal',
      reason: 'RolloutUpdated',
      message: `Rollout updated to revision ${revision}`,
      objectKind: 'Rollout',
      objectName: rolloutName,
      count: 1,
    },
    {
      type: 'Normal',
      reason: 'NewReplicaSetCreated',
      message: `Created ReplicaSet ${rolloutName}-${podSet.canaryHash} (revision ${revision})`,
      objectKind: 'Rollout',
      objectName: rolloutName,
      count: 1,
    },
    {
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: `Scaled up ReplicaSet ${rolloutName}-${podSet.canaryHash} (revision ${revision}) from 0 to 1`,
      objectKind: 'Rollout',
      objectName: rolloutName,
      count: 1,
    },
  ];
  for (const pod of podSet.pods.filter((p) => p.side === 'canary')) {
    const app = pod.containers[pod.containers.length - 1];
    events.push({
      type: 'Normal',
      reason: 'Scheduled',
      message: `Successfully assigned ${pod.name} to worker-2`,
      objectKind: 'Pod',
      objectName: pod.name,
      count: 1,
    });
    if (options.started !== false && app) {
      events.push(
        {
          type: 'Normal',
          reason: 'Pulled',
          message: `Container image "${app.image}" already present on machine`,
          objectKind: 'Pod',
          objectName: pod.name,
          count: 1,
        },
        {
          type: 'Normal',
          reason: 'Created',
          message: `Created container ${app.name}`,
          objectKind: 'Pod',
          objectName: pod.name,
          count: 1,
        },
        {
          type: 'Normal',
          reason: 'Started',
          message: `Started container ${app.name}`,
          objectKind: 'Pod',
          objectName: pod.name,
          count: 1,
        },
      );
    }
  }
  events.push({
    type: 'Normal',
    reason: 'RolloutPaused',
    message: 'Rollout is paused (CanaryPauseStep)',
    objectKind: 'Rollout',
    objectName: rolloutName,
    count: 1,
  });
  return events;
}

/** Samples around a mean, one per analysis step. */
export function series(
  seed: string,
  stableMean: number,
  canaryMean: number,
  jitter: number,
  steps = 20,
): ScenarioMetricSeries {
  const rng = createRng(`${seed}/metrics`);
  const sample = (mean: number): number[] =>
    Array.from({ length: steps }, () => Number((mean + (rng.next() * 2 - 1) * jitter).toFixed(4)));
  return { stable: sample(stableMean), canary: sample(canaryMean) };
}

export function healthyMetrics(seed: string): NonNullable<Scenario['metrics']> {
  return {
    request_success_rate: series(`${seed}/sr`, 0.998, 0.998, 0.001),
    latency_p99_ms: series(`${seed}/p99`, 180, 182, 15),
    cpu_cores: series(`${seed}/cpu`, 0.21, 0.22, 0.03),
    memory_bytes: series(`${seed}/mem`, 182e6, 185e6, 6e6),
    request_rate: series(`${seed}/rr`, 40, 10, 3),
  };
}

export const running = (startedAt = CANARY_STARTED_AT): ContainerState => ({ state: 'running', startedAt });
