/**
 * The judges at production sample sizes (100,000 values a side). Kept apart from the other judge tests so that
 * `pnpm mutation` can leave them out: under Stryker's instrumentation one of these runs for minutes, and the same
 * code paths are exercised there by the smaller asymptotic cases. `pnpm test` runs them as before; reference values
 * as in judge-mann-whitney.test.ts (an independent Python transcription of R's wilcox.test).
 */
import { describe, expect, it } from 'vitest';
import { classifyMetric, mannWhitney } from '@aiops/evidence';

function expectRelativelyClose(actual: number, expected: number, relative = 1e-9): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * relative + 1e-15);
}

describe('mannWhitney at scale', () => {
  it('100k vs 100k: U, p and the interval of a 0.3 shift', () => {
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      x.push(((i * 7919) % 100003) / 1000);
      y.push(((i * 104729) % 100003) / 1000 + 0.3);
    }
    const r = mannWhitney(x, y, { confidenceLevel: 0.98 });
    expect(r.u).toBe(4970072562.5);
    expectRelativelyClose(r.pValue, 0.020440436539109104, 1e-6);
    expect(r.estimate).toBeCloseTo(-0.3, 6);
    expect(r.confidenceInterval[0]).toBeCloseTo(-0.601, 6);
    expect(r.confidenceInterval[1]).toBeCloseTo(0.001, 6);
  });
});

describe('classifyMetric at scale', () => {
  it('100k-sample comparisons classify a 5% latency regression', () => {
    const stable: number[] = [];
    const canary: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      const base = 100 + ((i * 7919) % 1000) / 50;
      stable.push(base);
      canary.push(base * 1.05 + ((i * 104729) % 7) / 100);
    }
    expect(classifyMetric({ canary, stable, direction: 'increase' }).classification).toBe('High');
    expect(
      classifyMetric({ canary: stable, stable: stable.map((v) => v + 1e-9), direction: 'increase' }).classification,
    ).toBe('Pass');
  });
});
