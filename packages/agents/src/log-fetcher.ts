/**
 * The log fetcher: every pod of each selector, the app containers (sidecars skipped wherever they are), bounded
 * log reads, the previous container's log after a restart, events for those pods and the Rollout object. It turns
 * the lines into a signature diff and findings. No model here.
 *
 * A mesh proxy's access log (istio-proxy, envoy) is read too, as the pod's request evidence only: it sees every
 * request, including the ones that never reached the app (`503 UF`). Where a pod has one, its own access lines are not
 * counted again; the proxy's lines never enter the error signatures.
 */
import { EvidenceIds } from '@aiops/contracts';
import pLimit from 'p-limit';
import type {
  AnalysisRequest,
  CallOptions,
  ClusterReader,
  EvidenceScope,
  Finding,
  KubeEvent,
  LogDiff,
  MetricComparison,
  PodInfo,
  PodLabelHint,
  RolloutInfo,
} from '@aiops/contracts';
import {
  appContainers,
  diffLogSignatures,
  eventFindings,
  hasPreviousInstance,
  logEvidence,
  meshProxyContainers,
  type LogEvidence,
  type LogEvidenceOptions,
  type LogText,
} from '@aiops/evidence';
import { redactOrFail, type RunContext } from './run-context.js';

export interface LogFetcherConfig {
  tailLines: number;
  limitBytes: number;
  sinceSeconds: number;
  maxPodsPerSide: number;
  /** Parallel log reads per analysis. */
  concurrency: number;
  maxSignatures: number;
}

export interface LogFetcherResult {
  pods: { canary: PodInfo[]; stable: PodInfo[] };
  /** Read only when a side has no pod: does the namespace exist, and what do the pods a selector may have meant carry. */
  scope?: EvidenceScope;
  rollout?: RolloutInfo;
  events: KubeEvent[];
  logs: LogDiff;
  /** Access-log status codes and latencies, judged canary vs stable. */
  accessLog: MetricComparison[];
  findings: Finding[];
  notes: string[];
}

/**
 * Redacts the log texts as read (secrets never reach anything derived from them), then turns them into the
 * signature diff and findings. The service may run it on a worker thread for large input; it must honour the
 * signal, and a failure is a typed error, never a verdict.
 */
export type LogEvidenceFn = (
  texts: LogText[],
  options: LogEvidenceOptions,
  signal: AbortSignal,
) => Promise<LogEvidence>;

/** On the calling thread, with the workflow's redactor (a redactor failure is `redaction_failed`). */
export const inlineLogEvidence =
  (redact: (text: string) => string): LogEvidenceFn =>
  (texts, options) =>
    Promise.resolve(
      logEvidence(
        texts.map((t) => ({ ...t, text: redactOrFail(redact, t.text) })),
        options,
      ),
    );

const unhealthiness = (p: PodInfo) => (p.ready ? 0 : 1000) + appContainers(p).reduce((n, c) => n + c.restartCount, 0);

/** Keeps the pods most likely to show a failure when a side has more pods than the bound. */
function boundPods(pods: PodInfo[], max: number): { kept: PodInfo[]; dropped: number } {
  if (pods.length <= max) return { kept: pods, dropped: 0 };
  const sorted = [...pods].sort((a, b) => unhealthiness(b) - unhealthiness(a) || a.name.localeCompare(b.name));
  return { kept: sorted.slice(0, max), dropped: pods.length - max };
}

/** When the canary has barely logged while stable has, there is no traffic to judge yet: say so. */
function trafficFinding(
  canaryEvents: number,
  stableEvents: number,
  rollout: RolloutInfo | undefined,
  canaryPods: number,
): Finding | undefined {
  if (canaryPods === 0) return undefined;
  const weightZero = rollout?.canaryWeight === 0;
  if (!weightZero && !(canaryEvents < 5 && stableEvents >= 50)) return undefined;
  return {
    id: EvidenceIds.noCanaryTraffic(),
    kind: 'no-traffic',
    side: 'canary',
    severity: 'info',
    hard: false,
    title: `the canary has received little or no traffic yet (${weightZero ? 'canary weight 0%, ' : ''}${canaryEvents} canary vs ${stableEvents} stable log events)`,
  };
}

const HASH_LABELS = new Set(['pod-template-hash', 'rollouts-pod-template-hash']);

function hintFrom(source: PodLabelHint['source'], pods: PodInfo[]): PodLabelHint | undefined {
  const newest = [...pods].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))[0];
  if (!newest) return undefined;
  const labels = Object.fromEntries(Object.entries(newest.labels).filter(([key]) => !HASH_LABELS.has(key)));
  return { source, labels, pods: pods.length };
}

/**
 * When a selector matched nothing, reads what an operator needs to fix it: whether the namespace exists, and the
 * labels of the pods the selector may have meant (the Rollout's newest or stable pod-template-hash, else the
 * namespace's newest pods not on the other side).
 */
async function readScope(
  cluster: ClusterReader,
  request: AnalysisRequest,
  pods: { canary: PodInfo[]; stable: PodInfo[] },
  rollout: RolloutInfo | undefined,
  options: CallOptions,
): Promise<EvidenceScope> {
  const { namespace } = request;
  const scope: EvidenceScope = {};
  const exists = await cluster.namespaceExists(namespace, options);
  if (exists !== undefined) scope.namespaceExists = exists;
  if (exists === false) return scope;
  const byHash = async (hash: string | undefined) =>
    hash ? cluster.listPods(namespace, `rollouts-pod-template-hash=${hash}`, options) : [];
  let everything: PodInfo[] | undefined;
  const namespacePods = async (): Promise<PodInfo[]> => (everything ??= await cluster.listPods(namespace, '', options));
  for (const side of ['canary', 'stable'] as const) {
    if (pods[side].length > 0) continue;
    const other = new Set(pods[side === 'canary' ? 'stable' : 'canary'].map((p) => p.name));
    const fromRollout = await byHash(side === 'canary' ? rollout?.currentPodHash : rollout?.stablePodHash);
    const hint =
      hintFrom(side === 'canary' ? 'rollout-canary' : 'rollout-stable', fromRollout) ??
      hintFrom(
        'namespace',
        (await namespacePods()).filter((p) => !other.has(p.name)),
      );
    if (hint) scope[side === 'canary' ? 'canaryHint' : 'stableHint'] = hint;
  }
  return scope;
}

