/**
 * Builds the Kubernetes objects (Pod, Event, Rollout) a real API server would return for a scenario, with the
 * fields real clients and kubectl read: uids, timestamps, owner references, template-hash labels, conditions.
 */
import { createHash } from 'node:crypto';
import type { ContainerState } from '@aiops/contracts';
import type { Scenario, ScenarioContainer, ScenarioPod } from '../scenario.js';

export type KubeObject = Record<string, unknown> & { metadata: Record<string, unknown> };

/** A stable RFC 4122-shaped uid derived from a name, so objects are identical across runs. */
export function stableUid(seed: string): string {
  const hex = createHash('sha1').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const MESH_SIDECARS = new Set(['istio-proxy', 'linkerd-proxy']);

export function isMeshSidecar(containerName: string): boolean {
  return MESH_SIDECARS.has(containerName);
}

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function stateObject(state: ContainerState | undefined, fallbackStartedAt: string): Record<string, unknown> {
  const s = state ?? { state: 'running' };
  switch (s.state) {
    case 'running':
      return { running: { startedAt: s.startedAt ?? fallbackStartedAt } };
    case 'waiting':
      return { waiting: { reason: s.reason, ...(s.message !== undefined ? { message: s.message } : {}) } };
    case 'terminated':
      return {
        terminated: {
          exitCode: s.exitCode ?? 0,
          reason: s.reason,
          ...(s.message !== undefined ? { message: s.message } : {}),
          startedAt: s.startedAt ?? fallbackStartedAt,
          finishedAt: s.finishedAt ?? fallbackStartedAt,
          containerID: `containerd://${createHash('sha256')
            .update(fallbackStartedAt + String(s.reason))
            .digest('hex')}`,
        },
      };
    default:
      return {};
  }
}

export function containerIsRunning(container: ScenarioContainer): boolean {
  return (container.state?.state ?? 'running') === 'running';
}

export function containerIsReady(container: ScenarioContainer): boolean {
  return container.ready ?? containerIsRunning(container);
}

export function podIsReady(pod: ScenarioPod): boolean {
  return pod.ready ?? pod.containers.every(containerIsReady);
}

/** The ReplicaSet Argo Rollouts creates for one pod template hash. */
export function replicaSetName(scenario: Scenario, podTemplateHash: string): string {
  return `${scenario.rolloutName}-${podTemplateHash}`;
}

export interface ObjectClock {
  /** Milliseconds since the epoch that the fake treats as "now". */
  now: number;
}

function podCreatedAt(pod: ScenarioPod, clock: ObjectClock): number {
  if (pod.ageSeconds !== undefined) return clock.now - pod.ageSeconds * 1000;
  // Stable pods have been up for two days, canary pods for ten minutes, as in a rollout paused at a step.
  return pod.side === 'stable' ? clock.now - 2 * 24 * 3600_000 : clock.now - 10 * 60_000;
}

function containerStatus(pod: ScenarioPod, container: ScenarioContainer, createdAt: number): Record<string, unknown> {
  const startedAt = iso(Math.min(createdAt + 5_000, Date.now()));
  const status: Record<string, unknown> = {
    name: container.name,
    image: container.image,
    imageID:
      containerIsRunning(container) || container.restartCount
        ? `${container.image.split(':')[0]}@sha256:${createHash('sha256').update(container.image).digest('hex')}`
        : '',
    ready: containerIsReady(container),
    restartCount: container.restartCount ?? 0,
    started: containerIsRunning(container),
    state: stateObject(container.state, startedAt),
    lastState: container.lastState ? stateObject(container.lastState, iso(createdAt + 60_000)) : {},
  };
  if (containerIsRunning(container)) {
    status.containerID = `containerd://${createHash('sha256').update(`${pod.name}/${container.name}`).digest('hex')}`;
  }
  return status;
}

export function buildPod(scenario: Scenario, pod: ScenarioPod, clock: ObjectClock): KubeObject {
  const createdAt = podCreatedAt(pod, clock);
  const ready = podIsReady(pod);
  const rs = replicaSetName(scenario, pod.podTemplateHash);
  const containersReady = pod.containers.every(containerIsReady);
  // A pod younger than its start-up (a scenario's `ageSeconds`) has no timestamps in the future.
  const transition = iso(Math.min(createdAt + 8_000, clock.now));
  const podIndex = scenario.pods.indexOf(pod);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.name,
      generateName: `${rs}-`,
      namespace: scenario.namespace,
      uid: stableUid(`pod/${scenario.namespace}/${pod.name}`),
      resourceVersion: String(1000 + podIndex),
      creationTimestamp: iso(createdAt),
      labels: {
        ...pod.labels,
        'pod-template-hash': pod.podTemplateHash,
        'rollouts-pod-template-hash': pod.podTemplateHash,
      },
      annotations: pod.containers.some((c) => c.name === 'istio-proxy')
        ? {
            'sidecar.istio.io/status': '{"initContainers":["istio-init"],"containers":["istio-proxy"]}',
            'kubectl.kubernetes.io/default-container': pod.containers.find((c) => !isMeshSidecar(c.name))?.name ?? '',
          }
        : {},
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs,
          uid: stableUid(`rs/${scenario.namespace}/${rs}`),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers: pod.containers.map((c) => ({
        name: c.name,
        image: c.image,
        imagePullPolicy: 'IfNotPresent',
        ports: isMeshSidecar(c.name)
          ? [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }]
          : [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
      })),
      restartPolicy: 'Always',
      serviceAccountName: scenario.rolloutName,
      nodeName: `worker-${(podIndex % 3) + 1}`,
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
    },
    status: {
      phase: pod.phase ?? 'Running',
      conditions: [
        { type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: transition },
        { type: 'Initialized', status: 'True', lastTransitionTime: iso(createdAt + 2_000) },
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          lastTransitionTime: transition,
          ...(ready
            ? {}
            : {
                reason: 'ContainersNotReady',
                message: `containers with unready status: [${pod.containers
                  .filter((c) => !containerIsReady(c))
                  .map((c) => c.name)
                  .join(' ')}]`,
              }),
        },
        { type: 'ContainersReady', status: containersReady ? 'True' : 'False', lastTransitionTime: transition },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: iso(createdAt) },
      ],
      hostIP: `10.0.0.${(podIndex % 3) + 11}`,
      podIP: `10.244.${(podIndex % 3) + 1}.${20 + podIndex}`,
      startTime: iso(createdAt),
      qosClass: 'Burstable',
      containerStatuses: pod.containers.map((c) => containerStatus(pod, c, createdAt)),
    },
  };
}

