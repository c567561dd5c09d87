/**
 * ClusterReader over @kubernetes/client-node 1.4. Every call is bounded by the adapter's timeout and the caller's
 * abort signal; failures become DependencyError('kubernetes', ...), never SDK exceptions. A call the API server
 * throttles is retried after the wait it names, as client-go does, within the same budget.
 */
import { setTimeout as wait } from 'node:timers/promises';
import pRetry from 'p-retry';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  type ConfigurationOptions,
  type CoreV1Event,
  type V1ContainerState,
  type V1ContainerStatus,
  type V1Pod,
} from '@kubernetes/client-node';
import {
  DependencyError,
  InvalidRequestError,
  callDependency,
  parseRetryAfter,
  upstreamFailure,
  type CallOptions,
  type ClusterReader,
  type ContainerInfo,
  type ContainerState,
  type KubeEvent,
  type LogReadRequest,
  type PodInfo,
  type RolloutInfo,
} from '@aiops/contracts';
import { withSignal } from './with-signal.js';

export interface LoadKubeConfigOptions {
  kubeconfigPath?: string;
  /** Use the pod's service account (token, CA and namespace mounted by Kubernetes). */
  inCluster?: boolean;
  context?: string;
}

/** In-cluster service account when asked, else the given file, else KUBECONFIG / ~/.kube/config / in-cluster. */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (options.inCluster) kubeConfig.loadFromCluster();
  else if (options.kubeconfigPath !== undefined) kubeConfig.loadFromFile(options.kubeconfigPath);
  else kubeConfig.loadFromDefault();
  if (options.context !== undefined) {
    if (!kubeConfig.getContextObject(options.context)) {
      const known = kubeConfig.getContexts().map((c) => c.name);
      throw new InvalidRequestError(
        'kubeconfig.context',
        `no context named "${options.context}" (known: ${known.join(', ') || 'none'})`,
      );
    }
    kubeConfig.setCurrentContext(options.context);
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw new InvalidRequestError('kubeconfig', 'the kubeconfig has no current cluster');
  }
  return kubeConfig;
}

export interface ClusterReaderOptions {
  /** Upper bound of each API call (its retries after throttling included), on top of the caller's signal. */
  timeoutMs: number;
  /** Retries of a call the API server throttled (default 5); 0 fails it at once. */
  throttleRetries?: number;
  /** Most events returned by listEvents (default 500). */
  maxEvents?: number;
}

const ROLLOUT_GROUP = 'argoproj.io';
const ROLLOUT_VERSION = 'v1alpha1';
const ROLLOUT_PLURAL = 'rollouts';

type Json = Record<string, unknown>;
const rec = (value: unknown): Json => (value !== null && typeof value === 'object' ? (value as Json) : {});
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

function isoTime(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  return value;
}

function toContainerState(state: V1ContainerState | undefined): ContainerState | undefined {
  if (!state) return undefined;
  if (state.running) {
    const out: ContainerState = { state: 'running' };
    const startedAt = isoTime(state.running.startedAt);
    if (startedAt) out.startedAt = startedAt;
    return out;
  }
  if (state.waiting) {
    const out: ContainerState = { state: 'waiting' };
    if (state.waiting.reason) out.reason = state.waiting.reason;
    if (state.waiting.message) out.message = state.waiting.message;
    return out;
  }
  if (state.terminated) {
    const t = state.terminated;
    const out: ContainerState = { state: 'terminated', exitCode: t.exitCode };
    if (t.reason) out.reason = t.reason;
    if (t.message) out.message = t.message;
    const startedAt = isoTime(t.startedAt);
    if (startedAt) out.startedAt = startedAt;
    const finishedAt = isoTime(t.finishedAt);
    if (finishedAt) out.finishedAt = finishedAt;
    return out;
  }
  return undefined;
}

function toContainers(
  specContainers: Array<{ name: string; image?: string }> | undefined,
  statuses: V1ContainerStatus[] | undefined,
): ContainerInfo[] {
  // Spec order is what matters to readers (sidecars may come first); statuses are matched by name.
  return (specContainers ?? []).map((spec) => {
    const status = statuses?.find((s) => s.name === spec.name);
    const info: ContainerInfo = {
      name: spec.name,
      image: spec.image ?? status?.image ?? '',
      ready: status?.ready ?? false,
      restartCount: status?.restartCount ?? 0,
      current: toContainerState(status?.state) ?? { state: 'unknown' },
    };
    const last = toContainerState(status?.lastState);
    if (last?.state === 'terminated') info.last = last;
    return info;
  });
}

