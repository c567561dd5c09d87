/**
 * EventRecorder over @kubernetes/client-node 1.4: core/v1 Events on the analysed object, so `kubectl describe`
 * shows the verdict. Like client-go's event correlator, a repeated Event is not created again: its `count`,
 * `lastTimestamp` and `message` are patched. The Event's name is derived from the object's uid, the reason and the
 * verdict's key, so replicas and restarts find the same Event (a create that meets 409 reads it and patches it).
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { CoreV1Api, CustomObjectsApi, type CoreV1Event, type KubeConfig } from '@kubernetes/client-node';
import {
  DependencyError,
  type CallOptions,
  type EventRecorder,
  type ObjectReference,
  type RecordedEvent,
  type VerdictEvent,
} from '@aiops/contracts';
import { kubeCall, upstreamStatusOf } from './cluster-reader.js';
import { withSignal } from './with-signal.js';

export interface EventRecorderOptions {
  timeoutMs: number;
  /** `source.component` / `reportingComponent` (kubectl's FROM column). */
  component?: string;
  /** Events remembered for patching without a read (default 1000; the oldest is forgotten first). */
  maxRemembered?: number;
}

/** Kinds whose objects Events may be about, and where to read them (for their uid). */
const PLURALS: Record<string, string> = {
  'argoproj.io/v1alpha1/Rollout': 'rollouts',
  'flagger.app/v1beta1/Canary': 'canaries',
};

type Json = Record<string, unknown>;
const rec = (value: unknown): Json => (value !== null && typeof value === 'object' ? (value as Json) : {});

export function createEventRecorder(kubeConfig: KubeConfig, options: EventRecorderOptions): EventRecorder {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const component = options.component ?? 'aiops-agent';
  const instance = hostname();
  const maxRemembered = options.maxRemembered ?? 1000;
  /** Event name → its count as last written by this process. */
  const counts = new Map<string, number>();
  /** Writes of one Event run one after the other, so concurrent verdicts cannot both write count n+1. */
  const queues = new Map<string, Promise<unknown>>();

  const call = <T>(what: string, callOptions: CallOptions, run: (signal: AbortSignal) => Promise<T>) =>
    kubeCall(what, options.timeoutMs, callOptions, run);

  const status = upstreamStatusOf;

  function remember(name: string, count: number): RecordedEvent {
    counts.delete(name);
    counts.set(name, count);
    if (counts.size > maxRemembered) {
      const oldest = counts.keys().next().value;
      if (oldest !== undefined) counts.delete(oldest);
    }
    return { name, count };
  }

  async function uidOf(ref: ObjectReference, callOptions: CallOptions): Promise<string | undefined> {
    const [group = '', version = ''] = ref.apiVersion.split('/');
    const plural = PLURALS[`${ref.apiVersion}/${ref.kind}`];
    if (plural === undefined) throw new DependencyError('kubernetes', `no Events are written on ${ref.kind} objects`);
    try {
      const object: unknown = await call(`get ${ref.kind} ${ref.namespace}/${ref.name}`, callOptions, (signal) =>
        custom.getNamespacedCustomObject(
          { group, version, namespace: ref.namespace, plural, name: ref.name },
          withSignal(signal),
        ),
      );
      const uid = rec(rec(object).metadata).uid;
      return typeof uid === 'string' ? uid : undefined;
    } catch (err) {
      if (status(err) === 404) return undefined;
      throw err;
    }
  }

  async function patch(
    namespace: string,
    name: string,
    count: number,
    message: string,
    callOptions: CallOptions,
  ): Promise<RecordedEvent> {
    // A JSON patch (client-node's default patch type): count, lastTimestamp and the latest message.
    const body = [
      { op: 'replace', path: '/count', value: count },
      { op: 'replace', path: '/lastTimestamp', value: new Date().toISOString() },
      { op: 'replace', path: '/message', value: message },
    ];
    await call(`patch event ${namespace}/${name}`, callOptions, (signal) =>
      core.patchNamespacedEvent({ namespace, name, body }, withSignal(signal)),
    );
    return remember(name, count);
  }

  return {
    async record(event: VerdictEvent, callOptions: CallOptions): Promise<RecordedEvent | undefined> {
      const ref = event.involvedObject;
      const uid = await uidOf(ref, callOptions);
      if (uid === undefined) return undefined;
      const digest = createHash('sha256').update(`${uid}\n${event.reason}\n${event.key}`).digest('hex').slice(0, 16);
      const name = `${ref.name}.aiops.${digest}`;
      const previous = queues.get(name) ?? Promise.resolve();
      const write = previous.then(
        () => writeEvent(name, uid, event, callOptions),
        () => writeEvent(name, uid, event, callOptions),
      );
      queues.set(name, write);
      const forget = () => {
        if (queues.get(name) === write) queues.delete(name);
      };
      write.then(forget, forget);
      return write;
    },
  };

  async function writeEvent(
    name: string,
    uid: string,
    event: VerdictEvent,
    callOptions: CallOptions,
  ): Promise<RecordedEvent> {
    const ref = event.involvedObject;
    const known = counts.get(name);
    if (known !== undefined) {
      try {
        return await patch(ref.namespace, name, known + 1, event.message, callOptions);
      } catch (err) {
        // Deleted meanwhile (Events expire after an hour by default): write it afresh below.
        if (status(err) !== 404) throw err;
        counts.delete(name);
      }
    }
    const now = new Date();
    const body: CoreV1Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ref.namespace },
      involvedObject: {
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        namespace: ref.namespace,
        name: ref.name,
        uid,
      },
      type: event.type,
      reason: event.reason,
      message: event.message,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component },
      reportingComponent: component,
      reportingInstance: instance,
    };
    try {
      await call(`create event ${ref.namespace}/${name}`, callOptions, (signal) =>
        core.createNamespacedEvent({ namespace: ref.namespace, body }, withSignal(signal)),
      );
      return remember(name, 1);
    } catch (err) {
      if (status(err) !== 409) throw err;
    }
    // Another replica, or this process before a restart, wrote it: continue its count.
    const existing = await call(`get event ${ref.namespace}/${name}`, callOptions, (signal) =>
      core.readNamespacedEvent({ namespace: ref.namespace, name }, withSignal(signal)),
    );
    return patch(ref.namespace, name, (existing.count ?? 1) + 1, event.message, callOptions);
  }
}
