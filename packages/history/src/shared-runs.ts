/**
 * Coalescing across replicas (Redis): the first replica to claim a request's key runs the analysis and publishes its
 * outcome; a replica that gets the same request meanwhile waits for that outcome instead of running a second
 * analysis (a second model call, a second issue). A claim lapses with its TTL, so a replica that dies mid-run
 * holds no one up for longer than that: the waiter then runs the analysis itself.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { callDependency, type CallOptions } from '@aiops/contracts';

export interface SharedRuns {
  /** True when this process now holds the run of `key`; false when another replica does. */
  claim(key: string, options: CallOptions): Promise<boolean>;
  /** Publishes the outcome (JSON) of a claimed run for the waiting replicas, and releases the claim. */
  publish(key: string, outcome: string | undefined, options: CallOptions): Promise<void>;
  /** The outcome the claim holder publishes; undefined when its claim lapsed or it failed. */
  wait(key: string, options: CallOptions): Promise<string | undefined>;
}

export interface RedisSharedRunsOptions {
  /** How long a claim holds without an outcome (the analysis deadline). */
  claimTtlMs: number;
  /** How long a published outcome stays for late waiters. Default 30 s. */
  outcomeTtlMs?: number;
  prefix?: string;
  timeoutMs?: number;
  /** How often a waiter looks for the outcome. Default 100 ms. */
  pollMs?: number;
}

export function createRedisSharedRuns(redis: Redis, options: RedisSharedRunsOptions): SharedRuns {
  const p = options.prefix ?? 'aiops:run:';
  const me = randomUUID();
  const timeoutMs = options.timeoutMs ?? 2000;
  const pollMs = options.pollMs ?? 100;
  const call = <T>(what: string, o: CallOptions, work: () => Promise<T>) =>
    callDependency({ dependency: 'history', what, signal: o.signal, timeoutMs }, work);
  return {
    async claim(key, o) {
      const ok = await call('claim an analysis run', o, () =>
        redis.set(`${p}claim:${key}`, me, 'PX', options.claimTtlMs, 'NX'),
      );
      if (ok === 'OK') await call('clear an old outcome', o, () => redis.del(`${p}outcome:${key}`));
      return ok === 'OK';
    },
    async publish(key, outcome, o) {
      await call('publish an analysis outcome', o, async () => {
        const multi = redis.multi();
        if (outcome !== undefined) multi.set(`${p}outcome:${key}`, outcome, 'PX', options.outcomeTtlMs ?? 30_000);
        multi.del(`${p}claim:${key}`);
        await multi.exec();
      });
    },
    async wait(key, o) {
      for (;;) {
        const [outcome, holder] = await call('wait for an analysis outcome', o, () =>
          redis.mget(`${p}outcome:${key}`, `${p}claim:${key}`),
        );
        if (outcome) return outcome;
        if (!holder) return undefined;
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, pollMs);
          o.signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              reject(o.signal.reason instanceof Error ? o.signal.reason : new Error('aborted'));
            },
            { once: true },
          );
        });
      }
    },
  };
}
