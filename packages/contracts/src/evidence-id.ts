/**
 * Evidence ids: how a finding, a log signature, a metric, a pod or an event is named in the prompt, in a model's
 * answer and in the policy. A model's veto counts only when the ids it cites are ids the evidence has, so every id
 * is built here and read back here: nowhere else concatenates one.
 */

/** The kinds of evidence an id can name, by prefix. */
const EVIDENCE_KINDS = ['log', 'logs', 'metric', 'k8s', 'pod', 'pods', 'traffic', 'event', 'rollout'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

declare const evidenceIdBrand: unique symbol;
/** An id built by {@link EvidenceIds}; a plain string (a model's citation) becomes one through {@link parseEvidenceId}. */
export type EvidenceId = string & { readonly [evidenceIdBrand]: true };

const KINDS: ReadonlySet<string> = new Set<string>(EVIDENCE_KINDS);

function make(kind: EvidenceKind, ...parts: (string | number)[]): EvidenceId {
  return `${kind}:${parts.join(':')}` as EvidenceId;
}

export const EvidenceIds = {
  /** A log signature (template) by its signature id. */
  logSignature: (signatureId: string): EvidenceId => make('log', signatureId),
  /** Request evidence read from access logs (5xx ratio, latency), canary vs stable. */
  accessLog: (name: string): EvidenceId => make('logs', name),
  /** A Prometheus metric comparison, or a finding about it, by the query's name. */
  metric: (name: string): EvidenceId => make('metric', name),
  /** A pod-health comparison read from the Kubernetes API (readiness, restarts). */
  podHealth: (name: string): EvidenceId => make('k8s', name),
  /** A problem of one container of one pod (crash-loop, oom-killed, restarts, …). */
  containerProblem: (podName: string, containerName: string, problem: string): EvidenceId =>
    make('pod', podName, containerName, problem),
  /** A running canary pod that is not ready. */
  podNotReady: (podName: string): EvidenceId => make('pod', podName, 'not-ready'),
  /** A pod's state as listed in the evidence. */
  podState: (side: 'canary' | 'stable', podName: string): EvidenceId => make('pod', `${side}/${podName}`),
  /** No canary pod matched the canary selector. */
  noCanaryPods: (): EvidenceId => make('pods', 'canary', 'none'),
  /** The Rollout's own state (phase, weight, images). */
  rollout: (name: string): EvidenceId => make('rollout', name),
  /** The canary has received little or no traffic yet. */
  noCanaryTraffic: (): EvidenceId => make('traffic', 'canary', 'none'),
  /** A Warning event about an object, by its reason. */
  event: (objectName: string, reason: string): EvidenceId => make('event', objectName, reason),
  /** The n-th Warning event (1-based) in the evidence's event list. */
  eventAt: (position: number): EvidenceId => make('event', position),
} as const;

export interface ParsedEvidenceId {
  id: EvidenceId;
  kind: EvidenceKind;
  /** What follows the kind's prefix. */
  name: string;
}

/** Reads an id (e.g. one a model cited) back; undefined for anything that is not a well-formed evidence id. */
export function parseEvidenceId(text: string): ParsedEvidenceId | undefined {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  if (colon <= 0) return undefined;
  const kind = trimmed.slice(0, colon);
  const name = trimmed.slice(colon + 1);
  if (!KINDS.has(kind) || name.length === 0 || /\s/.test(name)) return undefined;
  return { id: trimmed as EvidenceId, kind: kind as EvidenceKind, name };
}

/** An id read from stored or hand-written data; throws when the text is not a well-formed evidence id. */
export function asEvidenceId(text: string): EvidenceId {
  const parsed = parseEvidenceId(text);
  if (parsed === undefined) throw new TypeError(`not an evidence id: ${JSON.stringify(text.slice(0, 80))}`);
  return parsed.id;
}

/** Whether an id names a problem of this pod (any container). */
export function isPodProblemOf(id: string, podName: string): boolean {
  const parsed = parseEvidenceId(id);
  return parsed?.kind === 'pod' && parsed.name.startsWith(`${podName}:`);
}

/** The id of a pod problem with the pod's name replaced, so the same problem on a replaced pod compares equal. */
export function withoutPodNames(id: string, podNames: readonly string[]): string {
  let out = id;
  for (const name of [...podNames].sort((a, b) => b.length - a.length)) if (name) out = out.split(name).join('*');
  return out;
}
