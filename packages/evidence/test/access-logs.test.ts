import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accessLogSummary, parseLogEvents } from '@aiops/evidence';

const fixture = (path: string): string =>
  readFileSync(new URL(`./fixtures/access-logs/${path}`, import.meta.url), 'utf8');
const httpOf = (text: string) => parseLogEvents(text).flatMap((e) => (e.http ? [e.http] : []));

// Every capture script sends the same requests: three 200s, a 404, two 500s, then a 200 that takes ~200 ms.
const STATUSES = [200, 200, 200, 404, 500, 500, 200];

// Captured from the real software running here (each directory has the capture script that produced it).
const CAPTURED: Array<[string, boolean]> = [
  ['nginx/combined.log', false],
  ['nginx/timed.log', true],
  ['nginx/upstream_time.log', true],
  ['apache/common.log', false],
  ['apache/combined.log', false],
  ['apache/combined_D.log', true],
  ['apache/combined_T.log', false],
  ['gunicorn/default.log', false],
  ['gunicorn/timed.log', true],
  ['uvicorn/default.log', false],
  ['node/combined.log', false],
  ['node/common.log', false],
  ['node/dev.log', true],
  ['node/short.log', true],
  ['node/tiny.log', true],
  ['node/pino-http.log', true],
  ['node/fastify.log', true],
];

describe('access logs captured from real servers', () => {
  it.each(CAPTURED)('reads status%s from %s', (path, timed) => {
    const http = httpOf(fixture(path));
    expect(http.map((h) => h.status)).toEqual(STATUSES);
    if (timed) {
      const latencies = http.map((h) => h.latencyMs ?? Number.NaN);
      const slow = latencies.at(-1) ?? 0;
      expect(slow).toBeGreaterThan(150);
      expect(slow).toBeLessThan(2000);
      for (const fast of latencies.slice(0, -1)) expect(fast).toBeLessThan(slow);
    }
  });
});

