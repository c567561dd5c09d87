/**
 * The pure part of the log fetcher: which container logs give error signatures, which give request evidence, and how
 * a mesh proxy's access log replaces the app's own. Access lines are captured from real nginx (fixtures) and envoy's
 * default format (istio-proxy).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { logEvidence, logTextSize, type LogText } from '@aiops/evidence';

const nginx = readFileSync(new URL('./fixtures/access-logs/nginx/timed.log', import.meta.url), 'utf8');
const options = { maxSignatures: 20, examplesPerSignature: 2, maxExampleChars: 300 };

// envoy's default access-log format, inbound (served by this pod) and outbound (a call this pod made).
const envoy = (status: number, flags: string, inbound = true): string =>
  inbound
    ? `[2026-12-02T15:04:05.123Z] "GET /api/cart HTTP/1.1" ${status} ${flags} - "-" 0 91 2 - "-" "ok" "1" "cart:8080" "10.244.1.7:8080" inbound|8080|| - 10.244.1.7:8080 10.244.2.9:43122 - default`
    : `[2026-12-02T15:04:05.123Z] "GET /prices HTTP/1.1" ${status} ${flags} - "-" 0 19 0 - "-" "ok" "2" "prices:80" "-" outbound|80||prices.shop.svc.cluster.local - 10.96.0.7:80 10.244.1.7:50000 - default`;
const lines = (n: number, make: (i: number) => string): string =>
  Array.from({ length: n }, (_, i) => make(i)).join('\n');
const appLog = (side: LogText['side'], pod: string, text: string): LogText => ({ side, pod, proxy: false, text });
const proxyLog = (side: LogText['side'], pod: string, text: string): LogText => ({ side, pod, proxy: true, text });

describe('logEvidence', () => {
  it("diffs the app containers' lines, counts events per side, and compares their access lines", () => {
    const evidence = logEvidence(
      [appLog('canary', 'c-1', `${nginx}\npanic: assignment to entry in nil map`), appLog('stable', 's-1', nginx)],
      options,
    );
    expect(evidence.events).toEqual({ canary: 8, stable: 7 });
    expect(evidence.logFindings.map((f) => [f.kind, f.hard])).toEqual([['panic', true]]);
    expect(evidence.accessLog.map((c) => [c.id, c.canary.count, c.stable.count])).toEqual([
      ['logs:http_5xx_ratio', 7, 7],
    ]);
    expect(evidence.logs.canaryLines).toBe(8);
  });

  it("reads a mesh proxy's log for requests only: its lines are no error signatures and no log events", () => {
    // istio-proxy also prints pilot-agent's and envoy's own lines beside the access log.
    const agent =
      '2026-12-02T15:04:01.000000Z\tinfo\tEnvoy proxy is ready\n2026-12-02T15:04:02.000000Z\twarning\tenvoy config\tgRPC config stream to xds-grpc closed: 2, connection error';
    const proxy5xx = `${agent}\n${lines(30, (i) => envoy(i < 15 ? 503 : 200, i < 15 ? 'UF' : '-'))}`;
    const proxyOk = lines(30, () => envoy(200, '-'));
    const evidence = logEvidence(
      [
        appLog('canary', 'c-1', 'started'),
        proxyLog('canary', 'c-1', proxy5xx),
        appLog('stable', 's-1', 'started'),
        proxyLog('stable', 's-1', proxyOk),
      ],
      options,
    );
    expect(evidence.events).toEqual({ canary: 1, stable: 1 });
    expect(evidence.logFindings).toEqual([]);
    expect(evidence.accessLog[0]).toMatchObject({ canary: { count: 30, mean: 0.5 }, stable: { count: 30, mean: 0 } });
    expect(evidence.accessFindings.map((f) => f.title)).toEqual([expect.stringContaining('(mesh proxy included)')]);
  });

  it("counts a pod's own access lines only when it has no proxy log, and leaves a proxy's outbound calls out", () => {
    const appAccess = lines(
      20,
      () => '10.0.0.1 - - [02/Dec/2026:14:58:56 +0000] "GET /x HTTP/1.1" 500 1 "-" "c" 0.010',
    );
    const proxied = proxyLog(
      'canary',
      'c-1',
      `${lines(20, () => envoy(200, '-'))}\n${lines(20, () => envoy(503, 'UH', false))}`,
    );
    const evidence = logEvidence(
      [
        appLog('canary', 'c-1', appAccess),
        proxied,
        appLog('canary', 'c-2', appAccess),
        appLog(
          'stable',
          's-1',
          lines(40, () => envoy(200, '-')),
        ),
      ],
      options,
    );
    // c-1: 20 inbound proxy lines (its 20 app 500s and 20 outbound 503s are not counted); c-2: its own 20 500s.
    expect(evidence.accessLog[0]).toMatchObject({ canary: { count: 40, mean: 0.5 } });
    // The app's lines are still log events, and its 500s still a signature.
    expect(evidence.events.canary).toBe(40);
  });

  it('skips empty logs, and a proxy log with no served request marks nothing as proxied', () => {
    const evidence = logEvidence(
      [
        appLog('canary', 'c-1', ''),
        proxyLog(
          'canary',
          'c-1',
          lines(5, () => envoy(503, 'UH', false)),
        ),
        appLog(
          'canary',
          'c-2',
          lines(30, () => '10.0.0.1 - - [02/Dec/2026:14:58:56 +0000] "GET /x HTTP/1.1" 500 1 "-" "c"'),
        ),
        appLog(
          'stable',
          's-1',
          lines(30, () => '10.0.0.1 - - [02/Dec/2026:14:58:56 +0000] "GET /x HTTP/1.1" 200 1 "-" "c"'),
        ),
      ],
      options,
    );
    expect(evidence.events).toEqual({ canary: 30, stable: 30 });
    expect(evidence.accessFindings.map((f) => f.title)).toEqual([expect.not.stringContaining('mesh proxy')]);
  });

  it("keeps counting the app's own access lines when the mesh's access log is off (the proxy prints only its own lines)", () => {
    const agentOnly =
      '2026-12-02T15:04:01.000000Z\tinfo\tEnvoy proxy is ready\n2026-12-02T15:04:02.000000Z\tinfo\tReadiness succeeded';
    const access = (status: number) =>
      lines(30, () => `10.0.0.1 - - [02/Dec/2026:14:58:56 +0000] "GET /x HTTP/1.1" ${status} 1 "-" "c"`);
    const evidence = logEvidence(
      [
        appLog('canary', 'c-1', access(500)),
        proxyLog('canary', 'c-1', agentOnly),
        appLog('stable', 's-1', access(200)),
        proxyLog('stable', 's-1', agentOnly),
      ],
      options,
    );
    expect(evidence.accessLog[0]).toMatchObject({ canary: { count: 30, mean: 1 }, stable: { count: 30, mean: 0 } });
    expect(evidence.accessFindings.map((f) => f.title)).toEqual([expect.not.stringContaining('mesh proxy')]);
  });

  it('measures the texts in UTF-16 code units', () => {
    expect(logTextSize([appLog('canary', 'a', 'héllo'), proxyLog('stable', 'b', '😀')])).toBe(7);
    expect(logTextSize([])).toBe(0);
  });
});