export function buildEvents(scenario: Scenario, clock: ObjectClock): KubeObject[] {
  return scenario.events.map((event, index) => {
    // Later events in the scenario are the more recent ones.
    const lastSeen = clock.now - (scenario.events.length - index) * 20_000;
    const firstSeen = lastSeen - Math.max(0, event.count - 1) * 30_000;
    const involvedUid =
      event.objectKind === 'Pod'
        ? stableUid(`pod/${scenario.namespace}/${event.objectName}`)
        : stableUid(`${event.objectKind.toLowerCase()}/${scenario.namespace}/${event.objectName}`);
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: `${event.objectName}.${createHash('sha1').update(`${scenario.namespace}/${index}`).digest('hex').slice(0, 16)}`,
        namespace: scenario.namespace,
        uid: stableUid(`event/${scenario.namespace}/${index}`),
        resourceVersion: String(5000 + index),
        creationTimestamp: iso(firstSeen),
      },
      involvedObject: {
        kind: event.objectKind,
        namespace: scenario.namespace,
        name: event.objectName,
        uid: involvedUid,
        apiVersion: event.objectKind === 'Rollout' ? 'argoproj.io/v1alpha1' : 'v1',
        ...(event.objectKind === 'Pod' ? { fieldPath: 'spec.containers{app}' } : {}),
      },
      reason: event.reason,
      message: event.message,
      source: { component: event.objectKind === 'Rollout' ? 'rollouts-controller' : 'kubelet', host: 'worker-1' },
      firstTimestamp: iso(firstSeen),
      lastTimestamp: iso(lastSeen),
      count: event.count,
      type: event.type,
      eventTime: null,
      reportingComponent: event.objectKind === 'Rollout' ? 'rollouts-controller' : 'kubelet',
      reportingInstance: 'worker-1',
    };
  });
}

