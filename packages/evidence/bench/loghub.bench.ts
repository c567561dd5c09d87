/**
 * Loghub-2k yardstick for the templater: Grouping Accuracy per system against the corrected and the original
 * labels, beside the published Drain figures, plus throughput of parseLogEvents + templater on one core.
 * The data stays in the shared folder (../shared/data/loghub-2k from the repo root); it is read, never copied.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import { createTemplater, groupingAccuracy, parseLogEvents } from '../src/index.js';

interface SystemSettings {
  log_format_regex_js: string;
  files: { log: { path: string }; structured: { path: string }; structured_corrected: { path: string } };
}

const dataDir = fileURLToPath(new URL('../../../../shared/data/loghub-2k/', import.meta.url));
if (!existsSync(dataDir)) {
  console.log(`loghub-2k not found at ${dataDir}; skipping`);
  process.exit(0);
}
const settings = JSON.parse(readFileSync(`${dataDir}benchmark-settings.json`, 'utf8')) as {
  systems: Record<string, SystemSettings>;
};
const published = JSON.parse(readFileSync(`${dataDir}published-accuracy.json`, 'utf8')) as {
  drain: Record<string, { per_system?: Record<string, { GA?: number }> }>;
};
const drainOriginal = published.drain.logparser_readme_loghub2k_original_labels?.per_system ?? {};
const drainCorrected =
  Object.values(published.drain).find((b) => b.per_system?.Proxifier?.GA === 0.526)?.per_system ?? {};

function readLines(path: string): string[] {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function eventIds(path: string): string[] {
  const rows = parseCsv<Record<string, string>>(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true });
  return rows.map((r) => r.EventId ?? '');
}

const fmt = (n: number | undefined): string => (n === undefined ? '   -  ' : n.toFixed(4));
const rows: string[] = [];
const corrected: number[] = [];
const original: number[] = [];
const drainMeanInputs: number[] = [];
let totalBytes = 0;
let totalMs = 0;
let fastestBytes = 0;
let fastestMs = 0;
const misses: string[] = [];

for (const [system, s] of Object.entries(settings.systems)) {
  const raw = readLines(dataDir + s.files.log.path);
  const format = new RegExp(s.log_format_regex_js);
  const contents = raw.map((line) => format.exec(line.trim())?.groups?.Content ?? line);
  const truthCorrected = eventIds(dataDir + s.files.structured_corrected.path);
  const truthOriginal = eventIds(dataDir + s.files.structured.path);

  const templater = createTemplater();
  // Like Drain's benchmark, each line gets its cluster's final template: ids of merged clusters are resolved.
  const parsed = contents.map((content) => templater.add(content)).map((id) => templater.currentId(id));
  const gaCorrected = groupingAccuracy(truthCorrected, parsed);
  const gaOriginal = groupingAccuracy(truthOriginal, parsed);
  corrected.push(gaCorrected);
  original.push(gaOriginal);
  const drain = drainOriginal[system]?.GA;
  if (drain !== undefined) drainMeanInputs.push(drain);
  rows.push(
    `${system.padEnd(12)} ${fmt(gaCorrected)}   ${fmt(drainCorrected[system]?.GA)}     ${fmt(gaOriginal)}   ${fmt(drain)}   ${String(templater.templates().length).padStart(5)}`,
  );
  if (process.env.LOGHUB_MISSES === system) misses.push(...explain(truthOriginal, parsed, contents, templater));

  // Throughput: the whole raw text through the event parser and the templater, repeated to get a stable figure.
  const text = raw.join('\n');
  const bytes = Buffer.byteLength(text);
  // The fastest of the repeats is kept as well as the mean: on a shared machine the mean mostly measures neighbours.
  const repeats = 10;
  let fastest = Number.POSITIVE_INFINITY;
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    const t = createTemplater();
    for (const event of parseLogEvents(text)) t.add(event.message);
    const elapsed = performance.now() - started;
    totalMs += elapsed;
    fastest = Math.min(fastest, elapsed);
  }
  fastestMs += fastest;
  totalBytes += bytes * repeats;
  fastestBytes += bytes;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log('Loghub-2k grouping accuracy (GA), Content field, generic masks, one setting for all systems');
console.log('system       GA(corr)  Drain(corr)  GA(orig)  Drain(orig) templates');
for (const row of rows) console.log(row);
console.log(
  `mean         ${fmt(mean(corrected))}   ${fmt(0.85)}     ${fmt(mean(original))}   ${fmt(mean(drainMeanInputs))}`,
);
const mbPerSecond = (bytes: number, ms: number): string => (bytes / 1e6 / (ms / 1000)).toFixed(1);
console.log(
  `throughput: ${mbPerSecond(totalBytes, totalMs)} MB/s mean, ${mbPerSecond(fastestBytes, fastestMs)} MB/s best of 10, of raw log through parseLogEvents + templater (one core)`,
);
console.log('Data: Loghub (Zhu et al., ISSRE 2023), corrected labels from Loghub-2.0 (Jiang et al., ISSTA 2024).');
for (const m of misses) console.log(m);

/** Debug aid (LOGHUB_MISSES=<System>): which true groups were split or merged. */
function explain(
  truth: string[],
  parsed: string[],
  contents: string[],
  templater: ReturnType<typeof createTemplater>,
): string[] {
  const out: string[] = [];
  const byTruth = new Map<string, Set<string>>();
  const byParsed = new Map<string, Set<string>>();
  truth.forEach((t, i) => {
    const p = parsed[i] ?? '';
    byTruth.set(t, (byTruth.get(t) ?? new Set()).add(p));
    byParsed.set(p, (byParsed.get(p) ?? new Set()).add(t));
  });
  for (const [t, ps] of byTruth) {
    if (ps.size > 1) {
      out.push(`SPLIT ${t}:`);
      for (const p of ps) out.push(`    ${templater.templateOf(p)}   e.g. ${contents[parsed.indexOf(p)]}`);
    }
  }
  for (const [p, ts] of byParsed)
    if (ts.size > 1) out.push(`MERGED ${[...ts].join(',')} into ${templater.templateOf(p)}`);
  return out;
}
