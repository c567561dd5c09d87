import type { AgentName, ClusterReader, PodInfo, ProgressEvent, RolloutInfo } from '@aiops/contracts';

/** What one analysis carries through the graph: its abort signal and its progress sink. */
export interface RunContext {
  signal: AbortSignal;
  progress(agent: AgentName, phase: ProgressEvent['phase'], message?: string): void;
}

export function createRunContext(signal: AbortSignal, onProgress?: (event: ProgressEvent) => void): RunContext {
  return {
    signal,
    progress(agent, phase, message) {
      // A progress listener must never break the analysis.
      try {
        onProgress?.({ agent, phase, ...(message !== undefined ? { message } : {}) });
      } catch {
        /* ignored on purpose */
      }
    },
  };
}

/**
 * Both parallel agents need the pod lists and the Rollout; this shares one API call each within one analysis
 * instead of making one agent wait for the other.
 */
export function shareClusterReads(cluster: ClusterReader): ClusterReader {
  const pods = new Map<string, Promise<PodInfo[]>>();
  const rollouts = new Map<string, Promise<RolloutInfo | undefined>>();
  return {
    listPods(namespace, labelSelector, options) {
      const key = `${namespace}\u0000${labelSelector}`;
      let pending = pods.get(key);
      if (!pending) {
        pending = cluster.listPods(namespace, labelSelector, options);
        pods.set(key, pending);
      }
      return pending;
    },
    readLog: (request, options) => cluster.readLog(request, options),
    listEvents: (namespace, options) => cluster.listEvents(namespace, options),
    getRollout(namespace, name, options) {
      const key = `${namespace}\u0000${name}`;
      let pending = rollouts.get(key);
      if (!pending) {
        pending = cluster.getRollout(namespace, name, options);
        rollouts.set(key, pending);
      }
      return pending;
    },
  };
}
