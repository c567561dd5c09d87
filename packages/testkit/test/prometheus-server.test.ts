/**
 * The real-Prometheus helper: it serves what it backfilled, stops on close(), and fails loudly, never silently, when
 * promtool rejects or drops samples or when the binaries are missing.
 */
import { describe, expect, it } from 'vitest';
import { prometheusInstallProblem, startPrometheusServer } from '@aiops/testkit';

const T = 1_767_225_600; // 2026-01-01T00:00:00Z, in seconds

async function instantQuery(url: string, query: string, time: number): Promise<unknown> {
  const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query, time: String(time) }).toString()}`, {
    signal: AbortSignal.timeout(5_000),
  });
  return response.json();
}

/** The start's error message; a server that started after all is closed rather than left running. */
async function startFailure(openMetrics: string): Promise<string> {
  try {
    const server = await startPrometheusServer({ openMetrics });
    await server.close();
    return 'it started';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

describe('startPrometheusServer', () => {
  it('reports no install problem where prometheus and promtool are installed', () => {
    expect(prometheusInstallProblem()).toBeUndefined();
  });

  it('serves the backfilled samples at their timestamps, then stops on close()', async () => {
    const server = await startPrometheusServer({
      openMetrics: [
        '# TYPE jobs counter',
        `jobs_total{queue="a.b"} 10 ${T - 60}`,
        `jobs_total{queue="a.b"} 70 ${T}`,
        '# EOF',
        '',
      ].join('\n'),
    });
    try {
      for (const [time, value] of [
        [T - 60, '10'],
        [T, '70'],
      ] as const)
        expect(await instantQuery(server.url, 'jobs_total{queue=~"a\\\\.b"}', time)).toMatchObject({
          status: 'success',
          data: { result: [{ metric: { queue: 'a.b' }, value: [time, value] }] },
        });
    } finally {
      await server.close();
    }
    await expect(instantQuery(server.url, 'jobs_total', T)).rejects.toThrow();
  });

  it('serves samples later than the wall clock: data for a run that queries at its own clock after it was written', async () => {
    const now = Math.floor(Date.now() / 1000);
    const times = [now - 600, now, now + 600, now + 1200];
    const server = await startPrometheusServer({
      openMetrics: ['# TYPE jobs counter', ...times.map((t, i) => `jobs_total ${i} ${t}`), '# EOF', ''].join('\n'),
    });
    try {
      for (const [i, time] of times.entries())
        expect(await instantQuery(server.url, 'jobs_total', time)).toMatchObject({
          data: { result: [{ value: [time, String(i)] }] },
        });
    } finally {
      await server.close();
    }
  });

  it('a file promtool cannot parse: the error carries promtool’s own message', async () => {
    expect(await startFailure(`# TYPE jobs counter\njobs_total{queue="a} 1 ${T}\n# EOF\n`)).toMatch(
      /promtool tsdb create-blocks-from openmetrics [\s\S]*expected label value/,
    );
  });

  it('samples out of time order, which promtool drops without an error, fail the start', async () => {
    // Both in one 2-hour block: promtool keeps out-of-order samples that fall in different blocks.
    expect(await startFailure(`# TYPE depth gauge\ndepth 2 ${T - 30}\ndepth 1 ${T - 60}\n# EOF\n`)).toMatch(
      /promtool wrote 1 of 2 samples/,
    );
  });

  it('without prometheus and promtool on PATH it fails saying how to install them', async () => {
    const path = process.env.PATH;
    process.env.PATH = '';
    try {
      expect(await startFailure('# EOF\n')).toMatch(
        /prometheus is not installed: .*apt-get install prometheus.*\.ci\/run installs it/,
      );
      expect(prometheusInstallProblem()).toMatch(/prometheus is not installed: .*apt-get install prometheus/);
    } finally {
      process.env.PATH = path;
    }
  });
});
