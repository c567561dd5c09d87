/**
 * Findings from pod and container state, canary compared with stable. Pure: PodInfo in, Finding[] out.
 */
import { EvidenceIds, isPodProblemOf } from '@aiops/contracts';
import type {
  ContainerInfo,
  ContainerState,
  Finding,
  KubeEvent,
  MetricComparison,
  PodInfo,
  Side,
} from '@aiops/contracts';
import { appContainers } from './containers.js';

const IMAGE_PULL = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'ErrImageNeverPull',
  'RegistryUnavailable',
]);
const CONFIG_ERRORS = new Set([
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'PreCreateHookError',
  'PostStartHookError',
]);
/** Restarts at or above this count in a canary container that stable does not share are a hard failure, whatever the exit code. */
const HARD_RESTARTS = 3;

/** What the kubelet recorded of a termination: its reason and exit code, either one, or ''. */
function terminationParts(t: ContainerState): string {
  return [t.reason, t.exitCode !== undefined ? `exit code ${t.exitCode}` : undefined].filter(Boolean).join(', ');
}

function describeTermination(c: ContainerInfo): string {
  const t = c.last?.state === 'terminated' ? c.last : c.current.state === 'terminated' ? c.current : undefined;
  const parts = t ? terminationParts(t) : '';
  return parts ? `last termination: ${parts}` : '';
}

function isOomKilled(c: ContainerInfo): boolean {
  return c.current.reason === 'OOMKilled' || c.last?.reason === 'OOMKilled';
}