export async function fetchLogs(
  cluster: ClusterReader,
  request: AnalysisRequest,
  config: LogFetcherConfig,
  run: RunContext,
  evidence: LogEvidenceFn,
): Promise<LogFetcherResult> {
  const { signal } = run;
  const { namespace } = request;
  const [canaryAll, stableAll, rollout, allEvents] = await Promise.all([
    cluster.listPods(namespace, request.canarySelector, { signal }),
    cluster.listPods(namespace, request.stableSelector, { signal }),
    request.rolloutName ? cluster.getRollout(namespace, request.rolloutName, { signal }) : Promise.resolve(undefined),
    cluster.listEvents(namespace, { signal }),
  ]);
  const notes: string[] = [];
  const canary = boundPods(canaryAll, config.maxPodsPerSide);
  const stable = boundPods(stableAll, config.maxPodsPerSide);
  if (canary.dropped + stable.dropped > 0) {
    notes.push(
      `Logs were read from ${config.maxPodsPerSide} pods per side at most (${canary.dropped} canary and ${stable.dropped} stable pods not read; unhealthy pods first).`,
    );
  }
  const scope =
    canaryAll.length === 0 || stableAll.length === 0
      ? await readScope(cluster, request, { canary: canaryAll, stable: stableAll }, rollout, { signal })
      : undefined;
  if (request.rolloutName && !rollout)
    notes.push(`Rollout ${namespace}/${request.rolloutName} was not found; the analysis uses the selectors only.`);

  const stableNames = new Set(stableAll.map((p) => p.name));
  if (canaryAll.length === 0 || canaryAll.some((p) => stableNames.has(p.name))) {
    // Nothing to judge (no canary, or pods on both sides): no logs are read, the assessment says what is missing.
    const logs = diffLogSignatures(
      { canary: [], stable: [] },
      { maxSignatures: config.maxSignatures, examplesPerSignature: 3, maxExampleChars: 1500, redact: (s) => s },
    );
    return {
      pods: { canary: canaryAll, stable: stableAll },
      ...(scope ? { scope } : {}),
      ...(rollout ? { rollout } : {}),
      events: [],
      logs,
      accessLog: [],
      findings: [],
      notes,
    };
  }

  const limit = pLimit(config.concurrency);
  const reads: Array<Promise<LogText>> = [];
  for (const [side, pods] of [
    ['canary', canary.kept],
    ['stable', stable.kept],
  ] as const) {
    for (const pod of pods) {
      for (const container of appContainers(pod)) {
        const base = {
          namespace,
          pod: pod.name,
          container: container.name,
          tailLines: config.tailLines,
          limitBytes: config.limitBytes,
        };
        // A waiting container (image pull, config error) has no log to read.
        if (container.current.state !== 'waiting' || container.restartCount > 0) {
          reads.push(
            limit(async () => ({
              side,
              pod: pod.name,
              proxy: false,
              text: await cluster.readLog({ ...base, previous: false, sinceSeconds: config.sinceSeconds }, { signal }),
            })),
          );
        }
        if (hasPreviousInstance(container)) {
          // The reason a container crashed is often only in the previous instance's log.
          reads.push(
            limit(async () => ({
              side,
              pod: pod.name,
              proxy: false,
              text: await cluster.readLog({ ...base, previous: true }, { signal }),
            })),
          );
        }
      }
      for (const container of meshProxyContainers(pod)) {
        if (container.current.state === 'waiting' && container.restartCount === 0) continue;
        const read = {
          namespace,
          pod: pod.name,
          container: container.name,
          tailLines: config.tailLines,
          limitBytes: config.limitBytes,
          previous: false,
          sinceSeconds: config.sinceSeconds,
        };
        reads.push(
          limit(async () => ({ side, pod: pod.name, proxy: true, text: await cluster.readLog(read, { signal }) })),
        );
      }
    }
  }
  const texts = await Promise.all(reads);
  const found = await evidence(
    texts,
    { maxSignatures: config.maxSignatures, examplesPerSignature: 3, maxExampleChars: 1500 },
    signal,
  );
  const { logs } = found;
  const podNames = { canary: canary.kept.map((p) => p.name), stable: stable.kept.map((p) => p.name) };
  const relevant = new Set([
    ...podNames.canary,
    ...podNames.stable,
    ...(request.rolloutName ? [request.rolloutName] : []),
  ]);
  const podEvents = allEvents.filter(
    (e) =>
      relevant.has(e.objectName) ||
      (request.rolloutName !== undefined && e.objectName.startsWith(`${request.rolloutName}-`)),
  );

  const findings = [...found.logFindings, ...eventFindings(podEvents, podNames), ...found.accessFindings];
  const traffic = trafficFinding(found.events.canary, found.events.stable, rollout, canary.kept.length);
  if (traffic) findings.push(traffic);

  return {
    pods: { canary: canaryAll, stable: stableAll },
    ...(scope ? { scope } : {}),
    ...(rollout ? { rollout } : {}),
    events: podEvents.slice(0, 50),
    logs,
    accessLog: found.accessLog,
    findings,
    notes,
  };
}
