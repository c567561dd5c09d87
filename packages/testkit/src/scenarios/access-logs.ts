/**
 * Request evidence in every common access-log format (issue 11): for each format a canary-only regression (5xx or
 * latency) and a healthy twin whose 5xx are shared with stable at the same rate; a failure only the mesh sidecar
 * sees (`503 UF`); a healthy canary that turned on DEBUG logging. The line templates are the lines captured from the
 * real servers (packages/evidence/test/fixtures/access-logs), or the library's documented default where the software
 * cannot run here (chi, gin, echo, zap, zerolog, Rails, ASP.NET Core, Envoy).
 */
import type { Scenario, ScenarioPod } from '../scenario.js';
import { app, routes } from './apps.js';
import { buildPods, rolloutEvents, rolloutFor } from './build.js';
import { goText, iso } from './logs.js';
import { createRng, type Rng } from './random.js';

interface Req {
  at: Date;
  rng: Rng;
  method: string;
  path: string;
  status: number;
  ms: number;
  bytes: number;
  ip: string;
  requestId: string;
  service: string;
}

interface Format {
  id: string;
  label: string;
  /** Whether the format carries a latency (a latency regression can be judged). */
  timed: boolean;
  access: (r: Req) => string[];
  /** What the app prints besides the access line when it answers 5xx. */
  failure?: (r: Req) => string[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const clf = (d: Date): string =>
  `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${d.toISOString().slice(11, 19)} +0000`;
const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  404: 'Not Found',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};
const UA = [
  'okhttp/4.12.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36',
  'python-requests/2.31.0',
  'Go-http-client/1.1',
];
const goDuration = (ms: number): string =>
  ms >= 1000 ? `${(ms / 1000).toFixed(6)}s` : ms >= 1 ? `${ms.toFixed(6)}ms` : `${(ms * 1000).toFixed(3)}µs`;
const colour = (status: number): string => (status >= 500 ? '31' : status >= 400 ? '33' : status >= 300 ? '36' : '32');

const FORMATS: Format[] = [
  {
    id: 'nginx',
    label: 'nginx combined + $request_time $upstream_response_time',
    timed: true,
    access: (r) => [
      `${r.ip} - - [${clf(r.at)}] "${r.method} ${r.path} HTTP/1.1" ${r.status} ${r.bytes} "-" "${r.rng.pick(UA)}" ${(r.ms / 1000).toFixed(3)} ${(r.ms / 1000).toFixed(3)}`,
    ],
  },
  {
    id: 'apache',
    label: 'Apache combined + %D',
    timed: true,
    access: (r) => [
      `${r.ip} - - [${clf(r.at)}] "${r.method} ${r.path} HTTP/1.1" ${r.status} ${r.bytes} "-" "${r.rng.pick(UA)}" ${Math.round(r.ms * 1000)}`,
    ],
  },
  {
    id: 'gunicorn',
    label: 'gunicorn default access log',
    timed: false,
    access: (r) => [
      `${r.ip} - - [${clf(r.at)}] "${r.method} ${r.path} HTTP/1.1" ${r.status} ${r.bytes} "-" "${r.rng.pick(UA)}"`,
    ],
    // gunicorn's worker logs the application's exception with its traceback (gunicorn/workers/base.py handle_error).
    failure: (r) => [
      `[${r.at.toISOString().replace('T', ' ').slice(0, 19)} +0000] [8] [ERROR] Error handling request ${r.path}`,
      'Traceback (most recent call last):',
      '  File "/usr/lib/python3/dist-packages/gunicorn/workers/sync.py", line 136, in handle',
      '    self.handle_request(listener, req, client, addr)',
      '  File "/usr/lib/python3/dist-packages/gunicorn/workers/sync.py", line 179, in handle_request',
      '    respiter = self.wsgi(environ, resp.start_response)',
      '  File "/app/shop/views.py", line 41, in product',
      '    price = prices[sku]',
      "KeyError: 'sku-4411'",
    ],
  },
  {
    id: 'uvicorn',
    label: 'uvicorn access log',
    timed: false,
    access: (r) => [
      `INFO:     ${r.ip}:${r.rng.int(30000, 60000)} - "${r.method} ${r.path} HTTP/1.1" ${r.status} ${REASONS[r.status] ?? ''}`,
    ],
  },
  {
    id: 'morgan-combined',
    label: 'Express morgan combined',
    timed: false,
    access: (r) => [
      `${r.ip} - - [${clf(r.at)}] "${r.method} ${r.path} HTTP/1.1" ${r.status} ${r.bytes} "-" "${r.rng.pick(UA)}"`,
    ],
  },
  {
    id: 'morgan-tiny',
    label: 'Express morgan tiny',
    timed: true,
    access: (r) => [`${r.method} ${r.path} ${r.status} ${r.bytes} - ${r.ms.toFixed(3)} ms`],
  },
  {
    id: 'morgan-dev',
    label: 'Express morgan dev (coloured)',
    timed: true,
    access: (r) => [
      `\u001b[0m${r.method} ${r.path} \u001b[${colour(r.status)}m${r.status}\u001b[0m ${r.ms.toFixed(3)} ms - ${r.bytes}\u001b[0m`,
    ],
  },
  {
    id: 'pino-http',
    label: 'pino-http',
    timed: true,
    access: (r) => [
      JSON.stringify({
        level: r.status >= 500 ? 50 : 30,
        time: r.at.getTime(),
        pid: 1,
        hostname: `${r.service}-7d9f`,
        req: { id: r.requestId, method: r.method, url: r.path, remoteAddress: r.ip },
        res: { statusCode: r.status },
        responseTime: r.ms,
        msg: 'request completed',
      }),
    ],
  },
  {
    id: 'chi',
    label: 'Go chi middleware.Logger',
    timed: true,
    access: (r) => [
      `${goText(r.at)} "${r.method} http://${r.service}:8080${r.path} HTTP/1.1" from ${r.ip}:${r.rng.int(30000, 60000)} - ${r.status} ${r.bytes}B in ${goDuration(r.ms)}`,
    ],
  },
  {
    id: 'gin',
    label: 'Go gin default logger',
    timed: true,
    access: (r) => [
      `[GIN] ${goText(r.at).replace(' ', ' - ')} | ${r.status} | ${goDuration(r.ms).padStart(13)} | ${r.ip.padStart(15)} | ${r.method.padEnd(7)} "${r.path}"`,
    ],
  },
  {
    id: 'echo',
    label: 'Go echo middleware.Logger',
    timed: true,
    access: (r) => [
      JSON.stringify({
        time: iso(r.at),
        id: r.requestId,
        remote_ip: r.ip,
        host: `${r.service}:8080`,
        method: r.method,
        uri: r.path,
        user_agent: r.rng.pick(UA),
        status: r.status,
        error: r.status >= 500 ? 'code=500, message=Internal Server Error' : '',
        latency: Math.round(r.ms * 1e6),
        latency_human: goDuration(r.ms),
        bytes_in: 0,
        bytes_out: r.bytes,
      }),
    ],
  },
  {
    id: 'slog',
    label: 'Go slog JSONHandler',
    timed: true,
    access: (r) => [
      JSON.stringify({
        time: iso(r.at),
        level: r.status >= 500 ? 'ERROR' : 'INFO',
        msg: 'request',
        method: r.method,
        path: r.path,
        status: r.status,
        duration: Math.round(r.ms * 1e6),
      }),
    ],
  },
  {
    id: 'zap',
    label: 'Go zap production encoder',
    timed: true,
    access: (r) => [
      JSON.stringify({
        level: r.status >= 500 ? 'error' : 'info',
        ts: r.at.getTime() / 1000,
        caller: 'server/middleware.go:52',
        msg: 'request',
        method: r.method,
        path: r.path,
        status: r.status,
        latency: r.ms / 1000,
      }),
    ],
  },
  {
    id: 'zerolog',
    label: 'Go zerolog hlog.AccessHandler',
    timed: true,
    access: (r) => [
      JSON.stringify({
        level: r.status >= 500 ? 'error' : 'info',
        method: r.method,
        url: r.path,
        status: r.status,
        size: r.bytes,
        duration: r.ms,
        time: iso(r.at).slice(0, 19) + 'Z',
        message: 'request',
      }),
    ],
  },
  {
    id: 'tomcat',
    label: 'Spring Boot embedded Tomcat access log (%D)',
    timed: true,
    access: (r) => [
      `${r.ip} - - [${clf(r.at)}] "${r.method} ${r.path} HTTP/1.1" ${r.status} ${r.bytes} ${Math.round(r.ms * 1000)}`,
    ],
  },
  {
    id: 'rails',
    label: 'Rails (tagged Logger)',
    timed: true,
    access: (r) => {
      const prefix = (level: string) =>
        `${level[0]}, [${iso(r.at).replace('Z', '')}000 #1] ${level.padStart(5)} -- : [${r.requestId}] `;
      return [
        `${prefix('INFO')}Started ${r.method} "${r.path}" for ${r.ip} at ${iso(r.at).replace('T', ' ').slice(0, 19)} +0000`,
        `${prefix('INFO')}Completed ${r.status} ${REASONS[r.status] ?? ''} in ${Math.round(r.ms)}ms (Views: ${(r.ms / 3).toFixed(1)}ms | ActiveRecord: ${(r.ms / 4).toFixed(1)}ms | Allocations: ${r.rng.int(900, 9000)})`,
      ];
    },
    failure: (r) => {
      const prefix = `F, [${iso(r.at).replace('Z', '')}000 #1] FATAL -- : [${r.requestId}] `;
      return [
        `${prefix}  `,
        `${prefix}NoMethodError (undefined method \`price' for nil:NilClass):`,
        `${prefix}  `,
        `${prefix}app/models/line_item.rb:14:in \`subtotal'`,
        `${prefix}app/controllers/orders_controller.rb:31:in \`show'`,
      ];
    },
  },
  {
    id: 'aspnetcore',
    label: 'ASP.NET Core console logger',
    timed: true,
    access: (r) => [
      'info: Microsoft.AspNetCore.Hosting.Diagnostics[2]',
      `      Request finished HTTP/1.1 ${r.method} http://${r.service}:8080${r.path} - ${r.status} ${r.bytes} application/json;+charset=utf-8 ${r.ms.toFixed(4)}ms`,
    ],
    failure: (r) => [
      'fail: Microsoft.AspNetCore.Server.Kestrel[13]',
      `      Connection id "0HN7${r.requestId.slice(0, 8).toUpperCase()}", Request id "0HN7${r.requestId.slice(0, 8).toUpperCase()}:00000002": An unhandled exception was thrown by the application.`,
      '      System.InvalidOperationException: Checkout failed',
      '       ---> System.NullReferenceException: Object reference not set to an instance of an object.',
      '         at Shop.Api.Pricing.PriceService.Total(Cart cart) in /src/Shop.Api/Pricing/PriceService.cs:line 42',
      '         --- End of inner exception stack trace ---',
      '         at Shop.Api.Checkout.CheckoutEndpoint.Handle(HttpContext context) in /src/Shop.Api/Checkout/CheckoutEndpoint.cs:line 27',
      '         at Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http.HttpProtocol.ProcessRequests[TContext](IHttpApplication`1 application)',
    ],
  },
];

interface SideLogs {
  requests: number;
  failRate: number;
  /** Fail exactly every 1/failRate-th request instead of at random (the same rate on both sides, to the request). */
  evenly?: boolean;
  failStatus?: number;
  slow?: number;
  /** DEBUG lines per request (the verbose canary). */
  debugLines?: number;
}

function accessLogs(
  seed: string,
  format: Format,
  service: string,
  startAt: string,
  side: SideLogs,
): { app: string[]; envoy: string[] } {
  const rng = createRng(seed);
  let clock = Date.parse(startAt) + 4000;
  const appLines: string[] = [`${iso(new Date(clock - 3000))} ${service} starting (listening on :8080)`];
  const envoy: string[] = [];
  const paths = routes.catalog;
  for (let i = 0; i < side.requests; i++) {
    clock += rng.int(80, 2400);
    const route = rng.pick(paths);
    const failed = side.evenly
      ? side.failRate > 0 && i % Math.round(1 / side.failRate) === Math.round(0.5 / side.failRate)
      : rng.chance(side.failRate);
    const r: Req = {
      at: new Date(clock),
      rng,
      method: route.method,
      path: route.path(rng),
      status: failed ? (side.failStatus ?? 500) : rng.chance(0.01) ? 404 : 200,
      ms: (rng.int(3000, 60000) / 1000) * (side.slow ?? 1),
      bytes: rng.int(120, 5200),
      ip: `10.244.${rng.int(0, 3)}.${rng.int(2, 250)}`,
      requestId: rng.hex(12),
      service,
    };
    for (let d = 0; d < (side.debugLines ?? 0); d++) {
      appLines.push(
        JSON.stringify({
          time: iso(r.at),
          level: 'DEBUG',
          msg: rng.pick(['cache lookup', 'sql query', 'feature flag evaluated', 'upstream call']),
          key: `${service}:${rng.int(1, 9999)}`,
          took_us: rng.int(5, 900),
        }),
      );
    }
    if (failed && format.failure) appLines.push(...format.failure(r));
    appLines.push(...format.access(r));
    envoy.push(
      `[${iso(r.at)}] "${r.method} ${r.path} HTTP/1.1" ${r.status} - via_upstream - "-" 0 ${r.bytes} ${Math.round(r.ms) + 1} ${Math.round(r.ms)} "${r.ip}" "${rng.pick(UA)}" "${r.requestId}" "${service}:8080" "10.244.1.9:8080" inbound|8080|| 127.0.0.6:${rng.int(30000, 60000)} 10.244.1.9:8080 ${r.ip}:${rng.int(30000, 60000)} outbound_.8080_._.${service}.shop.svc.cluster.local default`,
    );
  }
  return { app: appLines, envoy };
}

function scenario(
  id: string,
  title: string,
  description: string,
  name: string,
  sides: { stable: SideLogs; canary: SideLogs },
  format: Format,
  expected: Scenario['expected'],
  tags: string[],
): Scenario {
  const a = app(name, 'go-json', '2.3.0', '2.4.0', routes.catalog);
  const pods = buildPods(id, a, {
    stable: {
      count: 1,
      requests: 0,
      app: (_i, _g, pod) => ({ logs: accessLogs(`${id}/${pod.name}`, format, name, pod.startAt, sides.stable).app }),
    },
    canary: {
      count: 1,
      requests: 0,
      app: (_i, _g, pod) => ({ logs: accessLogs(`${id}/${pod.name}`, format, name, pod.startAt, sides.canary).app }),
    },
  });
  return {
    id,
    title,
    description,
    namespace: `scn-${id}`,
    rolloutName: name,
    rollout: rolloutFor(pods, '9', 20),
    pods: pods.pods,
    events: rolloutEvents(name, '9', pods),
    expected,
    tags: ['access-log', format.id, ...tags],
  };
}

const STABLE: SideLogs = { requests: 240, failRate: 0 };

function formatScenarios(format: Format): Scenario[] {
  const name = `shop-${format.id}`;
  // Latency for the timed formats that print no error line of their own; 5xx for the rest.
  const latency =
    format.timed &&
    format.failure === undefined &&
    format.id !== 'nginx' &&
    format.id !== 'tomcat' &&
    format.id !== 'echo' &&
    format.id !== 'zerolog';
  const slowBy = format.id === 'morgan-tiny' ? 100 : 6;
  const regression = latency
    ? scenario(
        `access-${format.id}-slow`,
        `${format.label}: canary ${slowBy}× slower`,
        `Only the canary's ${format.label} lines show it: every request takes about ${slowBy} times longer; no error is logged.`,
        name,
        { stable: STABLE, canary: { requests: 200, failRate: 0, slow: slowBy } },
        format,
        { promote: false, rootCauseMentions: ['slower'] },
        ['latency-regression', 'soft-regression'],
      )
    : scenario(
        `access-${format.id}-5xx`,
        `${format.label}: canary-only 5xx`,
        `About 12% of the canary's requests answer 500 in its ${format.label} lines; stable answers none.`,
        name,
        { stable: STABLE, canary: { requests: 200, failRate: 0.12 } },
        format,
        format.failure
          ? { promote: false, hardFailure: 'exception' }
          : { promote: false, hardFailure: 'metric-regression', rootCauseMentions: ['5xx'] },
        ['5xx-regression'],
      );
  const twin = scenario(
    `access-${format.id}-shared-5xx`,
    `${format.label}: 5xx shared with stable`,
    `Both sides answer about 4% of requests with 503 from a shared upstream, at the same rate; nothing is wrong with the canary.`,
    name,
    {
      stable: { requests: 240, failRate: 0.04, failStatus: 503, evenly: true },
      canary: { requests: 200, failRate: 0.04, failStatus: 503, evenly: true },
    },
    { ...format, failure: undefined },
    { promote: true },
    ['healthy', 'shared-5xx'],
  );
  return [regression, twin];
}

/** istio-proxy answers 503 UF for a third of the canary's requests; the app never sees them and logs nothing wrong. */
function sidecarOnlyFailure(): Scenario {
  const format = FORMATS.find((f) => f.id === 'slog') as Format;
  const base = scenario(
    'sidecar-only-503-uf',
    'Failure only the Istio sidecar sees (503 UF)',
    '',
    'shop-mesh',
    { stable: STABLE, canary: { requests: 200, failRate: 0 } },
    format,
    { promote: false, hardFailure: 'metric-regression', rootCauseMentions: ['UF'] },
    ['istio', 'sidecar'],
  );
  const rng = createRng('sidecar-only-503-uf/envoy');
  const pods: ScenarioPod[] = base.pods.map((pod) => {
    const appContainer = pod.containers[0];
    if (!appContainer) return pod;
    const started = Date.parse(pod.side === 'canary' ? '2025-06-03T09:30:11.902Z' : '2025-06-01T07:12:04.318Z');
    const envoy: string[] = [`${iso(new Date(started))}\tinfo\tEnvoy proxy is ready`];
    let clock = started + 4000;
    for (let i = 0; i < (pod.side === 'canary' ? 300 : 240); i++) {
      clock += rng.int(80, 2400);
      const uf = pod.side === 'canary' && rng.chance(0.33);
      const ms = uf ? rng.int(0, 3) : rng.int(3, 60);
      envoy.push(
        `[${iso(new Date(clock))}] "GET /api/v1/products/${rng.int(1000, 99999)} HTTP/1.1" ${uf ? '503 UF upstream_reset_before_response_started{connection_failure}' : '200 - via_upstream'} - "-" 0 ${uf ? 91 : rng.int(120, 5200)} ${ms + 1} ${uf ? '-' : ms} "10.244.0.${rng.int(2, 250)}" "okhttp/4.12.0" "${rng.uuid()}" "shop-mesh:8080" "${uf ? '-' : '10.244.1.9:8080'}" inbound|8080|| ${uf ? '-' : '127.0.0.6:41000'} 10.244.1.9:8080 10.244.0.${rng.int(2, 250)}:${rng.int(30000, 60000)} outbound_.8080_._.shop-mesh.shop.svc.cluster.local default`,
      );
    }
    return {
      ...pod,
      containers: [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.22.1', logs: envoy }, appContainer],
    };
  });
  return {
    ...base,
    description:
      "A third of the canary's requests never reach the app: istio-proxy answers 503 with response flag UF (upstream connection failure). The app container's own logs are clean.",
    pods,
  };
}

/** The canary logs every request with DEBUG detail: 8× the lines, same access lines, nothing wrong. */
function debugLoggingCanary(): Scenario {
  const format = FORMATS.find((f) => f.id === 'slog') as Format;
  return scenario(
    'healthy-debug-logging',
    'Healthy canary with DEBUG logging turned on (8× the lines)',
    'The canary was deployed with LOG_LEVEL=debug: seven DEBUG lines per request besides the access line; the requests themselves behave like stable.',
    'shop-verbose',
    { stable: STABLE, canary: { requests: 200, failRate: 0, debugLines: 7 } },
    format,
    { promote: true },
    ['healthy', 'debug-logging'],
  );
}

export function accessLogScenarios(): Scenario[] {
  return [...FORMATS.flatMap(formatScenarios), sidecarOnlyFailure(), debugLoggingCanary()];
}
