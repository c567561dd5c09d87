import { describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import type { AnalysisRequest, AnalyzeFn } from '@aiops/contracts';
import {
  createAnalysisRunner,
  createEvidenceGate,
  createTelemetry,
  nextGatherLimit,
  type EvidenceGate,
} from '../src/index.js';
import { outcome } from './support/outcome.js';

const never = () => new AbortController().signal;
const bounds = { min: 1, max: 32, targetDelayMs: 20 };

describe('nextGatherLimit', () => {
  it('cuts the limit by a quarter while the event loop lags beyond the target, never below the minimum', () => {
    expect(nextGatherLimit(16, { delayMs: 21, saturated: true }, bounds)).toBe(12);
    expect(nextGatherLimit(2, { delayMs: 500, saturated: false }, bounds)).toBe(1);
    expect(nextGatherLimit(1, { delayMs: 500, saturated: true }, bounds)).toBe(1);
  });
  it('adds one while turns are wanted and the loop keeps up, never above the maximum', () => {
    expect(nextGatherLimit(4, { delayMs: 20, saturated: true }, bounds)).toBe(5);
    expect(nextGatherLimit(32, { delayMs: 0, saturated: true }, bounds)).toBe(32);
  });
  it('keeps the limit when nobody waits for a turn', () => {
    expect(nextGatherLimit(4, { delayMs: 0, saturated: false }, bounds)).toBe(4);
  });
});

describe('evidence gate', () => {
  it('lets `limit` analyses gather at once; the others wait their turn and are granted as turns end', async () => {
    const gate = createEvidenceGate({ initial: 2, ...bounds });
    const a = await gate.turn('ns/a', { signal: never(), maxWaitMs: 60_000 });
    await gate.turn('ns/b', { signal: never(), maxWaitMs: 60_000 });
    const c = gate.turn('ns/c', { signal: never(), maxWaitMs: 60_000 });
    expect([gate.gathering, gate.waiting]).toEqual([2, 1]);
    a();
    a(); // a turn ends once
    await c;
    expect([gate.gathering, gate.waiting]).toEqual([2, 0]);
  });

  it('steps the limit by the loop delay: down while it lags, up while turns are wanted', async () => {
    const gate = createEvidenceGate({ initial: 4, ...bounds });
    gate.step(100);
    expect(gate.limit).toBe(3);
    gate.step(0);
    expect(gate.limit).toBe(3);
    const turns = await Promise.all([1, 2, 3].map((i) => gate.turn(`ns/${i}`, { signal: never(), maxWaitMs: 60_000 })));
    const waiting = gate.turn('ns/4', { signal: never(), maxWaitMs: 60_000 });
    gate.step(5);
    expect(gate.limit).toBe(4);
    (await waiting)();
    for (const end of turns) end();
  });

  it('with no target, stays at the maximum whatever the loop does', () => {
    const gate = createEvidenceGate({ initial: 2, min: 1, max: 8, targetDelayMs: 0 });
    expect(gate.limit).toBe(8);
    gate.step(1000);
    expect(gate.limit).toBe(8);
  });
});

const runnerWith = (gate: EvidenceGate, analyze: AnalyzeFn) =>
  createAnalysisRunner({
    analyze,
    gate,
    deadlineMs: 60_000,
    maxConcurrent: 10,
    telemetry: createTelemetry(),
    logger: pino({ level: 'silent' }),
  });
const request = (namespace: string): AnalysisRequest => ({ namespace, rolloutName: 'r' }) as AnalysisRequest;

describe('analysis runner with the evidence gate', () => {
  it('holds a turn while an analysis gathers evidence and ends it when the diagnosis starts, not when the answer is ready', async () => {
    const gate = createEvidenceGate({ initial: 1, min: 1, max: 1, targetDelayMs: 0 });
    const model: Record<string, () => void> = {};
    const gathered: string[] = [];
    const analyze: AnalyzeFn = async (request, { onProgress }) => {
      gathered.push(request.namespace);
      onProgress?.({ agent: 'log-fetcher', phase: 'finished' });
      // The evidence is in; the model is asked and answers when the test says so.
      await new Promise<void>((resolve) => {
        model[request.namespace] = resolve;
        onProgress?.({ agent: 'diagnosis', phase: 'started' });
      });
      return outcome(request);
    };
    const runner = runnerWith(gate, analyze);
    const first = runner(request('one'), { signal: never(), onProgress: () => undefined });
    const second = runner(request('two'), { signal: never(), onProgress: () => undefined });
    // The second gathers while the first waits for its model (its turn ended at the diagnosis).
    await vi.waitFor(() => expect(model.two).toBeDefined(), { timeout: 10_000 });
    expect(gathered).toEqual(['one', 'two']);
    expect(gate.gathering).toBe(0);
    model.one!();
    model.two!();
    await expect(Promise.all([first, second])).resolves.toHaveLength(2);
  });

  it('a second analysis waits for the turn while the first is still gathering', async () => {
    const gate = createEvidenceGate({ initial: 1, min: 1, max: 1, targetDelayMs: 0 });
    let finishGathering!: () => void;
    const gathering = new Promise<void>((resolve) => {
      finishGathering = resolve;
    });
    const entered: string[] = [];
    const analyze: AnalyzeFn = async (request, { onProgress }) => {
      entered.push(request.namespace);
      if (request.namespace === 'one') await gathering;
      onProgress?.({ agent: 'diagnosis', phase: 'skipped' });
      return outcome(request);
    };
    const runner = runnerWith(gate, analyze);
    const first = runner(request('one'), { signal: never(), onProgress: () => undefined });
    const second = runner(request('two'), { signal: never(), onProgress: () => undefined });
    await vi.waitFor(() => expect(gate.waiting).toBe(1), { timeout: 10_000 });
    expect(entered).toEqual(['one']);
    finishGathering();
    await Promise.all([first, second]);
    expect(entered).toEqual(['one', 'two']);
    expect([gate.gathering, gate.waiting]).toEqual([0, 0]);
  });
});
