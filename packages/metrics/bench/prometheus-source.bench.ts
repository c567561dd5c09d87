/**
 * CPU of the Prometheus client per query_range call, as the metrics analyst makes them under a burst of analyses
 * (20 in flight): the answer comes from a plain HTTP server in a child process, so only the client's own CPU
 * (request, body, JSON, matrix parsing) is counted in this process. Figures, not assertions.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createPrometheusSource } from '../src/index.js';

// 40 samples per series, two series: what one side of one metric looks like over a 10-minute window.
const answer = JSON.stringify({
  status: 'success',
  data: {
    resultType: 'matrix',
    result: [0, 1].map((pod) => ({
      metric: { pod: `checkout-7d9f-${pod}` },
      values: Array.from({ length: 40 }, (_, i) => [1_700_000_000 + i * 15, String(0.1 + ((i * 7) % 13) / 100)]),
    })),
  },
});
const server = spawn(
  process.execPath,
  [
    '-e',
    `const body = process.env.BODY;
     const s = require('node:http').createServer((req, res) => { req.resume(); req.on('end', () => {
       res.writeHead(200, { 'content-type': 'application/json' }); res.end(body); }); });
     s.listen(0, '127.0.0.1', () => console.log(s.address().port));`,
  ],
  { env: { ...process.env, BODY: answer }, stdio: ['ignore', 'pipe', 'inherit'] },
);
const port = String((await once(createInterface({ input: server.stdout }), 'line'))[0]);
const source = createPrometheusSource({ url: `http://127.0.0.1:${port}`, timeoutMs: 10_000 });
const range = { start: new Date(Date.now() - 600_000), end: new Date(), stepSeconds: 15 };
const query =
  'sum(rate(istio_requests_total{destination_workload_namespace="shop",response_code=~"5.."}[1m])) by (pod)';

async function run(calls: number): Promise<{ cpuUs: number }> {
  const cpu = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next++ < calls) await source.queryRange(query, range, { signal: AbortSignal.timeout(10_000) });
    }),
  );
  const used = process.cpuUsage(cpu);
  return { cpuUs: used.user + used.system };
}

try {
  await run(500); // warm-up (JIT, connections)
  const calls = 3000;
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) runs.push((await run(calls)).cpuUs);
  // The best run: on a shared machine the others mostly measure the neighbours.
  console.log(
    `prometheus query_range client: ${(Math.min(...runs) / calls).toFixed(0)} µs CPU per call (best of 3 × ${calls} calls, 20 in flight)`,
  );
} finally {
  server.kill();
}