/** The Rollout object Argo Rollouts would hold for this scenario, or undefined when the scenario has none. */
export function buildRollout(scenario: Scenario, clock: ObjectClock): KubeObject | undefined {
  const rollout = scenario.rollout;
  if (!rollout) return undefined;
  const templatePod = scenario.pods.find((p) => p.side === 'canary') ?? scenario.pods.find((p) => p.side === 'stable');
  const templateContainers = (templatePod?.containers ?? []).filter((c) => !isMeshSidecar(c.name));
  // With a mesh, Argo routes traffic itself and reports the weights; without one, only the steps say the weight.
  const trafficRouted = scenario.pods.some((p) => p.containers.some((c) => c.name === 'istio-proxy'));
  const currentStepIndex = rollout.currentStepIndex ?? 1;
  // The last setWeight at or before the current step is the scenario's weight; the current step is the pause after it.
  const weightStepIndex = Math.max(0, currentStepIndex - 1);
  const steps: Array<Record<string, unknown>> = [];
  for (let i = 0; i < weightStepIndex; i++) {
    steps.push(
      i % 2 === 0
        ? { setWeight: Math.round((rollout.canaryWeight * (i + 1)) / (weightStepIndex + 1)) }
        : { pause: { duration: '1m' } },
    );
  }
  steps.push({ setWeight: rollout.canaryWeight });
  if (currentStepIndex > 0) steps.push({ pause: {} });
  steps.push({ pause: { duration: '10m' } }, { setWeight: 100 });
  const appLabel = templatePod?.labels.app ?? scenario.rolloutName;
  const canaryCount = scenario.pods.filter((p) => p.side === 'canary').length;
  const stableCount = scenario.pods.filter((p) => p.side === 'stable').length;
  const status: Record<string, unknown> = {
    phase: 'Paused',
    message: 'CanaryPauseStep',
    currentPodHash: rollout.canaryPodHash,
    stableRS: rollout.stablePodHash,
    currentStepIndex,
    currentStepHash: createHash('sha1').update(JSON.stringify(steps)).digest('hex').slice(0, 10),
    observedGeneration: '3',
    replicas: canaryCount + stableCount,
    updatedReplicas: canaryCount,
    readyReplicas: scenario.pods.filter(podIsReady).length,
    availableReplicas: scenario.pods.filter(podIsReady).length,
    selector: `app=${appLabel}`,
    pauseConditions: [{ reason: 'CanaryPauseStep', startTime: iso(clock.now - 10 * 60_000) }],
    conditions: [
      {
        type: 'Paused',
        status: 'True',
        reason: 'RolloutPaused',
        message: 'Rollout is paused',
        lastTransitionTime: iso(clock.now - 10 * 60_000),
        lastUpdateTime: iso(clock.now - 10 * 60_000),
      },
    ],
    canary: trafficRouted
      ? {
          weights: {
            canary: {
              podTemplateHash: rollout.canaryPodHash,
              serviceName: `${scenario.rolloutName}-canary`,
              weight: rollout.canaryWeight,
            },
            stable: {
              podTemplateHash: rollout.stablePodHash,
              serviceName: `${scenario.rolloutName}-stable`,
              weight: 100 - rollout.canaryWeight,
            },
          },
        }
      : {},
  };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: {
      name: scenario.rolloutName,
      namespace: scenario.namespace,
      uid: stableUid(`rollout/${scenario.namespace}/${scenario.rolloutName}`),
      generation: 3,
      resourceVersion: '900',
      creationTimestamp: iso(clock.now - 30 * 24 * 3600_000),
      annotations: { 'rollout.argoproj.io/revision': rollout.revision },
    },
    spec: {
      replicas: canaryCount + stableCount,
      selector: { matchLabels: { app: appLabel } },
      template: {
        metadata: { labels: { app: appLabel } },
        spec: {
          containers: templateContainers.map((c) => ({
            name: c.name,
            image: c.image,
            ports: [{ containerPort: 8080, name: 'http' }],
          })),
        },
      },
      strategy: {
        canary: {
          canaryService: `${scenario.rolloutName}-canary`,
          stableService: `${scenario.rolloutName}-stable`,
          ...(trafficRouted
            ? { trafficRouting: { istio: { virtualService: { name: scenario.rolloutName, routes: ['primary'] } } } }
            : {}),
          steps,
        },
      },
    },
    status,
  };
}

