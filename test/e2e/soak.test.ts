/**
 * A short chaos soak in the test suite (`pnpm soak` runs 100 or more): seeded analyses with random faults across
 * the four dependencies; every rule of the soak holds (test/support/soak.ts).
 */
import { describe, expect, it } from 'vitest';
import { formatSoakReport, runSoak } from '../support/soak.js';

describe('chaos soak (short)', () => {
  it('15 seeded analyses with random faults: no exit, no verdict caused by a fault, nothing left open, RSS bounded', async () => {
    const report = await runSoak({ seed: 'test-suite', runs: 15 });
    expect(report.violations, formatSoakReport(report)).toEqual([]);
    expect(report.runs).toBe(15);
    expect(Object.values(report.faultsStruck).reduce((a, b) => a + b, 0)).toBeGreaterThan(5);
    expect(report.processExits).toBe(0);
    expect(report.verdictsCausedByFaults).toBe(0);
    expect(report.unhandledFailures).toBe(0);
  }, 600_000);
});
