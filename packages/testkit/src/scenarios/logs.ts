/**
 * Deterministic production-like log generators. One simulated request stream per pod produces both the app's
 * lines (in its framework's format) and the istio-proxy's envoy access-log lines for the same requests.
 */
import { createRng, type Rng } from './random.js';

export type LogStyle = 'go-json' | 'go-text' | 'java-spring' | 'python-flask' | 'node-pino' | 'node-express';

export interface Route {
  method: string;
  path: (rng: Rng) => string;
}

export interface RequestInfo {
  at: Date;
  rng: Rng;
  requestId: string;
  traceId: string;
  clientIp: string;
  podIp: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  bytes: number;
  service: string;
  /** Index of the request in the pod's stream. */
  index: number;
}

export interface RequestFailure {
  /** Fraction of requests that fail this way. */
  rate: number;
  status: number;
  /** Only requests whose path matches fail. */
  routeMatch?: RegExp;
  render: (request: RequestInfo) => string[];
}

export interface AppLogSpec {
  seed: string;
  style: LogStyle;
  service: string;
  version: string;
  podName: string;
  podIp: string;
  startAt: string;
  /** Number of simulated requests (0: the pod has received no traffic yet). */
  requests: number;
  routes: Route[];
  failure?: RequestFailure;
  /** Extra lines a request may print besides its access line (feature logs, upstream errors...). */
  extra?: (request: RequestInfo) => string[];
  /** Extra lines printed once at start-up, after the framework's own. */
  startupExtra?: string[];
}

export interface PodLogs {
  app: string[];
  envoy: string[];
}

const CLIENT_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'okhttp/4.12.0',
  'Go-http-client/1.1',
  'python-requests/2.31.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36',
];

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export const iso = (d: Date): string => d.toISOString();
export const goText = (d: Date): string =>
  `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
export const python = (d: Date): string =>
  `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)},${pad(d.getUTCMilliseconds(), 3)}`;
const clf = (d: Date): string =>
  `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${d.toISOString().slice(11, 19)} +0000`;

function startupLines(spec: AppLogSpec, at: Date): string[] {
  const { service, version } = spec;
  switch (spec.style) {
    case 'go-json':
      return [
        JSON.stringify({
          level: 'info',
          ts: iso(at),
          caller: 'cmd/server/main.go:48',
          msg: 'starting service',
          service,
          version,
          go: 'go1.22.4',
        }),
        JSON.stringify({
          level: 'info',
          ts: iso(new Date(at.getTime() + 12)),
          caller: 'internal/config/config.go:77',
          msg: 'configuration loaded',
          env: 'production',
          region: 'eu-west-1',
        }),
        JSON.stringify({
          level: 'info',
          ts: iso(new Date(at.getTime() + 40)),
          caller: 'cmd/server/main.go:96',
          msg: 'http server listening',
          addr: ':8080',
        }),
      ];
    case 'go-text':
      return [
        `${goText(at)} INFO starting ${service} version=${version} go=go1.22.4`,
        `${goText(at)} INFO connected to redis addr=redis-master.${service}.svc:6379`,
        `${goText(at)} INFO listening addr=:8080`,
      ];
    case 'java-spring':
      return [
        '',
        '  .   ____          _            __ _ _',
        " /\\\\ / ___'_ __ _ _(_)_ __  __ _ \\ \\ \\ \\",
        "( ( )\\___ | '_ | '_| | '_ \\/ _` | \\ \\ \\ \\",
        ' =========|_|==============|___/=/_/_/_/',
        ' :: Spring Boot ::                (v3.3.1)',
        '',
        `${iso(at)}  INFO 1 --- [${service}] [           main] com.acme.${service}.Application          : Starting Application v${version} using Java 21.0.3 with PID 1 (/app/app.jar started by app in /app)`,
        `${iso(new Date(at.getTime() + 900))}  INFO 1 --- [${service}] [           main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat initialized with port 8080 (http)`,
        `${iso(new Date(at.getTime() + 2100))}  INFO 1 --- [${service}] [           main] com.zaxxer.hikari.HikariDataSource       : HikariPool-1 - Start completed.`,
        `${iso(new Date(at.getTime() + 3400))}  INFO 1 --- [${service}] [           main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat started on port 8080 (http) with context path '/'`,
        `${iso(new Date(at.getTime() + 3420))}  INFO 1 --- [${service}] [           main] com.acme.${service}.Application          : Started Application in 3.871 seconds (process running for 4.402)`,
      ];
    case 'python-flask':
      return [
        `[${python(at)}] [1] [INFO] Starting gunicorn 22.0.0`,
        `[${python(at)}] [1] [INFO] Listening at: http://0.0.0.0:8080 (1)`,
        `[${python(at)}] [1] [INFO] Using worker: gthread`,
        `[${python(new Date(at.getTime() + 30))}] [8] [INFO] Booting worker with pid: 8`,
        `[${python(new Date(at.getTime() + 900))}] INFO in app: ${service} ${version} ready, model=als-2024-05 items=184223`,
      ];
    case 'node-pino':
      return [
        JSON.stringify({
          level: 30,
          time: at.getTime(),
          pid: 1,
          hostname: spec.podName,
          msg: `${service} ${version} starting`,
          node: 'v20.14.0',
        }),
        JSON.stringify({
          level: 30,
          time: at.getTime() + 210,
          pid: 1,
          hostname: spec.podName,
          msg: 'Server listening at http://0.0.0.0:8080',
        }),
      ];
    case 'node-express':
      return [
        `> ${service}@${version} start`,
        '> node src/server.js',
        '',
        `${iso(at)} info: ${service} ${version} listening on port 8080 (NODE_ENV=production)`,
      ];
  }
}