export function toPodInfo(pod: V1Pod): PodInfo {
  const metadata = pod.metadata ?? {};
  const labels = metadata.labels ?? {};
  const info: PodInfo = {
    name: metadata.name ?? '',
    namespace: metadata.namespace ?? '',
    labels,
    phase: pod.status?.phase ?? 'Unknown',
    ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    containers: toContainers(pod.spec?.containers, pod.status?.containerStatuses),
    initContainers: toContainers(pod.spec?.initContainers, pod.status?.initContainerStatuses),
  };
  const createdAt = isoTime(metadata.creationTimestamp);
  if (createdAt) info.createdAt = createdAt;
  const hash = labels['pod-template-hash'] ?? labels['rollouts-pod-template-hash'];
  if (hash) info.podTemplateHash = hash;
  const owner = metadata.ownerReferences?.find((o) => o.kind === 'ReplicaSet');
  if (owner) info.ownerReplicaSet = owner.name;
  if (metadata.deletionTimestamp) info.deleting = true;
  return info;
}

function eventTime(event: CoreV1Event): string | undefined {
  return (
    isoTime(event.series?.lastObservedTime) ??
    isoTime(event.lastTimestamp) ??
    isoTime(event.eventTime) ??
    isoTime(event.firstTimestamp) ??
    isoTime(event.metadata.creationTimestamp)
  );
}

export function toKubeEvent(event: CoreV1Event): KubeEvent {
  const out: KubeEvent = {
    type: event.type ?? 'Normal',
    reason: event.reason ?? '',
    message: event.message ?? '',
    objectKind: event.involvedObject.kind ?? '',
    objectName: event.involvedObject.name ?? '',
    count: event.series?.count ?? event.count ?? 1,
  };
  const lastSeen = eventTime(event);
  if (lastSeen) out.lastSeen = lastSeen;
  return out;
}

/** The canary weight: the traffic router's reported weight, else the last setWeight at or before the current step. */
function canaryWeightOf(spec: Json, status: Json): number | undefined {
  const reported = num(rec(rec(rec(status.canary).weights).canary).weight);
  if (reported !== undefined) return reported;
  const steps = rec(rec(spec.strategy).canary).steps;
  const index = num(status.currentStepIndex);
  if (!Array.isArray(steps) || index === undefined) return undefined;
  for (let i = Math.min(index, steps.length - 1); i >= 0; i--) {
    const weight = num(rec(steps[i]).setWeight);
    if (weight !== undefined) return weight;
  }
  return undefined;
}

export function toRolloutInfo(object: unknown): RolloutInfo {
  const body = rec(object);
  const metadata = rec(body.metadata);
  const spec = rec(body.spec);
  const status = rec(body.status);
  const containers = rec(rec(spec.template).spec).containers;
  const info: RolloutInfo = {
    name: str(metadata.name) ?? '',
    namespace: str(metadata.namespace) ?? '',
    images: Array.isArray(containers)
      ? containers.map((c) => str(rec(c).image)).filter((i): i is string => i !== undefined)
      : [],
  };
  const revision = str(rec(metadata.annotations)['rollout.argoproj.io/revision']);
  if (revision !== undefined) info.revision = revision;
  const phase = str(status.phase);
  if (phase !== undefined) info.phase = phase;
  const message = str(status.message);
  if (message !== undefined) info.message = message;
  const currentPodHash = str(status.currentPodHash);
  if (currentPodHash !== undefined) info.currentPodHash = currentPodHash;
  const stablePodHash = str(status.stableRS);
  if (stablePodHash !== undefined) info.stablePodHash = stablePodHash;
  const strategy = rec(spec.strategy);
  const canaryService = str(rec(strategy.canary).canaryService) ?? str(rec(strategy.blueGreen).previewService);
  if (canaryService !== undefined) info.canaryService = canaryService;
  const stableService = str(rec(strategy.canary).stableService) ?? str(rec(strategy.blueGreen).activeService);
  if (stableService !== undefined) info.stableService = stableService;
  const weight = canaryWeightOf(spec, status);
  if (weight !== undefined) info.canaryWeight = weight;
  const step = num(status.currentStepIndex);
  if (step !== undefined) info.currentStepIndex = step;
  return info;
}

