/**
 * Starts the BUILT service (apps/agent/dist/main.js) as a separate process, configured only by its environment,
 * and resolves when it logs that it listens (no sleeps).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const MAIN = fileURLToPath(new URL('../../apps/agent/dist/main.js', import.meta.url));

export interface ServiceProcess {
  url: string;
  logs: string[];
  /** Resolves with the first log line (seen or still to come) that contains `text`: stdout is read asynchronously. */
  waitForLog(text: string): Promise<string>;
  /** The process id (to sample its memory, for example). */
  readonly pid: number;
  /** True until the process exits, whatever the cause. */
  readonly alive: boolean;
  /** Resolves with the exit code when the process exits by itself or is stopped. */
  readonly exited: Promise<number | null>;
  /** Sends a signal without waiting for anything. */
  signal(name: NodeJS.Signals): void;
  stop(): Promise<number | null>;
}

export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  if (!existsSync(MAIN))
    throw new Error('apps/agent/dist/main.js is missing: run `pnpm build` first (the test command does)');
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      // Suites measure one scenario many times under different faults and models, each expecting the model asked:
      // the diagnosis cache is off unless a suite turns it on (test/e2e/diagnosis-cache.test.ts does).
      EVIDENCE_CACHE_TTL_SECONDS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const waiters: Array<{ text: string; resolve: (line: string) => void }> = [];
  const record = (line: string) => {
    logs.push(line);
    for (const w of waiters.filter((x) => line.includes(x.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(line);
    }
  };
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`service exited with ${code} before listening:\n${logs.join('\n')}`));
    child.once('exit', onExit);
    createInterface({ input: child.stderr! }).on('line', record);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      record(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'aiops-agent listening' && entry.url) {
          child.off('exit', onExit);
          resolve(entry.url);
        }
      } catch {
        /* not a JSON log line */
      }
    });
  });
  return {
    url,
    logs,
    pid: child.pid ?? 0,
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    exited,
    signal(name) {
      child.kill(name);
    },
    waitForLog(text) {
      const seen = logs.find((l) => l.includes(text));
      return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ text, resolve }));
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The sum of every sample of one metric on the service's /metrics (0 when it has none yet). */
export async function metricSum(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(30_000) })).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

export async function postJson(
  url: string,
  body: unknown,
  init: { raw?: string; contentType?: string } = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': init.contentType ?? 'application/json' },
    body: init.raw ?? JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}
