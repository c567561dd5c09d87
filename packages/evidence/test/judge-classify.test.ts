import { describe, expect, it } from 'vitest';
import { classifyMetric, scoreClassifications } from '@aiops/evidence';

// Kayenta's ClassifierSuite data (canary "High" vs baseline), reused to check the same classifications.
const baseline = [
  11.1453586774086, 9.9618059885597017, 7.068574306369829, 7.3012661810483657, 9.7944630265656727, 9.6037918603687302,
  6.1867793350339388, 12.345599159550174, 10.371891733859533, 8.6094300785016724, 9.913162673361084, 10.361375299003466,
  14.206800387518818, 10.946153754753301, 10.215876627044048, 11.739760899484603, 10.907627468626439,
  12.823353694464775, 8.1018609771732137, 8.4981616408804932, 12.113441374697231, 13.272210809932028,
  10.114579381663297, 6.9463958767978067, 6.2105278541727778, 10.160401684903775, 8.3457712066455461, 8.383822063895833,
  7.0020205070083765, 10.755757401808442,
];
const similar = [
  9.7767343120109462, 10.587071850477695, 7.8375506388901766, 9.3243326886113884, 8.3774505409784421,
  8.9359264399606282, 8.2707663324728511, 9.7484308126716925, 11.623746715547156, 9.2753442679633942,
  8.1538047749171518, 10.562020975754294, 13.498135575451835, 11.054419256110332, 6.9538903590055092,
  12.521008342195479, 9.0216358603546443, 4.9234856699531662, 11.251360203607172, 11.598449508040337, 8.435232204668182,
  11.110228516867279, 10.70063380164755, 8.9212773652115249, 10.086167067942661, 11.42107515483087, 9.3792347813644952,
  7.7980320148552593, 10.62339807275746, 11.909642062063739,
];
const doubled = baseline.map((v) => v * 2);

