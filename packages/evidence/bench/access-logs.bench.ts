/**
 * Access-log parsing throughput: the lines captured from the real servers (test/fixtures/access-logs), each format's
 * stream repeated to ~2 MB, through parseLogEvents (format detection per stream, one anchored match per line).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseLogEvents } from '../src/index.js';

const root = fileURLToPath(new URL('../test/fixtures/access-logs/', import.meta.url));
const streams: Array<[string, string]> = [];
for (const dir of readdirSync(root)) {
  if (!statSync(`${root}${dir}`).isDirectory() || dir.startsWith('_')) continue;
  for (const file of readdirSync(`${root}${dir}`).filter((f) => f.endsWith('.log')))
    streams.push([`${dir}/${file}`, readFileSync(`${root}${dir}/${file}`, 'utf8')]);
}
let totalBytes = 0;
let totalCpu = 0;
for (const [name, text] of streams) {
  const big = text.repeat(Math.ceil(2_000_000 / text.length));
  parseLogEvents(big.slice(0, 100_000));
  const cpu0 = process.cpuUsage();
  const events = parseLogEvents(big);
  const cpu = process.cpuUsage(cpu0);
  const seconds = (cpu.user + cpu.system) / 1e6;
  const requests = events.filter((e) => e.http !== undefined).length;
  totalBytes += big.length;
  totalCpu += seconds;
  console.log(
    `access log ${name.padEnd(28)} ${(big.length / 1e6 / seconds).toFixed(1)} MB/s of CPU, ${requests} requests read`,
  );
}
console.log(`access logs, all formats: ${(totalBytes / 1e6 / totalCpu).toFixed(1)} MB/s of CPU through parseLogEvents`);
