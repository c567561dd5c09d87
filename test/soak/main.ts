/**
 * `pnpm soak [--seed S] [--runs N] [--max-rss-mb M] [--verbose]`: the chaos soak against the built service.
 * Prints the figures and the seed; exits 1 on any violation, so a failing seed can be replayed as is.
 */
import { parseArgs } from 'node:util';
import { formatSoakReport, runSoak } from '../support/soak.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    runs: { type: 'string', default: '100' },
    'max-rss-mb': { type: 'string', default: '1024' },
    verbose: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const maxRssMb = Number(values['max-rss-mb']);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
if (!Number.isFinite(maxRssMb) || maxRssMb <= 0)
  throw new Error(`--max-rss-mb must be a positive number, got ${values['max-rss-mb']}`);

const started = Date.now();
const report = await runSoak({
  seed: values.seed,
  runs,
  maxRssBytes: maxRssMb * 1024 * 1024,
  log: (line) => {
    if (values.verbose) console.log(line);
  },
});
console.log(formatSoakReport(report));
console.log(`took ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(report.violations.length === 0 ? 0 : 1);
