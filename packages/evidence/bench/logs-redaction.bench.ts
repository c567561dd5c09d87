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
  const line = i % 50 === 0 ? withSecrets[i % withSecrets.length] ?? '' : ordinary[i % ordinary.length] ?? '';
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
console.log(`redaction, ${mb.toFixed(1)} MB in one call: ${wholeMs.toFixed(0)} ms (${(mb / (wholeMs / 1000)).toFixed(1)} MB/s), ${whole.count} secrets`);
console.log(`redaction, ${lines.length} lines one by one: ${perLineMs.toFixed(0)} ms (${(mb / (perLineMs / 1000)).toFixed(1)} MB/s), ${perLineCount} secrets`);
