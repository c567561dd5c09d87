/** Secret redaction throughput on 10 MB of log text (mostly ordinary lines, some with fake secrets). */
import { createRedactor } from '../src/index.js';

const ordinary = [
  '2024-05-01T10:00:00.123Z INFO cart served request id=3f2b8c4e-9a1d-4e5f-8b7c-6d5e4f3a2b1c path=/api/cart/42 status=200 duration=12ms',
  '{"level":"warn","ts":"2024-05-01T10:00:01Z","msg":"slow upstream","upstream":"10.0.3.7:8080","latency_ms":830,"trace_id":"0af7651916cd43dd8448eb211c80319c"}',
  '10.0.0.1 - - [01/May/2024:10:00:00 +0000] "GET /api/cart/7 HTTP/1.1" 200 512 "-" "Mozilla/5.0" 0.012',
  '2024-05-01 10:00:01.123 ERROR [http-nio-8080-exec-3] c.a.PriceController - request failed for key cart:42',
];
const withSecrets = [
  'connecting to postgres://cart:s3cr3t-P4ss@db.internal:5432/cart',
  'GET /api Authorization: Bearer abcdef0123456789abcdef0123456789',
  'using AKIAIOSFODNN7EXAMPLE with password=hunter2',
];
const lines: string[] = [];
let size = 0;
for (let i = 0; size < 10 * 1024 * 1024; i++) {
  const line = i % 50 === 0 ? (withSecrets[i % withSecrets.length] ?? '') : (ordinary[i % ordinary.length] ?? '');
  lines.push(line);
  size += line.length + 1;
}
const text = lines.join('\n');
const redactor = createRedactor();
redactor.redact(text.slice(0, 100_000));

let started = performance.now();
const whole = redactor.redactWithCount(text);
const wholeMs = performance.now() - started;
started = performance.now();
let perLineCount = 0;
for (const line of lines) perLineCount += redactor.redactWithCount(line).count;
const perLineMs = performance.now() - started;
const mb = Buffer.byteLength(text) / 1e6;
console.log(
  `redaction, ${mb.toFixed(1)} MB in one call: ${wholeMs.toFixed(0)} ms (${(mb / (wholeMs / 1000)).toFixed(1)} MB/s), ${whole.count} secrets`,
);
console.log(
  `redaction, ${lines.length} lines one by one: ${perLineMs.toFixed(0)} ms (${(mb / (perLineMs / 1000)).toFixed(1)} MB/s), ${perLineCount} secrets`,
);

// Adversarial input, one case per rule (shared with the redaction test): each must stay above 20 MB/s.
// Measured in CPU time of this process (process.cpuUsage), so a machine shared with other jobs does not halve the
// figure; wall-clock MB/s is printed beside it.
const { WORST_CASES } = await import('../test/support/redaction-worst-cases.js');
const FLOOR_MB_S = 20;
const slow: string[] = [];
for (const worst of WORST_CASES) {
  const input = worst.text + worst.tail;
  redactor.redact(input.slice(0, 50_000));
  const runs = 3;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) redactor.redact(input);
  const wallSeconds = (performance.now() - t0) / 1000 / runs;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6 / runs;
  const mbytes = Buffer.byteLength(input) / 1e6;
  const rate = mbytes / cpuSeconds;
  if (rate < FLOOR_MB_S) slow.push(worst.rule);
  console.log(
    `redaction worst case ${worst.rule.padEnd(20)} ${mbytes.toFixed(1)} MB: ${rate.toFixed(1)} MB/s of CPU (${(mbytes / wallSeconds).toFixed(1)} MB/s wall)`,
  );
}
console.log(
  slow.length === 0
    ? `redaction worst cases: every rule >= ${FLOOR_MB_S} MB/s`
    : `redaction worst cases BELOW ${FLOOR_MB_S} MB/s: ${slow.join(', ')}`,
);
