import { describe, expect, it } from 'vitest';
import { compareErrorRates } from '@aiops/evidence';

// Reference values computed independently with the pooled two-proportion z formula and Python's math.erfc.
describe('compareErrorRates', () => {
  it('flags a clearly higher canary error rate (40/1000 vs 10/1000: z=4.2967, p=8.668e-6)', () => {
    const r = compareErrorRates({ canary: { events: 40, total: 1000 }, stable: { events: 10, total: 1000 } });
    expect(r.classification).toBe('High');
    expect(r.z).toBeCloseTo(4.296689, 5);
    expect(r.pValue).toBeCloseTo(8.668398e-6, 9);
  });
  it('passes equal rates on unequal traffic (12/300 vs 30/900: z=0.5441, p=0.2932)', () => {
    const r = compareErrorRates({ canary: { events: 12, total: 300 }, stable: { events: 30, total: 900 } });
    expect(r.classification).toBe('Pass');
    expect(r.pValue).toBeCloseTo(0.293176, 5);
  });
  it('does not flag a difference the sample cannot support (3/100 vs 1/100: p=0.156)', () => {
    expect(
      compareErrorRates({ canary: { events: 3, total: 100 }, stable: { events: 1, total: 100 } }).classification,
    ).toBe('Pass');
  });
  it('needs a material difference even when significant (tolerance and absolute floor)', () => {
    // 100,000 requests each: 0.30% vs 0.25% is significant but under the half-point floor.
    expect(
      compareErrorRates({ canary: { events: 300, total: 100_000 }, stable: { events: 250, total: 100_000 } })
        .classification,
    ).toBe('Pass');
  });
  it('is NoData with too few requests, and Pass when neither side has errors', () => {
    expect(
      compareErrorRates({ canary: { events: 2, total: 10 }, stable: { events: 0, total: 500 } }).classification,
    ).toBe('NoData');
    expect(
      compareErrorRates({ canary: { events: 0, total: 500 }, stable: { events: 0, total: 500 } }).classification,
    ).toBe('Pass');
  });
  it('never flags a canary that errs less than stable', () => {
    expect(
      compareErrorRates({ canary: { events: 1, total: 1000 }, stable: { events: 50, total: 1000 } }).classification,
    ).toBe('Pass');
  });
  it('measures a side with exactly minTotal requests (12/30 vs 0/30: z=3.873) and not one with a request fewer', () => {
    expect(
      compareErrorRates({ canary: { events: 12, total: 30 }, stable: { events: 0, total: 30 } }).classification,
    ).toBe('High');
    expect(
      compareErrorRates({ canary: { events: 12, total: 29 }, stable: { events: 0, total: 30 } }).classification,
    ).toBe('NoData');
    expect(
      compareErrorRates({ canary: { events: 12, total: 30 }, stable: { events: 0, total: 29 } }).classification,
    ).toBe('NoData');
  });
  it('reports no z or p-value when both sides have the same all-or-nothing rate (nothing to test, no NaN)', () => {
    for (const events of [0, 500]) {
      const r = compareErrorRates({ canary: { events, total: 500 }, stable: { events, total: 500 } });
      expect(r.classification).toBe('Pass');
      expect(r.z).toBeUndefined();
      expect(r.pValue).toBeUndefined();
    }
  });
  it("needs the rise to exceed the tolerance of stable's rate when that is above the absolute floor", () => {
    // 11% vs 10% on 100,000 requests each: z=7.29, one point above stable (over the half-point floor) but under
    // 25% of stable's 10% (2.5 points): not material.
    expect(
      compareErrorRates({ canary: { events: 11_000, total: 100_000 }, stable: { events: 10_000, total: 100_000 } })
        .classification,
    ).toBe('Pass');
    // 13% vs 10%: three points, over both.
    expect(
      compareErrorRates({ canary: { events: 13_000, total: 100_000 }, stable: { events: 10_000, total: 100_000 } })
        .classification,
    ).toBe('High');
  });
  it('a rise of exactly the absolute floor is material; one of exactly the tolerance is not', () => {
    // 0.50% vs 0% on 10,000 requests each (z=7.08): the rise is the half-point floor itself (0.005, exactly).
    expect(
      compareErrorRates({ canary: { events: 50, total: 10_000 }, stable: { events: 0, total: 10_000 } }).classification,
    ).toBe('High');
    expect(
      compareErrorRates({ canary: { events: 49, total: 10_000 }, stable: { events: 0, total: 10_000 } }).classification,
    ).toBe('Pass');
    // 31.25% vs 25% (exact in binary): the rise is 25% of stable's rate exactly, which it must exceed.
    expect(
      compareErrorRates({ canary: { events: 31_250, total: 100_000 }, stable: { events: 25_000, total: 100_000 } })
        .classification,
    ).toBe('Pass');
    expect(
      compareErrorRates({ canary: { events: 31_251, total: 100_000 }, stable: { events: 25_000, total: 100_000 } })
        .classification,
    ).toBe('High');
  });
});