/** The Kubernetes Status message of an ApiException (its body is a JSON string, an object, or nothing). */
function statusMessage(err: ApiException<unknown>): string {
  let body: unknown = err.body;
  if (typeof body === 'string') {
    const text = body;
    try {
      body = JSON.parse(text);
    } catch {
      return text.slice(0, 300);
    }
  }
  return str(rec(body).message) ?? '';
}

function sdkErrorCode(err: unknown): string | undefined {
  return str(rec(err).code) ?? str(rec(rec(err).cause).code);
}

export function createClusterReader(kubeConfig: KubeConfig, options: ClusterReaderOptions): ClusterReader {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const maxEvents = options.maxEvents ?? 500;
  const { timeoutMs, throttleRetries } = options;

  /** One API call; the SDK takes the signal only through a middleware. */
  const call = <T>(what: string, callOptions: CallOptions, run: (config: ConfigurationOptions) => Promise<T>) =>
    kubeCall(what, timeoutMs, callOptions, (signal) => run(withSignal(signal)), throttleRetries);

  return {
    async listPods(namespace, labelSelector, callOptions) {
      try {
        const list = await call(`list pods in ${namespace}`, callOptions, (config) =>
          core.listNamespacedPod({ namespace, labelSelector }, config),
        );
        return itemsOf(`list pods in ${namespace}`, list).map(toPodInfo);
      } catch (err) {
        // A namespace that does not exist simply has no pods.
        if (err instanceof DependencyError && err.upstreamStatus === 404) return [];
        throw err;
      }
    },

    async readLog(request: LogReadRequest, callOptions) {
      const { namespace, pod, container, previous, tailLines, limitBytes, sinceSeconds } = request;
      try {
        const text = await call(
          `read log of ${namespace}/${pod}/${container}${previous ? ' (previous)' : ''}`,
          callOptions,
          (config) =>
            core.readNamespacedPodLog(
              {
                namespace,
                name: pod,
                container,
                previous,
                tailLines,
                limitBytes,
                ...(sinceSeconds !== undefined ? { sinceSeconds } : {}),
              },
              config,
            ),
        );
        return typeof text === 'string' ? text : '';
      } catch (err) {
        if (err instanceof DependencyError && err.upstreamStatus === 400) {
          // No previous instance, or a container that never started (ImagePullBackOff...): there is no log to read.
          if (previous || /is waiting to start|not found/i.test(err.message)) return '';
        }
        throw err;
      }
    },

    async listEvents(namespace, callOptions) {
      const list = await call(`list events in ${namespace}`, callOptions, (config) =>
        core.listNamespacedEvent({ namespace, limit: maxEvents }, config),
      );
      const withTimes = itemsOf(`list events in ${namespace}`, list).map((event) => ({
        event: toKubeEvent(event),
        at: Date.parse(eventTime(event) ?? '') || 0,
      }));
      withTimes.sort((a, b) => b.at - a.at);
      return withTimes.slice(0, maxEvents).map((e) => e.event);
    },

    async namespaceExists(namespace, callOptions) {
      try {
        await call(`get namespace ${namespace}`, callOptions, (config) =>
          core.readNamespace({ name: namespace }, config),
        );
        return true;
      } catch (err) {
        if (err instanceof DependencyError && err.upstreamStatus === 404) return false;
        // A namespaced Role may not grant reading the namespace: then we cannot tell, and say nothing.
        if (err instanceof DependencyError && (err.upstreamStatus === 403 || err.upstreamStatus === 401))
          return undefined;
        throw err;
      }
    },

    async getRollout(namespace, name, callOptions) {
      try {
        const object: unknown = await call(`get rollout ${namespace}/${name}`, callOptions, (config) =>
          custom.getNamespacedCustomObject(
            { group: ROLLOUT_GROUP, version: ROLLOUT_VERSION, namespace, plural: ROLLOUT_PLURAL, name },
            config,
          ),
        );
        return toRolloutInfo(object);
      } catch (err) {
        // 404: no such Rollout, or the Argo Rollouts CRD is not installed.
        if (err instanceof DependencyError && err.upstreamStatus === 404) return undefined;
        throw err;
      }
    },
  };
}

