/**
 * Runs one analysis for any entry point: admission (a bounded wait for one of a bounded number of slots), the
 * deadline (counted from arrival, the wait included), cancellation, telemetry,
 * and coalescing: the plugin measures every interval, so when an analysis of the same request is still running
 * (a slow model, a large rollout), a repeated measurement joins it instead of starting a second one.
 */
import {
  DeadlineError,
  OverloadedError,
  abortReason,
  asAgentError,
  type AnalysisHistory,
  type AnalysisOutcome,
  type AnalysisRequest,
  type AnalyzeFn,
  type ProgressEvent,
} from '@aiops/contracts';
import { toAnalysisRecord, type SharedRuns } from '@aiops/history';
import type { FastifyBaseLogger } from 'fastify';
import { createHash } from 'node:crypto';
import { createAdmission } from './admission.js';
import type { EvidenceGate } from './evidence-gate.js';
import type { Telemetry } from './telemetry.js';

export interface AnalysisRunnerOptions {
  analyze: AnalyzeFn;
  deadlineMs: number;
  maxConcurrent: number;
  /** Analyses that may wait for a slot (default 1000). */
  maxQueued?: number;
  telemetry: Telemetry;
  logger: FastifyBaseLogger;
  /**
   * Coalescing across replicas (REDIS_URL): an identical request running on another replica is joined there, so
   * the same measurement landing on two pods costs one analysis (one model call, one issue).
   */
  sharedRuns?: SharedRuns;
  /** Every verdict is recorded here (the workflow reads it back for later measurements and /ui). */
  history?: AnalysisHistory;
  /** Turns at gathering evidence among the admitted analyses; a turn ends when the diagnosis begins. */
  gate?: EvidenceGate;
}

interface SharedRun {
  outcome: Promise<AnalysisOutcome>;
  waiters: number;
  controller: AbortController;
}

export interface AnalysisRunner extends AnalyzeFn {
  /** Analyses running or waiting for a slot. */
  inFlight(): number;
  /** From now on every new analysis is refused with a retryable 503 (the process is about to restart). */
  stopAdmitting(reason: string): void;
  /** Resolves when no analysis is in flight. */
  idle(): Promise<void>;
}

/** The `entry` label of the analyses histogram, by the userId each entry point sets. */
const ENTRIES: Record<string, string> = {
  'argo-rollouts': 'metric-ai',
  'argo-rollouts-web': 'web',
  flagger: 'flagger',
};

