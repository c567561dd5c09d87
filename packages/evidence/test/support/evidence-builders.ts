import { EvidenceIds, type Finding, type LogSignature, type PodInfo } from '@aiops/contracts';

/** A ready, running pod with one `app` container and no restarts; `createdAt` when its age matters. */
export const runningPod = (name: string, createdAt?: string): PodInfo => ({
  name,
  namespace: 'shop',
  labels: {},
  phase: 'Running',
  ready: true,
  ...(createdAt !== undefined ? { createdAt } : {}),
  containers: [{ name: 'app', image: 'app:1', ready: true, restartCount: 0, current: { state: 'running' } }],
  initContainers: [],
});

/** An error signature only the canary printed (5 events, 50/1k); override counts, kind or examples per test. */
export const logSignature = (id: string, over: Partial<LogSignature> = {}): LogSignature => ({
  id,
  template: `template ${id}`,
  severity: 'error',
  errorLike: true,
  kind: 'error',
  canary: { count: 5, perThousand: 50 },
  stable: { count: 0, perThousand: 0 },
  canaryOnly: true,
  examples: [`example ${id}`],
  ...over,
});

/** The hard failure a crash-looping `app` container of a canary pod gives. */
export const crashLoopOf = (pod: string): Finding => ({
  id: EvidenceIds.containerProblem(pod, 'app', 'crash-loop'),
  kind: 'crash-loop',
  side: 'canary',
  severity: 'critical',
  hard: true,
  title: `container app of canary pod ${pod} is in CrashLoopBackOff`,
});
