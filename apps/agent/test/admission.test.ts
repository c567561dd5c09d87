import { describe, expect, it } from 'vitest';
import { OverloadedError } from '@aiops/contracts';
import { createAdmission, slotsForMemory } from '../src/index.js';

const never = () => new AbortController().signal;

describe('admission', () => {
  it('queues beyond the slots instead of refusing, and grants the slot when one is released', async () => {
    const admission = createAdmission({ slots: 1, maxQueued: 10 });
    const first = await admission.acquire('ns/a', { signal: never(), maxWaitMs: 60_000 });
    let granted = false;
    const second = admission.acquire('ns/b', { signal: never(), maxWaitMs: 60_000 }).then((release) => {
      granted = true;
      return release;
    });
    await Promise.resolve();
    expect(granted).toBe(false);
    expect(admission.queued).toBe(1);
    first();
    (await second)();
    expect(granted).toBe(true);
    expect(admission.running).toBe(0);
  });

  it('is fair across rollouts: a rollout with many waiting does not hold back another', async () => {
    const admission = createAdmission({ slots: 1, maxQueued: 10 });
    const granted: string[] = [];
    const release = await admission.acquire('ns/busy', { signal: never(), maxWaitMs: 60_000 });
    const waits = ['ns/busy', 'ns/busy', 'ns/busy', 'ns/quiet'].map((key, i) =>
      admission.acquire(key, { signal: never(), maxWaitMs: 60_000 }).then((next) => {
        granted.push(`${key}#${i}`);
        next();
      }),
    );
    release();
    await Promise.all(waits);
    expect(granted).toEqual(['ns/busy#0', 'ns/quiet#3', 'ns/busy#1', 'ns/busy#2']);
  });

  it('refuses with a retryable overload at once when the wait would exceed what the deadline leaves', async () => {
    const admission = createAdmission({ slots: 1, maxQueued: 10, initialHoldMs: 5000 });
    const release = await admission.acquire('ns/a', { signal: never(), maxWaitMs: 60_000 });
    const refused = admission.acquire('ns/b', { signal: never(), maxWaitMs: 4000 });
    // Refused at once: it never joined the queue.
    expect(admission.queued).toBe(0);
    await expect(refused).rejects.toBeInstanceOf(OverloadedError);
    await expect(refused).rejects.toMatchObject({ code: 'overloaded', retryAfterSeconds: 5 });
    release();
  });

  it('refuses when the queue is full', async () => {
    const admission = createAdmission({ slots: 1, maxQueued: 1 });
    const release = await admission.acquire('ns/a', { signal: never(), maxWaitMs: 60_000 });
    const queued = admission.acquire('ns/b', { signal: never(), maxWaitMs: 60_000 });
    await expect(admission.acquire('ns/c', { signal: never(), maxWaitMs: 60_000 })).rejects.toBeInstanceOf(
      OverloadedError,
    );
    release();
    (await queued)();
  });

  it('a caller that leaves while waiting gives up its place', async () => {
    const admission = createAdmission({ slots: 1, maxQueued: 10 });
    const release = await admission.acquire('ns/a', { signal: never(), maxWaitMs: 60_000 });
    const controller = new AbortController();
    const waiting = admission.acquire('ns/b', { signal: controller.signal, maxWaitMs: 60_000 });
    controller.abort(new Error('client gone'));
    await expect(waiting).rejects.toMatchObject({ code: 'cancelled' });
    expect(admission.queued).toBe(0);
    release();
    expect(admission.running).toBe(0);
  });

  it('resizes: more slots grant waiters at once, fewer let the running ones finish before the next is granted', async () => {
    const admission = createAdmission({ slots: 1, maxQueued: 10 });
    const first = await admission.acquire('ns/a', { signal: never(), maxWaitMs: 60_000 });
    const second = admission.acquire('ns/b', { signal: never(), maxWaitMs: 60_000 });
    const third = admission.acquire('ns/c', { signal: never(), maxWaitMs: 60_000 });
    admission.resize(3);
    const [releaseSecond, releaseThird] = await Promise.all([second, third]);
    expect(admission.running).toBe(3);
    admission.resize(1);
    expect(admission.slots).toBe(1);
    let fourthGranted = false;
    const fourth = admission.acquire('ns/d', { signal: never(), maxWaitMs: 60_000 }).then((release) => {
      fourthGranted = true;
      return release;
    });
    first();
    releaseSecond();
    await Promise.resolve();
    expect(fourthGranted).toBe(false);
    releaseThird();
    (await fourth)();
    expect(admission.running).toBe(0);
    admission.resize(0);
    expect(admission.slots).toBe(1);
  });

  it('sizes the slots by memory: the chart default of 1 GiB holds a 200-rollout burst beside two evidence workers, 512 MiB does not', () => {
    expect(slotsForMemory(1024 ** 3, 2)).toBeGreaterThanOrEqual(200);
    expect(slotsForMemory(512 * 1024 ** 2, 2)).toBeLessThan(200);
    expect(slotsForMemory(64 * 1024 ** 2)).toBe(2);
  });

  it('counts the evidence workers, each at least its heap bound', () => {
    const limit = 768 * 1024 ** 2;
    // 85% of 768 MiB = 652.8 MiB; less 192 MiB base: 460.8 MiB, 230 analyses of 2 MiB.
    expect(slotsForMemory(limit)).toBe(230);
    // Four workers of 48 MiB: 268.8 MiB left, 134 analyses.
    expect(slotsForMemory(limit, 4)).toBe(134);
    // Two workers bounded at 128 MiB of heap count 144 MiB each: 172.8 MiB left, 86 analyses.
    expect(slotsForMemory(limit, 2, 128)).toBe(86);
  });
});