export function createAnalysisRunner(options: AnalysisRunnerOptions): AnalysisRunner {
  let inFlight = 0;
  const admission = createAdmission({ slots: options.maxConcurrent, maxQueued: options.maxQueued ?? 1000 });
  let refusal: string | undefined;
  let idleWaiters: Array<() => void> = [];
  const shared = new Map<string, SharedRun>();
  const run = async (
    request: AnalysisRequest,
    { signal, onProgress }: { signal: AbortSignal; onProgress?: (e: ProgressEvent) => void },
  ): Promise<AnalysisOutcome> => {
    if (refusal !== undefined) throw new OverloadedError(refusal);
    const arrived = performance.now();
    const stop = options.telemetry.analyses.startTimer();
    const entry = ENTRIES[request.userId ?? ''] ?? 'other';
    inFlight++;
    const counts = () => {
      options.telemetry.inFlight.set(admission.running);
      options.telemetry.queued.set(admission.queued);
      if (options.gate) {
        options.telemetry.gathering.set(options.gate.gathering);
        options.telemetry.gatherLimit.set(options.gate.limit);
      }
    };
    const key = `${request.namespace}/${request.rolloutName ?? ''}`;
    let release: (() => void) | undefined;
    let endTurn: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      // The wait may use what the deadline leaves after a typical analysis; beyond that, a retryable 503 now.
      const waiting = admission.acquire(key, {
        signal,
        maxWaitMs: Math.max(0, options.deadlineMs - admission.holdMs),
      });
      counts();
      try {
        release = await waiting;
      } catch (err) {
        if (err instanceof OverloadedError) options.telemetry.refused.inc();
        throw err;
      }
      counts();
      const deadline = new AbortController();
      timer = setTimeout(
        () => deadline.abort(new DeadlineError(`no verdict within ANALYSIS_DEADLINE_MS=${options.deadlineMs}`)),
        Math.max(0, options.deadlineMs - (performance.now() - arrived)),
      );
      timer.unref();
      const combined = AbortSignal.any([signal, deadline.signal]);
      endTurn = await options.gate?.turn(key, {
        signal: combined,
        maxWaitMs: Math.max(0, options.deadlineMs - (performance.now() - arrived)),
      });
      counts();
      const outcome = await options.analyze(request, {
        signal: combined,
        onProgress: (e) => {
          // The diagnosis starts (or is skipped) once all evidence is in: the next analysis may gather.
          if (e.agent === 'diagnosis' && endTurn) {
            endTurn();
            counts();
          }
          options.telemetry.progress.inc({ agent: e.agent, phase: e.phase });
          onProgress?.(e);
        },
      });
      stop({ outcome: outcome.outcome, entry });
      if (outcome.absent) {
        options.telemetry.verdicts.inc({ outcome: 'inconclusive', decided_by: 'absent-evidence' });
        options.logger.info(
          {
            namespace: request.namespace,
            rollout: request.rolloutName,
            outcome: 'inconclusive',
            absence: outcome.absent.absence,
            reason: outcome.absent.reason,
            durationMs: outcome.durationMs,
          },
          'no verdict: nothing to judge',
        );
        return outcome;
      }
      options.telemetry.verdicts.inc({ outcome: outcome.outcome, decided_by: outcome.verdict.decidedBy });
      options.logger.info(
        {
          namespace: request.namespace,
          rollout: request.rolloutName,
          outcome: outcome.outcome,
          promote: outcome.answer.promote,
          confidence: outcome.answer.confidence,
          decidedBy: outcome.verdict.decidedBy,
          hardFailures: outcome.verdict.evidenceIds.length,
          prLink: outcome.answer.prLink,
          durationMs: outcome.durationMs,
        },
        'verdict',
      );
      if (options.history) {
        // Awaited so that the next measurement sees this one; a store failure costs the record, never the verdict.
        try {
          await options.history.save(toAnalysisRecord(request, outcome, { finishedAt: new Date() }), {
            signal: AbortSignal.timeout(5_000),
          });
        } catch (err) {
          options.logger.warn(
            {
              namespace: request.namespace,
              rollout: request.rolloutName,
              err: err instanceof Error ? err.message : String(err),
            },
            'analysis not recorded in the history',
          );
        }
      }
      return outcome;
    } catch (err) {
      // Every adapter keeps an abort's typed reason (callDependency), so a passed deadline arrives as its DeadlineError.
      const error = asAgentError(err);
      stop({ outcome: 'error', entry });
      options.telemetry.errors.inc({ code: error.code, dependency: error.dependency ?? '' });
      options.logger.warn(
        {
          namespace: request.namespace,
          rollout: request.rolloutName,
          code: error.code,
          dependency: error.dependency,
          err: error.message,
        },
        'no verdict',
      );
      throw error;
    } finally {
      clearTimeout(timer);
      endTurn?.();
      release?.();
      inFlight--;
      counts();
      if (inFlight === 0) {
        for (const resolve of idleWaiters) resolve();
        idleWaiters = [];
      }
    }
  };
  /**
   * The first replica to claim a request runs it and publishes the outcome; another that gets the same request
   * meanwhile waits for that outcome. Shared state failing (Redis down) or a claim that lapses without an outcome
   * (its replica died) means running here: coordination saves work, it never costs a verdict.
   */
  const acrossReplicas = async (request: AnalysisRequest, key: string, signal: AbortSignal) => {
    const runs = options.sharedRuns;
    if (!runs) return run(request, { signal });
    const id = createHash('sha256').update(key).digest('hex');
    const claimed = await runs.claim(id, { signal }).catch(() => true);
    if (!claimed) {
      const waitFor = AbortSignal.any([signal, AbortSignal.timeout(options.deadlineMs)]);
      const published = await runs.wait(id, { signal: waitFor }).catch(() => undefined);
      if (published !== undefined) {
        options.telemetry.coalesced.inc();
        return JSON.parse(published) as AnalysisOutcome;
      }
      if (signal.aborted) throw abortReason(signal, 'the analysis');
      return run(request, { signal });
    }
    let outcome: AnalysisOutcome | undefined;
    try {
      outcome = await run(request, { signal });
      return outcome;
    } finally {
      await runs
        .publish(id, outcome ? JSON.stringify(outcome) : undefined, { signal: AbortSignal.timeout(2000) })
        .catch(() => undefined);
    }
  };

  /** Joins the running analysis of an identical request; it is aborted only when every caller has gone. */
  const coalesced = (request: AnalysisRequest, signal: AbortSignal): Promise<AnalysisOutcome> => {
    const key = JSON.stringify(request);
    let entry = shared.get(key);
    if (entry) options.telemetry.coalesced.inc();
    else {
      const controller = new AbortController();
      const created: SharedRun = { waiters: 0, controller, outcome: acrossReplicas(request, key, controller.signal) };
      created.outcome.then(
        () => shared.delete(key),
        () => shared.delete(key),
      );
      shared.set(key, created);
      entry = created;
    }
    const joined = entry;
    joined.waiters++;
    return new Promise<AnalysisOutcome>((resolve, reject) => {
      const leave = () => {
        signal.removeEventListener('abort', onAbort);
        joined.waiters--;
      };
      const onAbort = () => {
        leave();
        if (joined.waiters === 0) joined.controller.abort(signal.reason);
        reject(abortReason(signal, 'the analysis'));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      joined.outcome.then(
        (outcome) => {
          leave();
          resolve(outcome);
        },
        (err: unknown) => {
          leave();
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  };

  // Callers that follow progress (A2A streams) get their own run: progress belongs to one task.
  const entry: AnalyzeFn = (request, { signal, onProgress }) =>
    onProgress ? run(request, { signal, onProgress }) : coalesced(request, signal);
  return Object.assign(entry, {
    inFlight: () => inFlight,
    stopAdmitting(reason: string) {
      refusal = reason;
    },
    idle: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
  });
}