describe('classifyMetric', () => {
  it('Pass for samples from the same distribution, High for a doubled one (Kayenta ClassifierSuite)', () => {
    expect(
      classifyMetric({ canary: similar, stable: baseline, direction: 'either', tolerance: 0.1, confidenceLevel: 0.95 })
        .classification,
    ).toBe('Pass');
    const high = classifyMetric({ canary: doubled, stable: baseline, direction: 'either' });
    expect(high.classification).toBe('High');
    expect(high.effectSize).toBeCloseTo(2, 9);
    expect(high.pValue).toBeLessThan(0.02);
    expect(high.reason).toMatch(/significantly higher/);
  });

  it('direction: an increase is bad for latency, harmless for a success rate', () => {
    expect(classifyMetric({ canary: doubled, stable: baseline, direction: 'increase' }).classification).toBe('High');
    const harmless = classifyMetric({ canary: doubled, stable: baseline, direction: 'decrease' });
    expect(harmless.classification).toBe('Pass');
    expect(harmless.reason).toMatch(/does not penalise/);
    expect(classifyMetric({ canary: baseline, stable: doubled, direction: 'decrease' }).classification).toBe('Low');
    expect(classifyMetric({ canary: baseline, stable: doubled, direction: 'increase' }).classification).toBe('Pass');
  });

  it('a success rate that drops from 0.999 to 0.95 is Low', () => {
    const stable = [0.999, 0.998, 0.999, 1, 0.999, 0.998, 0.999, 1, 0.999, 0.999];
    const canary = [0.95, 0.96, 0.94, 0.95, 0.955, 0.945, 0.95, 0.96, 0.94, 0.95];
    const r = classifyMetric({ canary, stable, direction: 'decrease', critical: true });
    expect(r.classification).toBe('Low');
    expect(r.critical).toBe(true);
    expect(r.reason).toMatch(/critical/);
  });

  it('effect-size floor: a significant but small change passes', () => {
    const stable = Array.from({ length: 40 }, (_, i) => 100 + (i % 5));
    const canary = stable.map((v) => v + 3);
    expect(classifyMetric({ canary, stable, direction: 'increase' }).classification).toBe('High');
    const floored = classifyMetric({ canary, stable, direction: 'increase', effectSizeFloor: { increaseRatio: 1.1 } });
    expect(floored.classification).toBe('Pass');
    expect(floored.reason).toMatch(/effect-size floor/);
    expect(
      classifyMetric({ canary, stable, direction: 'increase', effectSizeFloor: { absolute: 5 } }).classification,
    ).toBe('Pass');
  });

  it('identical and constant series pass (all ranks tied)', () => {
    expect(classifyMetric({ canary: [1, 2, 3], stable: [3, 2, 1], direction: 'either' })).toMatchObject({
      classification: 'Pass',
      reason: expect.stringMatching(/identical/) as string,
    });
    expect(classifyMetric({ canary: [0, 0, 0, 0], stable: [0, 0, 0], direction: 'increase' }).classification).toBe(
      'Pass',
    );
  });

  it('constant but different series: restarts 2 in the canary, 0 in stable is High', () => {
    const r = classifyMetric({
      canary: Array(10).fill(2) as number[],
      stable: Array(10).fill(0) as number[],
      direction: 'increase',
    });
    expect(r.classification).toBe('High');
    expect(r.effectSize).toBe(Infinity);
  });

  it('empty or too-small samples are NoData', () => {
    expect(classifyMetric({ canary: [], stable: [1, 2, 3], direction: 'increase' }).classification).toBe('NoData');
    expect(classifyMetric({ canary: [1, 2, 3], stable: [], direction: 'increase' }).reason).toMatch(/stable has 0/);
    expect(classifyMetric({ canary: [1, 2], stable: [1, 2, 3], direction: 'increase' }).classification).toBe('NoData');
    expect(classifyMetric({ canary: [9], stable: [1], direction: 'increase', minSamples: 1 }).classification).toBe(
      'Pass',
    );
  });

  it('tiny samples cannot reach 98% confidence: 3 vs 3 complete separation passes (exact p = 0.1)', () => {
    const r = classifyMetric({ canary: [10, 11, 12], stable: [1, 2, 3], direction: 'increase' });
    expect(r.classification).toBe('Pass');
    expect(r.pValue).toBeCloseTo(0.1, 12);
  });

  it('NaN handling: removed by default, replaced by 0 on request', () => {
    const stable = [1, 1.1, 0.9, 1, 1.05, 0.95, 1, 1.02, 0.98, 1.01, 0.99];
    const partlyMissing = [NaN, NaN, NaN, NaN, NaN, 1, 1.01, 0.99];
    const removed = classifyMetric({ canary: partlyMissing, stable, direction: 'decrease' });
    expect(removed.canary.count).toBe(3);
    expect(removed.classification).toBe('Pass');
    expect(
      classifyMetric({ canary: partlyMissing, stable, direction: 'decrease', nanStrategy: 'replace' }).canary.count,
    ).toBe(8);
    const allMissing = Array(11).fill(NaN) as number[];
    expect(classifyMetric({ canary: allMissing, stable, direction: 'decrease' }).classification).toBe('NoData');
    expect(
      classifyMetric({ canary: allMissing, stable, direction: 'decrease', nanStrategy: 'replace' }).classification,
    ).toBe('Low');
    // Infinite values are never comparable and are always dropped.
    expect(classifyMetric({ canary: [Infinity, 1, 1, 1], stable, direction: 'decrease' }).canary.count).toBe(3);
  });
});