/** The Flagger objects of a scenario: its Canary (unless `canaryObject: false`) and the two Deployments. */
export function buildFlaggerObjects(
  scenario: Scenario,
  clock: ObjectClock,
): { canaries: KubeObject[]; deployments: KubeObject[] } {
  const flagger = scenario.flagger;
  if (!flagger) return { canaries: [], deployments: [] };
  const created = iso(clock.now - 30 * 24 * 3600_000);
  const deployment = (name: string, side: 'canary' | 'stable'): KubeObject => {
    const pods = scenario.pods.filter((p) => p.side === side);
    const template = pods[0]?.containers.filter((c) => !isMeshSidecar(c.name)) ?? [];
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name,
        namespace: scenario.namespace,
        uid: stableUid(`deployment/${scenario.namespace}/${name}`),
        generation: 2,
        resourceVersion: '800',
        creationTimestamp: created,
        annotations: { 'deployment.kubernetes.io/revision': '2' },
      },
      spec: {
        replicas: pods.length,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: template.map((c) => ({ name: c.name, image: c.image })) },
        },
      },
      status: {
        observedGeneration: 2,
        replicas: pods.length,
        updatedReplicas: pods.length,
        readyReplicas: pods.filter(podIsReady).length,
        availableReplicas: pods.filter(podIsReady).length,
      },
    };
  };
  const canaries: KubeObject[] =
    flagger.canaryObject === false
      ? []
      : [
          {
            apiVersion: 'flagger.app/v1beta1',
            kind: 'Canary',
            metadata: {
              name: flagger.name,
              namespace: scenario.namespace,
              uid: stableUid(`canary/${scenario.namespace}/${flagger.name}`),
              generation: 1,
              resourceVersion: '850',
              creationTimestamp: created,
            },
            spec: {
              targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: flagger.target },
              service: { port: 8080 },
              analysis: { interval: '1m', threshold: 5, maxWeight: 50, stepWeight: 10 },
            },
            status: {
              phase: 'Progressing',
              canaryWeight: 10,
              failedChecks: 0,
              iterations: 0,
              lastAppliedSpec: createHash('sha1').update(scenario.id).digest('hex').slice(0, 10),
              conditions: [
                {
                  type: 'Promoted',
                  status: 'Unknown',
                  reason: 'Progressing',
                  message: 'New revision detected, progressing canary analysis.',
                  lastTransitionTime: iso(clock.now - 5 * 60_000),
                  lastUpdateTime: iso(clock.now - 60_000),
                },
              ],
            },
          },
        ];
  return {
    canaries,
    deployments: [deployment(flagger.target, 'canary'), deployment(`${flagger.target}-primary`, 'stable')],
  };
}