/**
 * The items of a list answer. A 200 that is not a Kubernetes list (a proxy's HTML page, which the client hands
 * back as a string) is the API server's failure, not ours: a DependencyError, never a TypeError.
 */
function itemsOf<T>(what: string, list: { items?: T[] } | string | null | undefined): T[] {
  if (typeof list === 'object' && list !== null && Array.isArray(list.items)) return list.items;
  throw new DependencyError('kubernetes', `${what}: the answer is not a Kubernetes list`);
}

/** client-go retries a throttled call up to 10 times; half of that still rides out a burst of a few seconds. */
export const DEFAULT_THROTTLE_RETRIES = 5;

/** A response header of a failed call; both HTTP layers (undici, node-fetch) name headers in lower case. */
const headerOf = (err: ApiException<unknown>, name: string): string | undefined => err.headers[name];

/**
 * The wait in seconds the API server asked for when it throttled a call, else undefined. A 429 is API Priority and
 * Fairness turning the request away unprocessed (1 s when it names no wait, as client-go assumes); a 5xx counts only
 * with a Retry-After, the server's own word that the request may be sent again.
 */
function throttleWaitSeconds(err: unknown): number | undefined {
  if (!(err instanceof ApiException)) return undefined;
  const retryAfter = headerOf(err, 'retry-after');
  if (err.code === 429) return parseRetryAfter(retryAfter) ?? 1;
  return err.code >= 500 ? parseRetryAfter(retryAfter) : undefined;
}

/**
 * One Kubernetes API call through the shared dependency-call helper: timeout, abort, typed kubernetes errors. A
 * throttled call is sent again after the server's wait while the wait fits in the call's budget: 200 rollouts
 * measured at once make a real API server throttle, and a failed analysis is a failed measurement for the plugin.
 */
export function kubeCall<T>(
  what: string,
  timeoutMs: number,
  callOptions: CallOptions,
  run: (signal: AbortSignal) => Promise<T>,
  throttleRetries = DEFAULT_THROTTLE_RETRIES,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  return callDependency(
    {
      dependency: 'kubernetes',
      what,
      signal: callOptions.signal,
      timeoutMs,
      translate: (err) => translateKubeError(what, err),
    },
    (signal) =>
      pRetry(() => run(signal), {
        retries: throttleRetries,
        // The server's Retry-After is the only wait between attempts (onFailedAttempt).
        minTimeout: 0,
        maxTimeout: 0,
        signal,
        shouldRetry: ({ error }) => throttleWaitSeconds(error) !== undefined,
        onFailedAttempt: async ({ error, retriesLeft }) => {
          const seconds = throttleWaitSeconds(error);
          if (seconds === undefined || retriesLeft === 0) return;
          // A wait that would outlast the budget is not waited out: the caller hears of the throttling at once.
          if (performance.now() + seconds * 1000 >= deadline) throw error;
          await wait(seconds * 1000, undefined, { signal });
        },
      }),
  );
}

/** The API server's status of a failed call, when it answered. */
export const upstreamStatusOf = (err: unknown): number | undefined =>
  err instanceof DependencyError ? err.upstreamStatus : undefined;

export function translateKubeError(what: string, err: unknown): DependencyError {
  if (err instanceof ApiException) {
    const status = err.code;
    const detail = statusMessage(err as ApiException<unknown>);
    if (status === 401 || status === 403) {
      return new DependencyError(
        'kubernetes',
        `forbidden: ${what} was refused (${status}${detail ? `: ${detail}` : ''}); check the RBAC of the service account`,
        {
          cause: err,
          upstreamStatus: status,
        },
      );
    }
    return upstreamFailure('kubernetes', what, {
      status,
      detail,
      retryAfter: headerOf(err, 'retry-after'),
      cause: err,
    });
  }
  const code = sdkErrorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  return new DependencyError('kubernetes', `${what} failed${code ? ` (${code})` : ''}: ${message}`, { cause: err });
}