function accessLine(spec: AppLogSpec, r: RequestInfo): string {
  const ua = r.rng.pick(CLIENT_AGENTS);
  switch (spec.style) {
    case 'go-json':
      return JSON.stringify({
        level: r.status >= 500 ? 'error' : 'info',
        ts: iso(r.at),
        caller: 'middleware/logging.go:41',
        msg: 'request completed',
        method: r.method,
        path: r.path,
        status: r.status,
        duration_ms: r.durationMs,
        bytes: r.bytes,
        request_id: r.requestId,
        trace_id: r.traceId,
        remote_addr: `${r.clientIp}:${r.rng.int(30000, 60000)}`,
      });
    case 'go-text':
      return `${goText(r.at)} INFO request method=${r.method} path=${r.path} status=${r.status} duration=${r.durationMs}ms bytes=${r.bytes} request_id=${r.requestId} remote=${r.clientIp}`;
    case 'java-spring':
      return `${iso(r.at)}  INFO 1 --- [${spec.service}] [nio-8080-exec-${r.rng.int(1, 10)}] c.a.${spec.service}.web.AccessLogFilter      : ${r.method} ${r.path} status=${r.status} duration=${r.durationMs}ms requestId=${r.requestId} traceId=${r.traceId}`;
    case 'python-flask':
      return `${r.clientIp} - - [${clf(r.at)}] "${r.method} ${r.path} HTTP/1.1" ${r.status} ${r.bytes} "-" "${ua}" ${(r.durationMs / 1000).toFixed(3)} request_id=${r.requestId}`;
    case 'node-pino':
      return JSON.stringify({
        level: r.status >= 500 ? 50 : 30,
        time: r.at.getTime(),
        pid: 1,
        hostname: spec.podName,
        reqId: r.requestId,
        req: { method: r.method, url: r.path, remoteAddress: r.clientIp },
        res: { statusCode: r.status },
        responseTime: r.durationMs,
        msg: 'request completed',
      });
    case 'node-express':
      return `${r.clientIp} - - [${clf(r.at)}] "${r.method} ${r.path} HTTP/1.1" ${r.status} ${r.bytes} "-" "${ua}" - ${r.durationMs} ms`;
  }
}

/** A periodic line unrelated to requests (pool stats, cache refresh), so logs are not only access lines. */
function backgroundLine(spec: AppLogSpec, at: Date, rng: Rng): string {
  const idle = rng.int(2, 9);
  switch (spec.style) {
    case 'go-json':
      return JSON.stringify({
        level: 'debug',
        ts: iso(at),
        caller: 'internal/db/pool.go:112',
        msg: 'connection pool stats',
        open: idle + 3,
        idle,
        wait_count: 0,
      });
    case 'go-text':
      return `${goText(at)} INFO cache refreshed entries=${rng.int(900, 1100)} took=${rng.int(3, 40)}ms`;
    case 'java-spring':
      return `${iso(at)} DEBUG 1 --- [${spec.service}] [l-1 housekeeper] com.zaxxer.hikari.pool.HikariPool        : HikariPool-1 - Pool stats (total=10, active=${10 - idle}, idle=${idle}, waiting=0)`;
    case 'python-flask':
      return `[${python(at)}] INFO in cache: refreshed feature store snapshot rows=${rng.int(180000, 190000)} took=${rng.int(200, 900)}ms`;
    case 'node-pino':
      return JSON.stringify({
        level: 30,
        time: at.getTime(),
        pid: 1,
        hostname: spec.podName,
        msg: 'config watcher: no changes',
        revision: rng.hex(7),
      });
    case 'node-express':
      return `${iso(at)} info: heap used ${rng.int(60, 90)}MB, event loop lag ${rng.int(1, 6)}ms`;
  }
}

