/**
 * Turns at gathering evidence. An admitted analysis spends its CPU before the model is asked: cluster reads, log
 * parsing and templating, the signature diff, metrics. When a burst admits hundreds at once and all of them gather
 * together, every event-loop turn grows long (health probes time out, A2A streams stall) and every analysis finishes
 * late. The gate lets a few gather at once and the rest wait their turn, fair across rollouts as admission is; the
 * wait for the model is not gated. How many at once follows the event loop's delay: fewer while it lags beyond the
 * target, one more while turns are wanted and it keeps up, so gathering that waits on a slow API server still overlaps.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createAdmission } from './admission.js';

export interface GatherLimits {
  /** Analyses gathering at once, at first. */
  initial: number;
  /** Never fewer, never more. */
  min: number;
  max: number;
  /** The event-loop delay the limit steers to (ms); 0 keeps the limit at `max`. */
  targetDelayMs: number;
}

/** The next limit from the loop delay seen since the last step: additive increase, multiplicative decrease. */
export function nextGatherLimit(
  limit: number,
  seen: { delayMs: number; saturated: boolean },
  bounds: Pick<GatherLimits, 'min' | 'max' | 'targetDelayMs'>,
): number {
  if (seen.delayMs > bounds.targetDelayMs) return Math.max(bounds.min, Math.floor(limit * 0.75));
  if (seen.saturated) return Math.min(bounds.max, limit + 1);
  return limit;
}

export interface EvidenceGate {
  /** Waits for a turn at gathering; resolves with the turn's end (idempotent). */
  turn(key: string, options: { signal: AbortSignal; maxWaitMs: number }): Promise<() => void>;
  readonly limit: number;
  readonly gathering: number;
  readonly waiting: number;
  /** Adapts the limit to the loop delay seen since the last step (a timer calls it: see `watchEventLoop`). */
  step(delayMs: number): void;
}

export function createEvidenceGate(limits: GatherLimits): EvidenceGate {
  const fixed = limits.targetDelayMs <= 0;
  // Admission already bounds how many are in flight and judged their deadline, so the gate never refuses early:
  // it starts with no estimate of a turn's length and queues without a bound of its own.
  const turns = createAdmission({
    slots: fixed ? limits.max : Math.min(limits.max, Math.max(limits.min, limits.initial)),
    maxQueued: Number.POSITIVE_INFINITY,
    initialHoldMs: 0,
  });
  return {
    turn: (key, options) => turns.acquire(key, options),
    get limit() {
      return turns.slots;
    },
    get gathering() {
      return turns.running;
    },
    get waiting() {
      return turns.queued;
    },
    step(delayMs) {
      if (fixed) return;
      turns.resize(nextGatherLimit(turns.slots, { delayMs, saturated: turns.queued > 0 }, limits));
    },
  };
}

/**
 * Steps the gate every `intervalMs` with the longest event-loop delay seen since the previous step. Returns a stop
 * function. The timer does not keep the process alive.
 */
export function watchEventLoop(gate: EvidenceGate, { intervalMs = 200 }: { intervalMs?: number } = {}): () => void {
  const resolutionMs = 10;
  const delay = monitorEventLoopDelay({ resolution: resolutionMs });
  delay.enable();
  const timer = setInterval(() => {
    // Nanoseconds, and an idle loop reads about the sampling resolution: the lag is what exceeds it.
    gate.step(delay.count > 0 ? Math.max(0, delay.max / 1e6 - resolutionMs) : 0);
    delay.reset();
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    delay.disable();
  };
}