function containerFindings(
  pod: PodInfo,
  c: ContainerInfo,
  side: Side,
  init: boolean,
  stableRestartsPerContainer: number,
): Finding[] {
  const findings: Finding[] = [];
  const where = `${init ? 'init container' : 'container'} ${c.name} of ${side} pod ${pod.name}`;
  const id = (problem: string) => EvidenceIds.containerProblem(pod.name, c.name, problem);
  const hardIfCanary = side === 'canary';
  const waitingReason = c.current.state === 'waiting' ? c.current.reason : undefined;

  if (waitingReason === 'CrashLoopBackOff') {
    findings.push({
      id: id('crash-loop'),
      kind: 'crash-loop',
      side,
      severity: hardIfCanary ? 'critical' : 'error',
      hard: hardIfCanary,
      title: `${where} is in CrashLoopBackOff (${c.restartCount} restarts${describeTermination(c) ? `, ${describeTermination(c)}` : ''})`,
      ...(c.current.message ? { detail: c.current.message } : {}),
    });
  } else if (waitingReason && IMAGE_PULL.has(waitingReason)) {
    findings.push({
      id: id('image-pull'),
      kind: 'image-pull',
      side,
      severity: hardIfCanary ? 'critical' : 'error',
      hard: hardIfCanary,
      title: `${where} cannot pull its image ${c.image} (${waitingReason})`,
      ...(c.current.message ? { detail: c.current.message } : {}),
    });
  } else if (waitingReason && CONFIG_ERRORS.has(waitingReason)) {
    findings.push({
      id: id('config-error'),
      kind: 'config-error',
      side,
      severity: hardIfCanary ? 'critical' : 'error',
      hard: hardIfCanary,
      title: `${where} cannot start (${waitingReason})`,
      ...(c.current.message ? { detail: c.current.message } : {}),
    });
  }

  if (isOomKilled(c)) {
    findings.push({
      id: id('oom-killed'),
      kind: 'oom-killed',
      side,
      severity: hardIfCanary ? 'critical' : 'error',
      hard: hardIfCanary,
      title: `${where} was OOMKilled (${c.restartCount} restarts, exit code ${c.last?.exitCode ?? c.current.exitCode ?? 137})`,
    });
  } else if (
    side === 'canary' &&
    waitingReason !== 'CrashLoopBackOff' &&
    // Stable's mean is never negative, so this also means at least one restart.
    c.restartCount > stableRestartsPerContainer
  ) {
    // A crash (non-zero exit) that stable does not share is a failure even before a crash loop sets in.
    const crashed = c.last?.state === 'terminated' && (c.last.exitCode ?? 0) !== 0;
    const hard = hardIfCanary && (c.restartCount >= HARD_RESTARTS || crashed);
    findings.push({
      id: id('restarts'),
      kind: 'restarts',
      side,
      severity: hard ? 'critical' : 'error',
      hard,
      title: `${where} restarted ${c.restartCount} times${describeTermination(c) ? ` (${describeTermination(c)})` : ''}`,
    });
  }

  // A failed init container holds the pod; an app container that just exited non-zero is a crash the kubelet has
  // not restarted yet (the restart count and a crash loop come later), unless a finding above already tells it.
  if (c.current.state === 'terminated' && (c.current.exitCode ?? 0) !== 0 && (init || findings.length === 0)) {
    findings.push({
      id: id('terminated'),
      kind: 'terminated',
      side,
      severity: hardIfCanary ? 'critical' : 'error',
      hard: hardIfCanary,
      title: init
        ? `${where} failed (${describeTermination(c)})`
        : `${where} exited (${terminationParts(c.current)}), not restarted yet`,
    });
  }
  return findings;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function restartsPerContainer(pods: PodInfo[]): number {
  return mean(pods.flatMap((p) => appContainers(p).map((c) => c.restartCount)));
}

/** Findings for every pod of both sides. Stable's own restarts set the bar for the canary's. */
export function podHealthFindings(pods: { canary: PodInfo[]; stable: PodInfo[] }): Finding[] {
  const stableBar = restartsPerContainer(pods.stable);
  const findings: Finding[] = [];
  for (const side of ['canary', 'stable'] as const) {
    for (const pod of pods[side]) {
      if (pod.deleting) continue;
      for (const c of appContainers(pod))
        findings.push(...containerFindings(pod, c, side, false, side === 'canary' ? stableBar : 0));
      for (const c of pod.initContainers)
        findings.push(...containerFindings(pod, c, side, true, side === 'canary' ? stableBar : 0));
      const running = pod.phase === 'Running';
      if (side === 'canary' && running && !pod.ready && !findings.some((f) => isPodProblemOf(f.id, pod.name))) {
        findings.push({
          id: EvidenceIds.podNotReady(pod.name),
          kind: 'not-ready',
          side,
          severity: 'warning',
          hard: false,
          title: `canary pod ${pod.name} is running but not ready`,
        });
      }
    }
  }
  if (pods.canary.length === 0) {
    findings.push({
      id: EvidenceIds.noCanaryPods(),
      kind: 'no-canary-pods',
      side: 'canary',
      severity: 'info',
      hard: false,
      title: 'no canary pod matches the canary selector',
    });
  }
  return findings;
}

/** Pod-health comparisons (from the Kubernetes API) shown beside Prometheus metrics. */
export function podHealthComparisons(pods: { canary: PodInfo[]; stable: PodInfo[] }): MetricComparison[] {
  const readiness = (ps: PodInfo[]) => ps.map((p) => (p.ready ? 1 : 0));
  const restarts = (ps: PodInfo[]) => ps.map((p) => appContainers(p).reduce((n, c) => n + c.restartCount, 0));
  const compare = (
    name: string,
    canary: number[],
    stable: number[],
    direction: 'increase' | 'decrease',
    unit: string,
  ): MetricComparison => {
    const c = mean(canary);
    const s = mean(stable);
    const worse = direction === 'increase' ? c > s : c < s;
    const classification =
      canary.length === 0 || stable.length === 0
        ? 'NoData'
        : worse
          ? direction === 'increase'
            ? 'High'
            : 'Low'
          : 'Pass';
    return {
      id: EvidenceIds.podHealth(name),
      name,
      source: 'kubernetes',
      classification,
      critical: false,
      direction,
      canary: { count: canary.length, mean: c },
      stable: { count: stable.length, mean: s },
      unit,
    };
  };
  return [
    compare('pod_ready_ratio', readiness(pods.canary), readiness(pods.stable), 'decrease', 'ratio'),
    compare('container_restarts_per_pod', restarts(pods.canary), restarts(pods.stable), 'increase', 'restarts'),
  ];
}

const HARD_EVENT =
  /failed to pull|pull access denied|manifest unknown|not found: manifest|ErrImagePull|ImagePullBackOff/i;

/** Warning events about canary pods that stable pods do not share (by reason). */
export function eventFindings(events: KubeEvent[], podNames: { canary: string[]; stable: string[] }): Finding[] {
  const canary = new Set(podNames.canary);
  const stable = new Set(podNames.stable);
  const stableReasons = new Set(
    events.filter((e) => e.type === 'Warning' && stable.has(e.objectName)).map((e) => e.reason),
  );
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    if (e.type !== 'Warning' || e.objectKind !== 'Pod' || !canary.has(e.objectName) || stableReasons.has(e.reason))
      continue;
    const key = `${e.objectName}:${e.reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const pull = HARD_EVENT.test(e.message);
    findings.push({
      id: EvidenceIds.event(e.objectName, e.reason),
      kind: pull ? 'image-pull' : 'warning-event',
      side: 'canary',
      severity: pull ? 'critical' : 'warning',
      hard: pull,
      title: `Warning event ${e.reason} on canary pod ${e.objectName} (x${e.count})`,
      detail: e.message,
    });
  }
  return findings;
}

/** Causes before symptoms: a panic explains a success-rate drop, a crash loop explains restarts. */
const KIND_RANK: Record<Finding['kind'], number> = {
  'crash-loop': 0,
  'oom-killed': 1,
  'image-pull': 2,
  'config-error': 3,
  terminated: 4,
  panic: 5,
  exception: 6,
  'error-signature': 7,
  'metric-regression': 8,
  restarts: 9,
  'warning-event': 10,
  'not-ready': 11,
  'no-traffic': 12,
  'no-canary-pods': 13,
  info: 14,
};
const SEVERITY_RANK: Record<Finding['severity'], number> = { critical: 0, error: 1, warning: 2, info: 3 };

/** Orders findings for readers and for the root cause: hard first, then causes before symptoms, then severity. */
export function rankFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      Number(b.hard) - Number(a.hard) ||
      KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity],
  );
}
