/**
 * A real Prometheus (the Debian package) on a loopback port, serving series backfilled from OpenMetrics text with
 * `promtool tsdb create-blocks-from openmetrics`: the metrics analyst's PromQL is checked by the real parser and
 * engine, not by a fake that matches query text. A machine without prometheus/promtool fails the test with a message
 * that says how to install them: a missing Prometheus never passes silently.
 *
 * No flag is needed for the backfilled blocks: since 2.39 Prometheus loads blocks that overlap each other or the
 * head, and time retention is measured from the newest block, so data ending at any fixed date stays queryable.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './net/free-port.js';

export interface PrometheusServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

export interface PrometheusServerOptions {
  /** OpenMetrics text (ending with `# EOF`), samples with timestamps in seconds, in time order per series. */
  openMetrics: string;
  /** Bound on backfilling plus start-up. Default 20 s (a loaded 2-core machine). */
  startTimeoutMs?: number;
}

const INSTALL_HINT =
  'the metrics analyst is tested against a real Prometheus (apt-get install prometheus, which brings promtool; .ci/run installs it)';

function binaryProblem(name: string): string | undefined {
  const probe = spawnSync(name, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return probe.error || probe.status !== 0 ? `${name} is not installed: ${INSTALL_HINT}` : undefined;
}

/** Why startPrometheusServer cannot work on this machine (a binary missing, with how to install it), else undefined. */
export function prometheusInstallProblem(): string | undefined {
  return binaryProblem('prometheus') ?? binaryProblem('promtool');
}

function run(file: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err)
          reject(new Error(`${file} ${args.join(' ')} failed (${err.message.split('\n')[0]}):\n${stdout}${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

/** Sample lines of the input: everything but `#` lines and blank ones. */
function countSamples(openMetrics: string): number {
  let count = 0;
  for (const line of openMetrics.split('\n')) if (line !== '' && !line.startsWith('#')) count++;
  return count;
}

/** Sum of the NUM SAMPLES column of promtool's block table (block ULID, min, max, duration, samples, ...). */
function samplesWritten(promtoolOutput: string): number {
  let total = 0;
  for (const line of promtoolOutput.split('\n')) {
    const columns = line.trim().split(/\s+/);
    if (/^[0-9A-HJKMNP-TV-Z]{26}$/.test(columns[0] ?? '')) total += Number(columns[4]);
  }
  return total;
}

/** Backfills `openMetrics` into a fresh data directory and serves it; close() stops Prometheus and removes both. */
export async function startPrometheusServer(options: PrometheusServerOptions): Promise<PrometheusServer> {
  const missing = prometheusInstallProblem();
  if (missing !== undefined) throw new Error(missing);
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  const dir = await mkdtemp(join(tmpdir(), 'aiops-prometheus-'));
  try {
    const input = join(dir, 'series.om');
    const dataDir = join(dir, 'data');
    const config = join(dir, 'prometheus.yml');
    await writeFile(input, options.openMetrics);
    // No scrape jobs: the backfilled blocks are the only data, so every query answer is known in advance.
    await writeFile(config, 'global:\n  evaluation_interval: 1h\nscrape_configs: []\n');
    const backfill = await run(
      'promtool',
      ['tsdb', 'create-blocks-from', 'openmetrics', input, dataDir],
      Math.max(1, deadline - Date.now()),
    );
    // promtool drops out-of-order and duplicate samples without an error: a test would then query other data
    // than it wrote.
    const expected = countSamples(options.openMetrics);
    const written = samplesWritten(backfill.stdout);
    if (written !== expected)
      throw new Error(
        `promtool wrote ${written} of ${expected} samples (it drops samples out of time order per series):\n${backfill.stdout}${backfill.stderr}`,
      );
    const port = await freePort();
    const server = await launch(
      [`--config.file=${config}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`],
      deadline,
    );
    return {
      url: `http://127.0.0.1:${port}`,
      async close() {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Starts prometheus and resolves once its log says it serves requests (TSDB, blocks included, is open by then). */
async function launch(args: string[], deadline: number): Promise<{ stop(): Promise<void> }> {
  const child = spawn('prometheus', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  // 'error' too: a process that never started emits no 'close'.
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    // Bounded: a Prometheus stuck in shutdown is killed rather than holding the test run.
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(force);
  };
  // The log is read to its end (a full pipe would block Prometheus); only the tail is kept for error messages.
  const tail: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`prometheus was not ready in time:\n${tail.join('\n')}`)),
      Math.max(1, deadline - Date.now()),
    );
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`prometheus could not be started (${err.message}): ${INSTALL_HINT}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`prometheus exited (${signal ?? `code ${code}`}) before it was ready:\n${tail.join('\n')}`));
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (line.includes('Server is ready to receive web requests')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  try {
    await ready;
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}
