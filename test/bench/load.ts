/**
 * `pnpm bench:load`: the built service on the fakes under a burst of distinct analyses, as a platform team's base-image
 * bump produces (every Rollout starts its canary within the same minute). For a slow model and for none, it prints
 * the single-analysis latency, the p50/p99 of N simultaneous distinct analyses and their ratio to single, analyses/s,
 * the /healthz p99 during the burst, the service's peak RSS and the number of 503s, for each N.
 *
 * Figures, not assertions: a shared machine's figures vary with its load, which the run prints beside them.
 * Options (environment): LOAD_N=50,200 (burst sizes), LOAD_MODEL_MS=2000 (the slow model's answer time),
 * LOAD_CONFIGS=model,none, LOAD_ENV='{"MAX_CONCURRENT_ANALYSES":"200"}' (extra service environment),
 * CPU per analysis (from /proc, so it holds on a busy machine where wall-clock figures do not): the service's request
 * thread, the whole service (its worker threads included), and this process (the fake Kubernetes and Prometheus
 * servers and the client), each divided by the burst size.
 * LOAD_DEBUG=1 prints the body of every answer that is not a 200 (what the 503s were), on stderr.
 * A CPU profile of the service: LOAD_ENV='{"NODE_OPTIONS":"--import=<abs path>/test/bench/cpu-profile.mjs",
 * "CPU_PROFILE_DIR":"<abs dir>"}' (Node 20 refuses --cpu-prof in NODE_OPTIONS).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import {
  pluginRequestBody,
  responders,
  scenarioById,
  startFakeGemini,
  type FakeGemini,
  type Scenario,
} from '@aiops/testkit';
import { startKubeFixture } from '../support/fakes.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';

const SIZES = (process.env.LOAD_N ?? '50,200').split(',').map(Number);
const MODEL_MS = Number(process.env.LOAD_MODEL_MS ?? 2000);
const CONFIGS = (process.env.LOAD_CONFIGS ?? 'model,none').split(',') as Array<'model' | 'none'>;
const EXTRA_ENV = JSON.parse(process.env.LOAD_ENV ?? '{}') as Record<string, string>;
const SINGLES = 5;

/** Realistic rollouts of the corpus: Spring Boot and Go services of 3–4 pods and ~800–2000 log lines. */
const BASES = ['deprecation-warn', 'java-npe', 'noisy-healthy-java', 'go-panic', 'healthy', 'memory-growth'].map(
  (id) => {
    const s = scenarioById(id);
    if (!s) throw new Error(`corpus scenario ${id} is gone; update test/bench/load.ts`);
    return s;
  },
);

/** Distinct rollouts (their own namespaces), so nothing is coalesced or reused between them. */
function rollouts(prefix: string, count: number): Scenario[] {
  return Array.from({ length: count }, (_, i) => {
    const base = BASES[i % BASES.length]!;
    return { ...base, id: `${prefix}-${i}`, namespace: `${prefix}-${i}` };
  });
}

const logLines = (s: Scenario) =>
  s.pods.reduce((n, p) => n + p.containers.reduce((m, c) => m + c.logs.length + (c.previousLogs?.length ?? 0), 0), 0);

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) of a process, or of one of its threads, from /proc (clock ticks of 10 ms). */
function cpuSeconds(pid: number, thread?: number): number {
  try {
    const stat = readFileSync(thread ? `/proc/${pid}/task/${thread}/stat` : `/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

interface Answer {
  status: number;
  ms: number;
  promote?: boolean;
}

async function analyse(url: string, s: Scenario): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${url}/a2a/analyze`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(pluginRequestBody(s)),
    signal: AbortSignal.timeout(300_000),
  });
  const json = (await res.json()) as {
    promote?: boolean;
    error?: { code?: string; dependency?: string; message?: string };
  };
  if (res.status !== 200 && process.env.LOAD_DEBUG) console.error(res.status, JSON.stringify(json.error));
  return {
    status: res.status,
    ms: performance.now() - started,
    ...(json.promote !== undefined ? { promote: json.promote } : {}),
  };
}

interface Burst {
  n: number;
  p50: number;
  p99: number;
  wallMs: number;
  healthP99: number;
  peakRss: number;
  refused: number;
  other: number;
  /** CPU milliseconds per analysis: the service's request thread, the whole service, this process (fakes, client). */
  cpuMain: number;
  cpuService: number;
  cpuHarness: number;
}

