/**
 * Admission of analyses: a bounded number run at once (sized by memory: see `slotsForMemory`), the rest wait for a
 * slot instead of being refused. Waiting is fair across rollouts (round-robin between keys, first come first served
 * within one), and bounded: a request is refused with a retryable 503 only when its wait would exceed what its
 * deadline leaves, judged upfront from the slots ahead of it and how long analyses have been holding a slot, and
 * again if the wait actually runs out.
 */
import { OverloadedError, abortReason } from '@aiops/contracts';

export interface AdmissionOptions {
  /** Analyses running at once. */
  slots: number;
  /** Analyses waiting for a slot at most; beyond, refused at once. */
  maxQueued: number;
  /** How long an analysis is expected to hold a slot before any has finished (ms). Default 2000. */
  initialHoldMs?: number;
  now?: () => number;
}

export interface Admission {
  /**
   * Resolves with the slot's release once one is free. Rejects with OverloadedError when the queue is full or the
   * wait would exceed `maxWaitMs`, and with the signal's reason when the caller leaves first.
   */
  acquire(key: string, options: { signal: AbortSignal; maxWaitMs: number }): Promise<() => void>;
  readonly running: number;
  readonly queued: number;
  /** Analyses allowed to run at once (see `resize`). */
  readonly slots: number;
  /** Changes the number of slots: more grants waiters at once; fewer lets the running ones finish first. */
  resize(slots: number): void;
  /** The running estimate of how long an analysis holds a slot (ms). */
  readonly holdMs: number;
}

interface Waiter {
  grant: () => void;
}

/**
 * The memory one analysis in flight holds, with a margin: `pnpm bench:load` peaks at 404 MiB with 200 in flight and
 * a 2 s model (about 0.7 MiB each over the base and the workers), since only a few gather raw logs at once.
 */
export const BYTES_PER_ANALYSIS = 2 * 1024 * 1024;
/** The service's own footprint with nothing in flight (RSS). */
export const BASE_BYTES = 192 * 1024 * 1024;
/** What one evidence worker thread adds (its isolate and working heap): 37–74 MiB for two in `pnpm bench:load`. */
export const BYTES_PER_WORKER = 48 * 1024 * 1024;
/** Beyond this many analyses at once, CPU, not memory, bounds throughput; more slots only add memory. */
export const MAX_DERIVED_SLOTS = 256;

/**
 * Analyses that fit in a memory limit: 85% of it, less the base footprint and the evidence workers' (each at least
 * its heap bound when one is set), divided by what each analysis holds.
 */
export function slotsForMemory(limitBytes: number, workers = 0, workerHeapMb = 0): number {
  const perWorker = Math.max(BYTES_PER_WORKER, (workerHeapMb + 16) * 1024 * 1024);
  const slots = Math.floor((limitBytes * 0.85 - BASE_BYTES - workers * perWorker) / BYTES_PER_ANALYSIS);
  return Math.max(2, Math.min(MAX_DERIVED_SLOTS, slots));
}

export function createAdmission(options: AdmissionOptions): Admission {
  const now = options.now ?? (() => performance.now());
  let slots = options.slots;
  let running = 0;
  let queued = 0;
  let holdMs = options.initialHoldMs ?? 2000;
  /** Waiters per key, and the keys in round-robin order. */
  const waiting = new Map<string, Waiter[]>();
  let order: string[] = [];

  const release = (since: number) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      holdMs = holdMs * 0.8 + (now() - since) * 0.2;
      running--;
      dispatch();
    };
  };

  const dispatch = () => {
    while (running < slots && order.length > 0) {
      const key = order.shift()!;
      const list = waiting.get(key)!;
      const next = list.shift()!;
      if (list.length > 0) order.push(key);
      else waiting.delete(key);
      queued--;
      next.grant();
    }
  };

  const remove = (key: string, waiter: Waiter) => {
    const list = waiting.get(key);
    const index = list?.indexOf(waiter) ?? -1;
    if (!list || index === -1) return false;
    list.splice(index, 1);
    if (list.length === 0) {
      waiting.delete(key);
      order = order.filter((k) => k !== key);
    }
    queued--;
    return true;
  };

  return {
    get running() {
      return running;
    },
    get queued() {
      return queued;
    },
    get holdMs() {
      return holdMs;
    },
    get slots() {
      return slots;
    },
    resize(next) {
      slots = Math.max(1, Math.floor(next));
      dispatch();
    },
    acquire(key, { signal, maxWaitMs }) {
      if (signal.aborted) return Promise.reject(abortReason(signal, 'the analysis'));
      if (running < slots && queued === 0) {
        running++;
        return Promise.resolve(release(now()));
      }
      if (queued >= options.maxQueued)
        return Promise.reject(new OverloadedError(`${queued} analyses already wait for a slot; retry shortly`));
      const rounds = Math.ceil((queued + 1) / slots);
      const expectedWaitMs = rounds * holdMs;
      if (expectedWaitMs > maxWaitMs)
        return Promise.reject(
          new OverloadedError(
            `a slot would take about ${Math.round(expectedWaitMs / 1000)} s (${queued} waiting, ${running} running), more than the deadline leaves; retry shortly`,
          ),
        );
      return new Promise<() => void>((resolve, reject) => {
        const timer = setTimeout(() => {
          if (remove(key, waiter)) {
            signal.removeEventListener('abort', onAbort);
            reject(new OverloadedError(`no slot within ${Math.round(maxWaitMs / 1000)} s; retry shortly`));
          }
        }, maxWaitMs);
        const onAbort = () => {
          clearTimeout(timer);
          if (remove(key, waiter)) reject(abortReason(signal, 'the analysis'));
        };
        const waiter: Waiter = {
          grant: () => {
            clearTimeout(timer);
            signal.removeEventListener('abort', onAbort);
            running++;
            resolve(release(now()));
          },
        };
        signal.addEventListener('abort', onAbort, { once: true });
        const list = waiting.get(key);
        if (list) list.push(waiter);
        else {
          waiting.set(key, [waiter]);
          order.push(key);
        }
        queued++;
      });
    },
  };
}