describe('classifyMetric: bounds and floors', () => {
  // 15 values a side, shifted by 4 with noise: p=0.0047, estimate 4, 98% interval [1, 8].
  const stable = Array.from({ length: 15 }, (_, i) => 100 + ((i * 7) % 13));
  const shifted = stable.map((v, i) => v + 4 + ((i * 5) % 11) - 5);

  it('needs the interval to clear tolerance x |estimate|, in either direction', () => {
    expect(classifyMetric({ canary: shifted, stable, direction: 'increase', tolerance: 0.2 }).classification).toBe(
      'High',
    );
    expect(classifyMetric({ canary: shifted, stable, direction: 'increase', tolerance: 0.5 }).classification).toBe(
      'Pass',
    );
    expect(
      classifyMetric({ canary: stable, stable: shifted, direction: 'decrease', tolerance: 0.2 }).classification,
    ).toBe('Low');
    expect(
      classifyMetric({ canary: stable, stable: shifted, direction: 'decrease', tolerance: 0.5 }).classification,
    ).toBe('Pass');
  });

  it('needs significance at the confidence level asked for', () => {
    expect(
      classifyMetric({ canary: shifted, stable, direction: 'increase', tolerance: 0.2, confidenceLevel: 0.999 })
        .classification,
    ).toBe('Pass');
  });

  it('counts an absolute floor met exactly, and a decrease-ratio floor for drops', () => {
    // Tie-free and under 50 a side: the exact method, whose shift is exactly 20.5.
    const low = Array.from({ length: 15 }, (_, i) => i);
    const high = low.map((v) => v + 20.5);
    expect(
      classifyMetric({ canary: high, stable: low, direction: 'increase', effectSizeFloor: { absolute: 20.5 } }),
    ).toMatchObject({ classification: 'High', estimate: 20.5 });
    expect(
      classifyMetric({ canary: high, stable: low, direction: 'increase', effectSizeFloor: { absolute: 20.6 } })
        .classification,
    ).toBe('Pass');
    const base = Array.from({ length: 40 }, (_, i) => 100 + (i % 5));
    const up = base.map((v) => v + 3);
    const down = base.map((v) => v - 3);
    expect(classifyMetric({ canary: down, stable: base, direction: 'decrease' }).classification).toBe('Low');
    const floored = classifyMetric({
      canary: down,
      stable: base,
      direction: 'decrease',
      effectSizeFloor: { decreaseRatio: 0.9 },
    });
    expect(floored.classification).toBe('Pass');
    expect(floored.reason).toMatch(/effect-size floor/);
    // The increase floor does not hold back a drop, nor the decrease floor a rise.
    expect(
      classifyMetric({ canary: down, stable: base, direction: 'decrease', effectSizeFloor: { increaseRatio: 2 } })
        .classification,
    ).toBe('Low');
    expect(
      classifyMetric({ canary: up, stable: base, direction: 'increase', effectSizeFloor: { decreaseRatio: 0.5 } })
        .classification,
    ).toBe('High');
  });

  it("direction 'either' flags a drop as Low", () => {
    expect(classifyMetric({ canary: baseline, stable: doubled, direction: 'either' }).classification).toBe('Low');
  });

  it('reports the test it ran: p-value, mean ratio, shift and interval', () => {
    const r = classifyMetric({ canary: shifted, stable, direction: 'increase', tolerance: 0.2 });
    expect(r.pValue).toBeCloseTo(0.004738, 5);
    expect(r.estimate).toBeCloseTo(4, 9);
    expect(r.confidenceInterval?.[0]).toBeCloseTo(1, 9);
    expect(r.confidenceInterval?.[1]).toBeCloseTo(8, 9);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(r.effectSize).toBeCloseTo(mean(shifted) / mean(stable), 12);
    expect(classifyMetric({ canary: shifted, stable, direction: 'increase', tolerance: 0.5 })).toMatchObject({
      pValue: r.pValue,
      estimate: r.estimate,
    });
  });

  it('summarises each side: count, median (odd and even counts) and mean', () => {
    const r = classifyMetric({ canary: [10, 1, 3, 2], stable: [3, 1, 2], direction: 'increase' });
    expect(r.canary).toEqual({ count: 4, median: 2.5, mean: 4 });
    expect(r.stable).toEqual({ count: 3, median: 2, mean: 2 });
    expect(classifyMetric({ canary: [], stable: [1, 2, 3], direction: 'increase' }).canary).toEqual({ count: 0 });
  });

  it('mean ratio against a zero stable mean: infinite either way, 1 when both are zero', () => {
    const zeros = [0, 0, 0, 0, 0, 0];
    expect(classifyMetric({ canary: [-3, -2, -4, -3, -2, -4], stable: zeros, direction: 'decrease' })).toMatchObject({
      effectSize: -Infinity,
      classification: 'Low',
    });
    expect(classifyMetric({ canary: [1, -1, 0, 1, -1, 0], stable: zeros, direction: 'either' }).effectSize).toBe(1);
  });

  it('a minSamples under 1 still needs one value, and infinities are dropped whatever the NaN strategy', () => {
    expect(classifyMetric({ canary: [], stable: [], direction: 'increase', minSamples: 0 }).classification).toBe(
      'NoData',
    );
    expect(
      classifyMetric({
        canary: [Infinity, -Infinity, NaN, 1, 2, 3],
        stable: [1, 2, 3],
        direction: 'increase',
        nanStrategy: 'replace',
      }).canary,
    ).toEqual({ count: 4, median: 1.5, mean: 1.5 });
  });

  it('a metric is critical only when declared so', () => {
    expect(classifyMetric({ canary: doubled, stable: baseline, direction: 'increase' }).critical).toBe(false);
    expect(classifyMetric({ canary: doubled, stable: baseline, direction: 'increase', critical: true }).critical).toBe(
      true,
    );
  });

  it('replaces NaN by 0 on the stable side too', () => {
    const r = classifyMetric({ canary: [1, 2, 3], stable: [NaN, 1, 2], direction: 'increase', nanStrategy: 'replace' });
    expect(r.stable).toEqual({ count: 3, median: 1, mean: 1 });
  });

  it('ratio floors met exactly count (a doubled series has a mean ratio of exactly 2, its mirror 0.5)', () => {
    expect(
      classifyMetric({
        canary: doubled,
        stable: baseline,
        direction: 'increase',
        effectSizeFloor: { increaseRatio: 2 },
      }),
    ).toMatchObject({ classification: 'High', effectSize: 2 });
    expect(
      classifyMetric({
        canary: baseline,
        stable: doubled,
        direction: 'decrease',
        effectSizeFloor: { decreaseRatio: 0.5 },
      }),
    ).toMatchObject({ classification: 'Low', effectSize: 0.5 });
  });

  it('is not fooled by shared leading values: only fully equal samples are identical or constant', () => {
    const zeros = Array(12).fill(0) as number[];
    const restarts = [0, 0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5];
    expect(classifyMetric({ canary: restarts, stable: zeros, direction: 'increase' }).classification).toBe('High');
    expect(classifyMetric({ canary: zeros, stable: restarts, direction: 'decrease' }).classification).toBe('Low');
    // The canary's values are exactly the start of stable's: not identical samples.
    const start = Array.from({ length: 20 }, (_, i) => i);
    const longer = [...start, ...Array.from({ length: 60 }, (_, i) => 100 + i)];
    expect(classifyMetric({ canary: start, stable: longer, direction: 'decrease' }).classification).toBe('Low');
  });

  it('says which side lacks data', () => {
    expect(classifyMetric({ canary: [1], stable: [1, 2, 3], direction: 'increase' }).reason).toMatch(/canary has 1/);
    expect(classifyMetric({ canary: [1, 2, 3], stable: [1], direction: 'increase' }).reason).toMatch(/stable has 1/);
  });
});

