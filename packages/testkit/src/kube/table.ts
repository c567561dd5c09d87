/**
 * `meta.k8s.io/v1 Table` answers, the server-side printing kubectl asks for (`Accept: ...;as=Table`), so that
 * `kubectl get pods` shows the STATUS column computed the way the real API server computes it.
 */
import type { KubeObject } from './objects.js';

interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

function age(creationTimestamp: unknown, now: number): string {
  if (typeof creationTimestamp !== 'string') return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - Date.parse(creationTimestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v !== null && typeof v === 'object' ? (v as Rec) : {});

/** The STATUS kubectl prints: the pod phase, overridden by a container's waiting/terminated reason. */
export function podStatusReason(pod: KubeObject): string {
  const status = rec(pod.status);
  let reason =
    typeof status.reason === 'string' ? status.reason : typeof status.phase === 'string' ? status.phase : 'Unknown';
  const statuses = Array.isArray(status.containerStatuses) ? (status.containerStatuses as Rec[]) : [];
  let hasRunning = false;
  // The real printer walks container statuses from last to first, so the first container's reason wins.
  for (const cs of [...statuses].reverse()) {
    const state = rec(cs.state);
    const waiting = rec(state.waiting);
    const terminated = rec(state.terminated);
    if (typeof waiting.reason === 'string' && waiting.reason !== '') reason = waiting.reason;
    else if (typeof terminated.reason === 'string' && terminated.reason !== '') reason = terminated.reason;
    else if (state.terminated !== undefined)
      reason = `ExitCode:${typeof terminated.exitCode === 'number' ? terminated.exitCode : 0}`;
    else if (cs.ready === true && state.running !== undefined) hasRunning = true;
  }
  if (reason === 'Completed' && hasRunning) reason = 'Running';
  if (pod.metadata.deletionTimestamp !== undefined) reason = 'Terminating';
  return reason;
}

const POD_COLUMNS: ColumnDefinition[] = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
  {
    name: 'Ready',
    type: 'string',
    format: '',
    description: 'The aggregate readiness state of this pod for accepting traffic.',
    priority: 0,
  },
  {
    name: 'Status',
    type: 'string',
    format: '',
    description: 'The aggregate status of the containers in this pod.',
    priority: 0,
  },
  {
    name: 'Restarts',
    type: 'string',
    format: '',
    description: 'The number of times the containers in this pod have been restarted.',
    priority: 0,
  },
  {
    name: 'Age',
    type: 'string',
    format: '',
    description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
    priority: 0,
  },
  { name: 'IP', type: 'string', format: '', description: 'IP address allocated to the pod.', priority: 1 },
  {
    name: 'Node',
    type: 'string',
    format: '',
    description: 'NodeName of the node the pod is scheduled on.',
    priority: 1,
  },
];

const GENERIC_COLUMNS: ColumnDefinition[] = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
  {
    name: 'Age',
    type: 'string',
    format: '',
    description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
    priority: 0,
  },
];

const EVENT_COLUMNS: ColumnDefinition[] = [
  {
    name: 'Last Seen',
    type: 'string',
    format: '',
    description: 'Time when this Event was last observed.',
    priority: 0,
  },
  { name: 'Type', type: 'string', format: '', description: 'Type of this event (Normal, Warning).', priority: 0 },
  { name: 'Reason', type: 'string', format: '', description: 'Why the action was taken.', priority: 0 },
  { name: 'Object', type: 'string', format: '', description: 'The object that this event is about.', priority: 0 },
  {
    name: 'Message',
    type: 'string',
    format: '',
    description: 'A human-readable description of the status of this operation.',
    priority: 0,
  },
];

function eventCells(event: KubeObject, now: number): unknown[] {
  const involved = rec(event.involvedObject);
  const kind = typeof involved.kind === 'string' ? involved.kind.toLowerCase() : '';
  const name = typeof involved.name === 'string' ? involved.name : '';
  return [age(event.lastTimestamp, now), event.type, event.reason, `${kind}/${name}`, event.message];
}

function rowObject(object: KubeObject): Rec {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

function podCells(pod: KubeObject, now: number): unknown[] {
  const status = rec(pod.status);
  const statuses = Array.isArray(status.containerStatuses) ? (status.containerStatuses as Rec[]) : [];
  const spec = rec(pod.spec);
  const containerCount = Array.isArray(spec.containers) ? spec.containers.length : statuses.length;
  const ready = statuses.filter((cs) => cs.ready === true).length;
  const restarts = statuses.reduce((sum, cs) => sum + (typeof cs.restartCount === 'number' ? cs.restartCount : 0), 0);
  return [
    pod.metadata.name,
    `${ready}/${containerCount}`,
    podStatusReason(pod),
    String(restarts),
    age(pod.metadata.creationTimestamp, now),
    status.podIP ?? '<none>',
    spec.nodeName ?? '<none>',
  ];
}

export function toTable(
  kind: 'pods' | 'events' | 'generic',
  objects: KubeObject[],
  now: number,
  listMeta: Rec = {},
): Rec {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: '10000', ...listMeta },
    columnDefinitions: kind === 'pods' ? POD_COLUMNS : kind === 'events' ? EVENT_COLUMNS : GENERIC_COLUMNS,
    rows: objects.map((o) => ({
      cells:
        kind === 'pods'
          ? podCells(o, now)
          : kind === 'events'
            ? eventCells(o, now)
            : [o.metadata.name, age(o.metadata.creationTimestamp, now)],
      object: rowObject(o),
    })),
  };
}
