/** Throughput of the statistical judge on 100k-sample comparisons (canary vs stable). Prints figures only. */
import { classifyMetric, mannWhitney } from '@aiops/evidence';

function samples(n: number, seed: number, scale: number): number[] {
  const out: number[] = [];
  let state = seed;
  for (let i = 0; i < n; i++) {
    // A small LCG keeps the figures reproducible from run to run.
    state = (state * 1103515245 + 12345) % 2147483648;
    out.push(scale * (100 + (state / 2147483648) * 20));
  }
  return out;
}

function time(label: string, runs: number, fn: () => void): void {
  fn(); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / runs;
  console.log(`${label.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms/op ${(1000 / ms).toFixed(2).padStart(8)} ops/s`);
}

for (const n of [1_000, 10_000, 100_000]) {
  const stable = samples(n, 1, 1);
  const same = samples(n, 2, 1);
  const higher = samples(n, 3, 1.05);
  const runs = n >= 100_000 ? 5 : 20;
  time(
    `mannWhitney n=${n} vs ${n} (p, estimate, 98% interval)`,
    runs,
    () => void mannWhitney(same, stable, { confidenceLevel: 0.98 }),
  );
  time(
    `classifyMetric n=${n} vs ${n}, no difference`,
    runs,
    () => void classifyMetric({ canary: same, stable, direction: 'increase' }),
  );
  time(
    `classifyMetric n=${n} vs ${n}, +5%`,
    runs,
    () => void classifyMetric({ canary: higher, stable, direction: 'increase' }),
  );
}
const small = samples(30, 4, 1);
time('mannWhitney 30 vs 30 (exact distribution)', 200, () => void mannWhitney(small, samples(30, 5, 1)));
const before = process.memoryUsage().heapUsed;
const big = mannWhitney(samples(100_000, 6, 1), samples(100_000, 7, 1));
console.log(
  `heap growth for one 100k comparison: ${((process.memoryUsage().heapUsed - before) / 1e6).toFixed(1)} MB (method ${big.method})`,
);