describe('classifyMetric: one value everywhere', () => {
  it('passes with p = 1 when both sides hold the same single value, however many of each', () => {
    expect(classifyMetric({ canary: [5, 5, 5, 5], stable: [5, 5, 5], direction: 'increase' })).toMatchObject({
      classification: 'Pass',
      pValue: 1,
      effectSize: 1,
      reason: 'every value is the same on both sides',
    });
  });
});

describe('scoreClassifications', () => {
  it('all pass -> 100 / pass', () => {
    expect(
      scoreClassifications([
        { classification: 'Pass', critical: true },
        { classification: 'Pass', critical: false },
      ]),
    ).toMatchObject({ score: 100, outcome: 'pass', criticalFailures: 0 });
  });

  it('any critical failure -> 0 / fail, whatever the rest', () => {
    const r = scoreClassifications([
      { classification: 'Low', critical: true },
      { classification: 'Pass', critical: false },
      { classification: 'Pass', critical: false },
    ]);
    expect(r).toMatchObject({ score: 0, outcome: 'fail', criticalFailures: 1 });
  });

  it('non-critical failures lower the weighted score: marginal and fail bands', () => {
    const items = (fails: number, passes: number) => [
      ...Array.from({ length: fails }, () => ({ classification: 'High' as const, critical: false })),
      ...Array.from({ length: passes }, () => ({ classification: 'Pass' as const, critical: false })),
    ];
    expect(scoreClassifications(items(1, 4))).toMatchObject({ score: 80, outcome: 'marginal' });
    expect(scoreClassifications(items(1, 1))).toMatchObject({ score: 50, outcome: 'fail' });
    expect(
      scoreClassifications([
        { classification: 'High', critical: false, weight: 1 },
        { classification: 'Pass', critical: false, weight: 9 },
      ]),
    ).toMatchObject({ score: 90, outcome: 'marginal' });
    expect(scoreClassifications(items(1, 4), { passThreshold: 80, marginalThreshold: 50 }).outcome).toBe('pass');
    // A threshold met exactly counts: 75 is marginal, 95 passes.
    expect(scoreClassifications(items(1, 3))).toMatchObject({ score: 75, outcome: 'marginal' });
    expect(scoreClassifications(items(1, 19))).toMatchObject({ score: 95, outcome: 'pass' });
  });

  it('half or more NoData -> insufficient; NoData is left out of the score', () => {
    expect(
      scoreClassifications([
        { classification: 'NoData', critical: true },
        { classification: 'Pass', critical: false },
      ]).outcome,
    ).toBe('insufficient');
    expect(scoreClassifications([])).toMatchObject({ outcome: 'insufficient', score: 0 });
    expect(
      scoreClassifications([
        { classification: 'NoData', critical: false },
        { classification: 'Pass', critical: false },
        { classification: 'Pass', critical: false },
      ]),
    ).toMatchObject({ score: 100, outcome: 'pass', noData: 1, judged: 2 });
  });
});
