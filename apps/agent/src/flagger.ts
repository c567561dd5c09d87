/**
 * Flagger webhooks (`pre-rollout`, `rollout`, `confirm-promotion`): one analysis per canary revision, keyed by the
 * payload's `checksum` (it changes with the canary's spec and tracked configs). The first hook call starts it; every
 * call answers within FLAGGER_HOOK_WAIT_MS, from the analysis' outcome when it has one, else "still running" (which
 * holds promotion and fails nothing). A finished promote or inconclusive is analysed again once it is older than
 * FLAGGER_REANALYZE_SECONDS (the canary has served more since); a reject stands for the whole revision. A dependency
 * failure is never an outcome: that call answers 503 and the next call starts afresh.
 */
import {
  toFlaggerAnalysisRequest,
  type AnalysisOutcome,
  type AnalyzeFn,
  type FlaggerPayload,
  type FlaggerState,
  type WorkloadReader,
} from '@aiops/contracts';
import type { FastifyBaseLogger } from 'fastify';
import type { VerdictEvents } from './verdict-events.js';

export interface FlaggerHooksOptions {
  analyze: AnalyzeFn;
  workloads: WorkloadReader;
  events?: VerdictEvents;
  logger: FastifyBaseLogger;
  /** How long one hook call waits for a running analysis (below Flagger's per-hook timeout, 10 s by default). */
  waitMs: number;
  /** Age after which a promote or inconclusive outcome is analysed again. */
  reanalyzeMs: number;
  /** Timeout of the Kubernetes reads that find the pods. */
  kubeTimeoutMs: number;
  /** Canary revisions remembered (oldest forgotten first). */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  running?: Promise<AnalysisOutcome>;
  done?: { outcome: AnalysisOutcome; at: number };
}

export interface FlaggerHooks {
  /** Where the analysis of this canary revision stands, after waiting at most `waitMs` for it. */
  state(payload: FlaggerPayload, signal: AbortSignal): Promise<FlaggerState>;
}

export function createFlaggerHooks(options: FlaggerHooksOptions): FlaggerHooks {
  const entries = new Map<string, Entry>();
  const maxEntries = options.maxEntries ?? 1000;
  const now = options.now ?? Date.now;

  /** The canary's and the primary's pod selectors: from the Canary's targetRef, else Flagger's names. */
  async function selectors(payload: FlaggerPayload, signal: AbortSignal) {
    const { namespace, name } = payload;
    const call = { signal: AbortSignal.any([signal, AbortSignal.timeout(options.kubeTimeoutMs * 3)]) };
    const target = (await options.workloads.getCanaryTarget(namespace, name, call)) ?? { kind: 'Deployment', name };
    const primary = { kind: target.kind, name: `${target.name}-primary` };
    const [canarySelector, stableSelector] = await Promise.all([
      options.workloads.getPodSelector(namespace, target, call),
      options.workloads.getPodSelector(namespace, primary, call),
    ]);
    // A workload that does not exist: Flagger's own labels, so the analysis says which pods it found none of.
    return {
      canarySelector: canarySelector ?? `app=${target.name}`,
      stableSelector: stableSelector ?? `app=${primary.name}`,
    };
  }

  function start(key: string, payload: FlaggerPayload, entry: Entry): Promise<AnalysisOutcome> {
    // Not tied to the hook call: the analysis outlives it (bounded by ANALYSIS_DEADLINE_MS in the runner).
    const signal = new AbortController().signal;
    const running = selectors(payload, signal).then((found) =>
      options.analyze(toFlaggerAnalysisRequest(payload, found), { signal }),
    );
    entry.running = running;
    options.logger.debug(
      { namespace: payload.namespace, canary: payload.name, checksum: payload.checksum },
      'flagger: analysis started',
    );
    running.then(
      (outcome) => {
        if (entry.running === running) delete entry.running;
        entry.done = { outcome, at: now() };
        options.events?.record(
          { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', namespace: payload.namespace, name: payload.name },
          outcome,
        );
      },
      () => {
        if (entry.running === running) delete entry.running;
        // With no outcome at all, the revision starts afresh at the next call.
        if (!entry.done && entries.get(key) === entry) entries.delete(key);
      },
    );
    return running;
  }

  function entryFor(key: string, payload: FlaggerPayload): Entry {
    let entry = entries.get(key);
    if (!entry) {
      // A new revision of this canary: the previous revisions' analyses are of no more use.
      const prefix = `${payload.namespace}/${payload.name}/`;
      for (const other of entries.keys()) if (other.startsWith(prefix)) entries.delete(other);
      entry = {};
      entries.set(key, entry);
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    }
    return entry;
  }

  return {
    async state(payload, signal) {
      const key = `${payload.namespace}/${payload.name}/${payload.checksum ?? ''}`;
      const entry = entryFor(key, payload);
      const stale =
        entry.done !== undefined &&
        entry.done.outcome.outcome !== 'reject' &&
        now() - entry.done.at >= options.reanalyzeMs;
      const running = entry.running ?? (entry.done === undefined || stale ? start(key, payload, entry) : undefined);
      if (!running) return entry.done ? { kind: 'outcome', outcome: entry.done.outcome } : { kind: 'running' };

      let timer: NodeJS.Timeout | undefined;
      const waited = await Promise.race([
        running.then((outcome) => ({ outcome })),
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), options.waitMs);
          signal.addEventListener('abort', () => resolve(undefined), { once: true });
        }),
      ]).finally(() => clearTimeout(timer));
      if (waited) return { kind: 'outcome', outcome: waited.outcome };
      // Still running: the previous outcome of this revision if there is one, else "running".
      return entry.done ? { kind: 'outcome', outcome: entry.done.outcome } : { kind: 'running' };
    },
  };
}
