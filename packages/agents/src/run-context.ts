import {
  AgentError,
  type AgentName,
  type ClusterReader,
  type ContainerInfo,
  type ProgressEvent,
} from '@aiops/contracts';

/** What one analysis carries through the graph: its abort signal and its progress sink. */
export interface RunContext {
  signal: AbortSignal;
  progress(agent: AgentName, phase: ProgressEvent['phase'], message?: string): void;
  /** Milliseconds from each agent's start to its finish (or failure), for the agents that ran. */
  timings(): Partial<Record<AgentName, number>>;
}

export function createRunContext(signal: AbortSignal, onProgress?: (event: ProgressEvent) => void): RunContext {
  const started = new Map<AgentName, number>();
  const took: Partial<Record<AgentName, number>> = {};
  return {
    signal,
    timings: () => ({ ...took }),
    progress(agent, phase, message) {
      if (phase === 'started') started.set(agent, performance.now());
      const since = started.get(agent);
      if ((phase === 'finished' || phase === 'failed') && since !== undefined)
        took[agent] = Math.round(performance.now() - since);
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
  const calls = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, call: () => Promise<T>): Promise<T> => {
    let pending = calls.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = call();
      calls.set(key, pending);
    }
    return pending;
  };
  return {
    listPods: (namespace, labelSelector, options) =>
      once(`pods\u0000${namespace}\u0000${labelSelector}`, () => cluster.listPods(namespace, labelSelector, options)),
    readLog: (request, options) => cluster.readLog(request, options),
    listEvents: (namespace, options) => cluster.listEvents(namespace, options),
    namespaceExists: (namespace, options) =>
      once(`namespace\u0000${namespace}`, () => cluster.namespaceExists(namespace, options)),
    getRollout: (namespace, name, options) =>
      once(`rollout\u0000${namespace}\u0000${name}`, () => cluster.getRollout(namespace, name, options)),
  };
}

/** Redacts workload text; a redactor failure is `redaction_failed` (a retryable 503): no verdict on unredacted text. */
export function redactOrFail(redact: (text: string) => string, text: string): string {
  try {
    return redact(text);
  } catch (err) {
    throw new AgentError('redaction_failed', 'workload text could not be redacted; no verdict was reached', {
      cause: err,
      retryAfterSeconds: 30,
    });
  }
}

/**
 * Redacts secrets where workload text enters the process (event messages, container messages), so nothing
 * downstream — the answer, the prompt, a GitHub issue, a log line — can carry one. A redactor failure stops the
 * analysis: no verdict and no model call on unredacted text. Log texts pass unredacted: they are redacted as the
 * first step of the log evidence (`LogEvidenceFn`), before anything is derived from them, on whichever thread
 * computes it, so a large log's redaction runs off the request thread too.
 */
export function redactClusterReads(cluster: ClusterReader, redact: (text: string) => string): ClusterReader {
  const safely = (text: string): string => redactOrFail(redact, text);
  const container = (c: ContainerInfo): ContainerInfo => ({
    ...c,
    current: c.current.message ? { ...c.current, message: safely(c.current.message) } : c.current,
    ...(c.last?.message ? { last: { ...c.last, message: safely(c.last.message) } } : {}),
  });
  return {
    async listPods(namespace, labelSelector, options) {
      const pods = await cluster.listPods(namespace, labelSelector, options);
      return pods.map((p) => ({
        ...p,
        containers: p.containers.map(container),
        initContainers: p.initContainers.map(container),
      }));
    },
    readLog: (request, options) => cluster.readLog(request, options),
    listEvents: async (namespace, options) =>
      (await cluster.listEvents(namespace, options)).map((e) => ({ ...e, message: safely(e.message) })),
    namespaceExists: (namespace, options) => cluster.namespaceExists(namespace, options),
    getRollout: (namespace, name, options) => cluster.getRollout(namespace, name, options),
  };
}
