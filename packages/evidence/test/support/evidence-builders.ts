import type { PodInfo } from '@aiops/contracts';

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