async function burst(service: ServiceProcess, batch: Scenario[]): Promise<Burst> {
  let done = false;
  const health: number[] = [];
  let peakRss = rssBytes(service.pid);
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssBytes(service.pid));
  }, 25);
  const probe = (async () => {
    while (!done) {
      const t = performance.now();
      await (await fetch(`${service.url}/healthz`, { signal: AbortSignal.timeout(30_000) })).text();
      health.push(performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const cpuBefore = {
    main: cpuSeconds(service.pid, service.pid),
    all: cpuSeconds(service.pid),
    own: process.cpuUsage(),
  };
  const started = performance.now();
  const answers = await Promise.all(batch.map((s) => analyse(service.url, s)));
  const wallMs = performance.now() - started;
  const perAnalysis = (seconds: number) => (seconds * 1000) / batch.length;
  const cpuMain = perAnalysis(cpuSeconds(service.pid, service.pid) - cpuBefore.main);
  const cpuService = perAnalysis(cpuSeconds(service.pid) - cpuBefore.all);
  const own = process.cpuUsage(cpuBefore.own);
  const cpuHarness = perAnalysis((own.user + own.system) / 1e6);
  done = true;
  await probe;
  clearInterval(sampler);
  const ok = answers.filter((a) => a.status === 200).map((a) => a.ms);
  return {
    n: batch.length,
    p50: percentile(ok, 50),
    p99: percentile(ok, 99),
    wallMs,
    healthP99: percentile(health, 99),
    peakRss,
    refused: answers.filter((a) => a.status === 503).length,
    other: answers.filter((a) => a.status !== 200 && a.status !== 503).length,
    cpuMain,
    cpuService,
    cpuHarness,
  };
}

const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fmtMiB = (b: number) => `${Math.round(b / 1024 / 1024)} MiB`;

const singles = rollouts('load-single', SINGLES);
const batches = SIZES.map((n, i) => rollouts(`load-b${i}`, n));
const fixture = await startKubeFixture([...singles, ...batches.flat()]);
const avgLines = Math.round(batches.flat().reduce((n, s) => n + logLines(s), 0) / batches.flat().length);
console.log(
  `bench:load — ${BASES.length} corpus rollouts cloned into distinct namespaces (avg ${avgLines} log lines, ` +
    `${(BASES.reduce((n, s) => n + s.pods.length, 0) / BASES.length).toFixed(1)} pods), bursts of ${SIZES.join(', ')}, ` +
    `model ${MODEL_MS} ms; load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);
if (Object.keys(EXTRA_ENV).length > 0) console.log(`service environment: ${JSON.stringify(EXTRA_ENV)}`);

let gemini: FakeGemini | undefined;
const rows: string[] = [];
try {
  for (const config of CONFIGS) {
    if (config === 'model') {
      gemini = await startFakeGemini({
        responder: async (request) => {
          await new Promise((resolve) => setTimeout(resolve, MODEL_MS));
          return responders.heuristic(request);
        },
      });
    }
    const service = await startServiceProcess({
      ...fixture.env,
      ...(config === 'model' && gemini
        ? { LLM_PROVIDER: 'gemini', GOOGLE_API_KEY: 'bench-key', GEMINI_BASE_URL: gemini.url }
        : { LLM_PROVIDER: 'none' }),
      ...EXTRA_ENV,
    });
    try {
      // Warm-up (JIT, connections), then single analyses one after another.
      await analyse(service.url, singles[0]!);
      const single: number[] = [];
      for (const s of singles.slice(1)) single.push((await analyse(service.url, s)).ms);
      const singleMs = percentile(single, 50);
      for (const batch of batches) {
        const b = await burst(service, batch);
        const rate = ((b.n - b.refused - b.other) / b.wallMs) * 1000;
        rows.push(
          `| ${config === 'model' ? `model ${MODEL_MS} ms` : 'no model'} | ${b.n} | ${fmtS(singleMs)} | ${fmtS(b.p50)} | ${fmtS(b.p99)} | ` +
            `${(b.p99 / singleMs).toFixed(1)}× | ${rate.toFixed(1)} | ${b.healthP99.toFixed(0)} ms | ${fmtMiB(b.peakRss)} | ${b.refused} | ${b.other} | ` +
            `${b.cpuMain.toFixed(1)} / ${b.cpuService.toFixed(1)} / ${b.cpuHarness.toFixed(1)} ms |`,
        );
        console.log(rows[rows.length - 1]);
      }
    } finally {
      await service.stop();
      await gemini?.close();
      gemini = undefined;
    }
  }
} finally {
  await fixture.close();
}
console.log(
  [
    '',
    '| config | N | single | p50 | p99 | p99/single | analyses/s | /healthz p99 | peak RSS | 503 | other errors | CPU per analysis: request thread / service / bench+fakes |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (the machine is shared; figures vary with it)`,
  ].join('\n'),
);