function envoyLine(r: RequestInfo, upstreamPort = 8080): string {
  return `[${iso(r.at)}] "${r.method} ${r.path} HTTP/1.1" ${r.status} - via_upstream - "-" ${r.method === 'GET' ? 0 : r.rng.int(60, 400)} ${r.bytes} ${r.durationMs + 1} ${r.durationMs} "${r.clientIp}" "${r.rng.pick(CLIENT_AGENTS)}" "${r.requestId}" "${r.service}.svc.cluster.local:${upstreamPort}" "${r.podIp}:${upstreamPort}" inbound|${upstreamPort}|| 127.0.0.6:${r.rng.int(30000, 60000)} ${r.podIp}:${upstreamPort} ${r.clientIp}:${r.rng.int(30000, 60000)} outbound_.${upstreamPort}_._.${r.service}.svc.cluster.local default`;
}

function envoyStartup(at: Date): string[] {
  const t = iso(at).replace('T', ' ').replace('Z', '');
  return [
    `${iso(at)}\tinfo\tFLAG: --concurrency="2"`,
    `${iso(at)}\tinfo\tVersion 1.22.1-5b8a4a1b9b4fbd4ee4d5b7f1c3c5f0c8b1f3b0c7-Clean`,
    `${iso(at)}\tinfo\tProxy role\tips=[${'10.244.0.0'}] type=sidecar`,
    `[${t}][1][info][main] [external/envoy/source/server/server.cc:436] initializing epoch 0 (base id=0, hot restart version=11.104)`,
    `[${t}][1][info][config] [external/envoy/source/common/listener_manager/listener_manager_impl.cc:944] all dependencies initialized. starting workers`,
    `${iso(new Date(at.getTime() + 1500))}\tinfo\tReadiness succeeded in 1.52s`,
    `${iso(new Date(at.getTime() + 1500))}\tinfo\tEnvoy proxy is ready`,
  ];
}

/** Simulates one pod's request stream and renders the app's and the sidecar's logs from it. */
export function podLogs(spec: AppLogSpec): PodLogs {
  const rng = createRng(spec.seed);
  let clock = Date.parse(spec.startAt);
  const app = startupLines(spec, new Date(clock));
  if (spec.startupExtra) app.push(...spec.startupExtra);
  const envoy = envoyStartup(new Date(clock - 2000));
  for (let index = 0; index < spec.requests; index++) {
    clock += rng.int(80, 2400);
    const route = rng.pick(spec.routes);
    const path = route.path(rng);
    const failure =
      spec.failure && (!spec.failure.routeMatch || spec.failure.routeMatch.test(path)) && rng.chance(spec.failure.rate)
        ? spec.failure
        : undefined;
    const request: RequestInfo = {
      at: new Date(clock),
      rng,
      requestId: rng.uuid(),
      traceId: rng.hex(32),
      clientIp: `10.244.${rng.int(0, 3)}.${rng.int(2, 250)}`,
      podIp: spec.podIp,
      method: route.method,
      path,
      status: failure ? failure.status : rng.chance(0.01) ? 404 : route.method === 'POST' ? 201 : 200,
      durationMs: rng.int(3, 60) + (rng.chance(0.05) ? rng.int(100, 400) : 0),
      bytes: rng.int(120, 5200),
      service: spec.service,
      index,
    };
    if (failure) app.push(...failure.render(request));
    if (spec.extra) app.push(...spec.extra(request));
    app.push(accessLine(spec, request));
    envoy.push(envoyLine(request));
    if (index % 25 === 24) app.push(backgroundLine(spec, new Date(clock + 3), rng));
  }
  return { app, envoy };
}