// Formats whose software cannot be installed here (no Go module proxy for chi/gin/echo/zap/zerolog, no .NET, no
// Envoy): lines written from each library's documented default format or source, quoted in the comment.
describe('access logs in documented formats', () => {
  const cases: Array<[string, string, number, number | undefined]> = [
    // chi middleware.DefaultLogFormatter: "%s %s://%s%s %s\" from %s - %03d %dB in %s".
    [
      'chi',
      '2026/12/02 15:04:05 [web-7d9f/Xk2a-000042] "GET http://cart.svc:8080/api/cart/42 HTTP/1.1" from 10.244.1.7:53312 - 503 21B in 1.2345s',
      503,
      1234.5,
    ],
    // gin defaultLogFormatter: "[GIN] %v |%s %3d %s| %13v | %15s |%s %-7s %s %#v\n%s".
    [
      'gin',
      '[GIN] 2026/12/02 - 15:04:05 | 200 |     812.301µs |      10.244.1.7 | GET      "/api/cart/42"',
      200,
      0.812301,
    ],
    [
      'gin colour',
      '[GIN] 2026/12/02 - 15:04:05 |\u001b[97;41m 500 \u001b[0m|    2.104651ms |      10.244.1.7 |\u001b[97;44m GET     \u001b[0m "/api/cart/42"',
      500,
      2.104651,
    ],
    // echo middleware.DefaultLoggerConfig.Format (latency in ns, latency_human beside it).
    [
      'echo',
      '{"time":"2026-12-02T15:04:05.123456789Z","id":"","remote_ip":"10.244.1.7","host":"cart:8080","method":"GET","uri":"/api/cart/42","user_agent":"okhttp/4.12.0","status":500,"error":"boom","latency":2104651,"latency_human":"2.104651ms","bytes_in":0,"bytes_out":36}',
      500,
      2.104651,
    ],
    // slog.JSONHandler: durations as int64 nanoseconds; slog.TextHandler: Duration.String().
    [
      'slog json',
      '{"time":"2026-12-02T15:04:05.123Z","level":"INFO","msg":"request","method":"GET","path":"/api/cart/42","status":200,"duration":3512000}',
      200,
      3.512,
    ],
    [
      'slog text',
      'time=2026-12-02T15:04:05.123Z level=INFO msg=request method=GET path=/api/cart/42 status=502 duration=1.5s',
      502,
      1500,
    ],
    // zap production encoder: epoch-seconds ts, caller, SecondsDurationEncoder.
    [
      'zap',
      '{"level":"info","ts":1796223845.123,"caller":"server/middleware.go:52","msg":"request","method":"GET","path":"/api/cart/42","status":200,"latency":0.004}',
      200,
      4,
    ],
    // zerolog hlog.AccessHandler with Dur("duration"): milliseconds, `message` key.
    [
      'zerolog',
      '{"level":"info","method":"GET","url":"/api/cart/42","status":500,"size":36,"duration":12.5,"time":"2026-12-02T15:04:05Z","message":"request"}',
      500,
      12.5,
    ],
    // Rails (ActionController::LogSubscriber) with request-id tags, Logger and SimpleFormatter forms.
    [
      'rails',
      'I, [2026-12-02T15:04:05.123456 #1]  INFO -- : [0f3c1d2e-8a] Completed 500 Internal Server Error in 13ms (ActiveRecord: 2.1ms | Allocations: 3456)',
      500,
      13,
    ],
    [
      'rails simple',
      '[0f3c1d2e-8a] Completed 200 OK in 7ms (Views: 3.2ms | ActiveRecord: 1.1ms | Allocations: 2100)',
      200,
      7,
    ],
    // Istio's default text access log (inbound).
    [
      'istio',
      '[2026-12-02T15:04:05.123Z] "GET /api/cart/42 HTTP/1.1" 503 UF upstream_reset_before_response_started{connection_failure} - "-" 0 91 2 - "-" "okhttp/4.12.0" "8d3f" "cart:8080" "10.244.1.7:8080" inbound|8080|| - 10.244.1.7:8080 10.244.2.9:43122 outbound_.8080_._.cart.shop.svc.cluster.local default',
      503,
      2,
    ],
    // Istio JSON encoding.
    [
      'istio json',
      '{"start_time":"2026-12-02T15:04:05.123Z","method":"GET","path":"/api/cart/42","protocol":"HTTP/1.1","response_code":503,"response_flags":"UH","duration":0,"upstream_cluster":"inbound|8080||"}',
      503,
      0,
    ],
    // Tomcat AccessLogValve (Spring Boot server.tomcat.accesslog) pattern "%h %l %u %t \"%r\" %s %b %D" (Tomcat 10: µs).
    ['tomcat', '10.244.1.7 - - [02/Dec/2026:15:04:05 +0000] "POST /api/checkout HTTP/1.1" 500 112 48213', 500, 48.213],
    // ingress-nginx default log format.
    [
      'ingress-nginx',
      '10.244.0.1 - - [02/Dec/2026:15:04:05 +0000] "GET /api/cart/42 HTTP/1.1" 200 36 "-" "okhttp/4.12.0" 312 0.004 [shop-cart-8080] [] 10.244.1.7:8080 36 0.004 200 8d3f',
      200,
      4,
    ],
  ];
  it.each(cases)('%s', (_name, line, status, latencyMs) => {
    const [http] = httpOf(line);
    expect(http?.status).toBe(status);
    if (latencyMs === undefined) expect(http?.latencyMs).toBeUndefined();
    else expect(http?.latencyMs).toBeCloseTo(latencyMs, 4);
  });

  it('reads ASP.NET Core Request finished from the console formatter block', () => {
    const text = [
      'info: Microsoft.AspNetCore.Hosting.Diagnostics[2]',
      '      Request finished HTTP/1.1 GET http://cart:8080/api/cart/42 - 500 0 - 12.3456ms',
      'info: Microsoft.AspNetCore.Hosting.Diagnostics[2]',
      '      Request finished HTTP/1.1 GET http://cart:8080/api/cart/43 - 200 36 application/json;+charset=utf-8 3.1ms',
    ].join('\n');
    expect(httpOf(text)).toEqual([
      { status: 500, latencyMs: 12.3456 },
      { status: 200, latencyMs: 3.1 },
    ]);
  });

  it("names envoy response flags and leaves a sidecar's outbound calls out", () => {
    const inbound =
      '[2026-12-02T15:04:05.123Z] "GET /a HTTP/1.1" 503 UF upstream_reset_before_response_started{connection_failure} - "-" 0 91 2 - "-" "ok" "1" "cart:8080" "10.244.1.7:8080" inbound|8080|| - 10.244.1.7:8080 10.244.2.9:43122 - default';
    const outbound =
      '[2026-12-02T15:04:05.123Z] "GET /b HTTP/1.1" 503 UH no_healthy_upstream - "-" 0 19 0 - "-" "ok" "2" "prices:80" "-" outbound|80||prices.shop.svc.cluster.local - 10.96.0.7:80 10.244.1.7:50000 - default';
    const summary = accessLogSummary({ canary: parseLogEvents(`${inbound}\n${outbound}`), stable: [] });
    expect(summary.canary).toMatchObject({ requests: 1, errors5xx: 1, flags5xx: { UF: 1 } });
  });
});
