/**
 * Access-log recognition and the per-side request summary the judge uses to compare error rates and latency.
 *
 * Each format is one precompiled, anchored pattern taken from the software's own documentation or source, and
 * checked against lines captured from the real software where it installs here (test/fixtures/access-logs):
 * - combined/common (nginx, Apache httpd, gunicorn, Express morgan `combined`/`common`, Tomcat/Spring Boot
 *   AccessLogValve, Jetty), with a trailing time read as nginx `$request_time`/gunicorn `%(L)s` (seconds, with a
 *   decimal point), `rt=` (nginx upstream-timing format), ingress-nginx's `$request_length $request_time [...]`,
 *   `N ms`, or a bare integer (Apache `%D`/Tomcat 10 `%D`: microseconds);
 * - morgan `dev` (colours stripped), `short`, `tiny`; uvicorn; chi's and gin's default loggers; Rails' `Completed`;
 *   ASP.NET Core's `Request finished` (also as the second line of a console-formatter block);
 * - Envoy/Istio's default text format, with the response flags (`UF`, `UH`, `UC`...) and the direction of a sidecar's
 *   line (its outbound calls are not the app's own requests);
 * - JSON and logfmt records: pino-http/fastify (`res.statusCode`, `responseTime`), echo, slog, zap, zerolog, Istio
 *   JSON, GCP `httpRequest`, ASP.NET Core JSON console.
 * A stream remembers which format matched last and tries it first: one anchored match per access line.
 */
import type { LogEvent } from './types.js';

export interface HttpRecord {
  status: number;
  latencyMs?: number;
  /** Envoy response flags other than `-`, e.g. `UF` or `UF,URX`. */
  flags?: string;
  /** A proxy's line for a call the app made to another service (not a request the app served). */
  outbound?: true;
}

// eslint-disable-next-line no-control-regex -- ANSI colour codes are what morgan `dev` and gin print
const ANSI = /\u001b\[[0-9;]*m/g;
const GO_DURATION_PART = /(\d+(?:\.\d+)?)(h|m(?!s)|s|ms|µs|μs|us|ns)/g;
const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:h|m(?!s)|s|ms|µs|μs|us|ns))+$/;
const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  µs: 1e-3,
  μs: 1e-3,
  us: 1e-3,
  ns: 1e-6,
};

/** A Go/JS duration string (`1.5ms`, `250µs`, `1m2.5s`) in milliseconds. */
export function durationStringMs(text: string): number | undefined {
  if (!GO_DURATION.test(text)) return undefined;
  let ms = 0;
  GO_DURATION_PART.lastIndex = 0;
  for (let m = GO_DURATION_PART.exec(text); m; m = GO_DURATION_PART.exec(text))
    ms += Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1);
  return ms;
}

const record = (status: string | undefined, latencyMs?: number): HttpRecord | undefined => {
  const code = Number(status);
  if (!(code >= 100 && code <= 599)) return undefined;
  return latencyMs !== undefined && Number.isFinite(latencyMs) ? { status: code, latencyMs } : { status: code };
};

// After the `"referer" "user-agent"` (or the bytes): what servers commonly append.
const TAIL_INGRESS = /^ \d+ (\d+\.\d+) \[/;
const TAIL_RT = / rt=(\d+(?:\.\d+)?)/;
const TAIL_SECONDS = /^ (\d+\.\d+)(?: |$)/;
const TAIL_MS = /^ (?:- )?(\d+(?:\.\d+)?) ms\b/;
const TAIL_MICROS = /^ (\d+)(?: |$)/;

function clfLatencyMs(tail: string): number | undefined {
  if (tail === '') return undefined;
  let m = TAIL_INGRESS.exec(tail);
  if (m) return Number(m[1]) * 1000;
  m = TAIL_SECONDS.exec(tail);
  if (m) return Number(m[1]) * 1000;
  m = TAIL_MS.exec(tail);
  if (m) return Number(m[1]);
  m = TAIL_RT.exec(tail);
  if (m) return Number(m[1]) * 1000;
  m = TAIL_MICROS.exec(tail);
  if (m) return Number(m[1]) / 1000;
  return undefined;
}

interface LineFormat {
  name: string;
  pattern: RegExp;
  read: (m: RegExpExecArray) => HttpRecord | undefined;
}

const FORMATS: LineFormat[] = [
  {
    // `%h %l %u %t "%r" %>s %b ["%{Referer}i" "%{User-agent}i"]` and what follows.
    name: 'combined',
    pattern: /^\S+ \S+ \S+ \[[^\]]{10,40}\] "[A-Z]{3,10} [^"]*" (\d{3}) (?:\d+|-)(?: "[^"]*" "[^"]*")?(.*)$/,
    read: (m) => record(m[1], clfLatencyMs(m[2] ?? '')),
  },
  {
    // Envoy default / Istio default: `[start] "GET /p HTTP/1.1" 503 UF ... bytes_in bytes_out duration upstream_time "..."`.
    name: 'envoy',
    pattern: /^\[[^\]]{10,40}\] "[A-Z]{3,10} [^"]*" (\d{1,3}) (\S+) .*? (\d+) (\d+) (\d+) (?:\d+|-) "/,
    read: (m) => {
      const http = record(m[1], Number(m[5]));
      if (http && m[2] !== undefined && m[2] !== '-') http.flags = m[2];
      return http;
    },
  },
  // morgan `tiny`: `:method :url :status :res[content-length] - :response-time ms`.
  {
    name: 'morgan-tiny',
    pattern: /^[A-Z]{3,10} \S+ (\d{3}) (?:\d+|-) - (\d+(?:\.\d+)?) ms$/,
    read: (m) => record(m[1], Number(m[2])),
  },
  // morgan `dev`: `:method :url :status :response-time ms - :res[content-length]`.
  {
    name: 'morgan-dev',
    pattern: /^[A-Z]{3,10} \S+ (\d{3}) (\d+(?:\.\d+)?) ms - (?:\d+|-)$/,
    read: (m) => record(m[1], Number(m[2])),
  },
  // morgan `short`: `:remote-addr :remote-user :method :url HTTP/:http-version :status :res[content-length] - :response-time ms`.
  {
    name: 'morgan-short',
    pattern: /^\S+ \S+ [A-Z]{3,10} \S+ HTTP\/[\d.]+ (\d{3}) (?:\d+|-) - (\d+(?:\.\d+)?) ms$/,
    read: (m) => record(m[1], Number(m[2])),
  },
  // uvicorn: `INFO:     127.0.0.1:47076 - "GET /ok HTTP/1.1" 200 OK`.
  {
    name: 'uvicorn',
    pattern: /^(?:INFO|WARNING|ERROR): +\S+ - "[A-Z]{3,10} \S+ HTTP\/[\d.]+" (\d{3})\b/,
    read: (m) => record(m[1]),
  },
  {
    // chi middleware.Logger: `2026/12/02 15:04:05 [host/id-000001] "GET http://h/p HTTP/1.1" from 1.2.3.4:5 - 200 12B in 1.2ms`.
    name: 'chi',
    pattern:
      /^(?:\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d(?:\.\d+)? )?(?:\[[^\]]*\] )?"[A-Z]{3,10} \S+ HTTP\/[\d.]+" from \S+ - (\d{3}) \d+B in (\S+)$/,
    read: (m) => record(m[1], durationStringMs(m[2] ?? '')),
  },
  {
    // gin's default logger: `[GIN] 2026/12/02 - 15:04:05 | 200 |     123.4µs |       127.0.0.1 | GET      "/ping"`.
    name: 'gin',
    pattern: /^\[GIN\] \d{4}\/\d\d\/\d\d - \d\d:\d\d:\d\d \| *(\d{3}) \| *(\S+) \|/,
    read: (m) => record(m[1], durationStringMs(m[2] ?? '')),
  },
  {
    // Rails: `Completed 500 Internal Server Error in 12ms (...)`, after Logger's prefix and tags like `[request-id]`.
    name: 'rails',
    pattern:
      /^(?:[DIWEFAU], \[[^\]]{10,60}\] +[A-Z]+ -- [^:]{0,60}: )?(?:\[[^\]]{1,80}\] ){0,4}Completed (\d{3}) [^(]{0,80}? in (\d+(?:\.\d+)?)ms\b/,
    read: (m) => record(m[1], Number(m[2])),
  },
  {
    // ASP.NET Core Hosting.Diagnostics[2]: `Request finished HTTP/1.1 GET http://h/p - 500 0 - 12.3456ms` (own line or single-line form).
    name: 'aspnetcore',
    pattern:
      /^(?:info: Microsoft\.AspNetCore\.Hosting\.Diagnostics\[2\] | +)Request finished (?:HTTP\/[\d.]+ )?[A-Z]{3,10} \S+ - (\d{3}) .*?(\d+(?:\.\d+)?)ms$/,
    read: (m) => record(m[1], Number(m[2])),
  },
];

// Istio sidecars log both directions; the cluster name says which.
const ENVOY_OUTBOUND = / outbound\|\d+\|/;

/** A per-stream parser: remembers the format that matched last and tries it first. */
export function createAccessLineParser(): (line: string) => HttpRecord | undefined {
  let last = 0;
  return (rawLine) => {
    const line = rawLine.includes('\u001b') ? rawLine.replace(ANSI, '') : rawLine;
    for (let k = 0; k < FORMATS.length; k++) {
      const index = k === 0 ? last : k <= last ? k - 1 : k;
      const format = FORMATS[index];
      if (format === undefined) continue;
      const m = format.pattern.exec(line);
      if (!m) continue;
      const http = format.read(m);
      if (!http) continue;
      last = index;
      if (format.name === 'envoy' && ENVOY_OUTBOUND.test(line)) http.outbound = true;
      return http;
    }
    return undefined;
  };
}

/** One plain line, no stream memory (tests, one-off lines). */
export function parseAccessLine(line: string): HttpRecord | undefined {
  return createAccessLineParser()(line);
}

const STATUS_KEYS = [
  'status',
  'status_code',
  'statusCode',
  'StatusCode',
  'response_code',
  'http.status_code',
  'http_status',
  'code',
];
const LATENCY_MS_KEYS = [
  'latency_ms',
  'duration_ms',
  'durationMs',
  'response_time_ms',
  'elapsed_ms',
  'took_ms',
  'responseTime',
  'ElapsedMilliseconds',
];
const LATENCY_ANY_KEYS = ['latency', 'duration', 'response_time', 'request_time', 'elapsed', 'took'];
const LATENCY_STRING_KEYS = ['latency_human', 'latency', 'duration', 'elapsed', 'took', 'response_time'];

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+(?:\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

/**
 * What a bare number under `duration`/`latency` means depends on the logger, recognised by its record's shape:
 * echo (`latency_human` beside it) and slog's JSONHandler (upper-case `level`, `msg`, `time`) write nanoseconds, zap's
 * production encoder (numeric `ts`, or `ts` with `caller`) seconds, zerolog (`message`, no `msg`) milliseconds;
 * envoy/istio and everything else milliseconds. `request_time` is nginx's, in seconds.
 */
function bareDurationFactor(obj: Record<string, unknown>, key: string): number {
  if (key === 'request_time') return 1000;
  if (obj.latency_human !== undefined) return 1e-6;
  if (typeof obj.level === 'string' && /^[A-Z]+$/.test(obj.level) && obj.msg !== undefined && obj.time !== undefined)
    return 1e-6;
  if (typeof obj.ts === 'number' || (obj.ts !== undefined && obj.caller !== undefined)) return 1000;
  return 1;
}

/** Reads status and latency from a JSON (or logfmt) access record, including GCP's `httpRequest` object. */
export function parseJsonAccess(obj: Record<string, unknown>): HttpRecord | undefined {
  const nested = obj.httpRequest ?? obj.http ?? obj.request ?? obj.State;
  if (nested !== null && typeof nested === 'object' && !Array.isArray(nested)) {
    const inner = parseJsonAccess(nested as Record<string, unknown>);
    if (inner !== undefined) return inner;
  }
  let status: number | undefined;
  // pino-http and fastify: `res: { statusCode }` beside `responseTime` (ms).
  const res = obj.res;
  if (res !== null && typeof res === 'object' && !Array.isArray(res))
    status = asNumber((res as Record<string, unknown>).statusCode);
  if (status === undefined) {
    for (const key of STATUS_KEYS) {
      const n = asNumber(obj[key]);
      if (n !== undefined && Number.isInteger(n) && n >= 100 && n <= 599) {
        status = n;
        break;
      }
    }
    if (status === undefined) return undefined;
    // A bare `code` is too ambiguous unless the record also looks like a request.
    if (
      obj.status === undefined &&
      obj.status_code === undefined &&
      obj.statusCode === undefined &&
      obj.StatusCode === undefined &&
      obj.response_code === undefined &&
      obj['http.status_code'] === undefined &&
      obj.http_status === undefined &&
      obj.method === undefined &&
      obj.path === undefined
    ) {
      return undefined;
    }
  }
  if (!(status >= 100 && status <= 599)) return undefined;
  const result: HttpRecord = { status };
  const flags = obj.response_flags;
  if (typeof flags === 'string' && flags !== '' && flags !== '-') result.flags = flags;
  if (typeof obj.upstream_cluster === 'string' && obj.upstream_cluster.startsWith('outbound|')) result.outbound = true;
  for (const key of LATENCY_MS_KEYS) {
    const n = asNumber(obj[key]);
    if (n !== undefined) {
      result.latencyMs = n;
      return result;
    }
  }
  for (const key of LATENCY_STRING_KEYS) {
    const value = obj[key];
    if (typeof value === 'string') {
      const ms = durationStringMs(value.trim());
      if (ms !== undefined) {
        result.latencyMs = ms;
        return result;
      }
    }
  }
  for (const key of LATENCY_ANY_KEYS) {
    const n = asNumber(obj[key]);
    if (n !== undefined) {
      result.latencyMs = n * bareDurationFactor(obj, key);
      return result;
    }
  }
  return result;
}

const KNOWN_ROOTS =
  /^\/(?:usr\/src\/app|opt\/app|app|workspace|srv\/app|srv|code|build|src|home\/[^/]+\/app|go\/src\/[^/]+\/[^/]+\/[^/]+)\//;
const REPO_HOSTED = /^.*?\b(?:github\.com|gitlab\.com|bitbucket\.org)\/[^/]+\/[^/]+\//;

/** Repository-relative path from a path inside a container image (best effort). */
export function normaliseFramePath(path: string): string {
  let p = path.replace(/^file:\/\//, '');
  if (REPO_HOSTED.test(p)) return p.replace(REPO_HOSTED, '');
  if (KNOWN_ROOTS.test(p)) return p.replace(KNOWN_ROOTS, '');
  p = p.replace(/^\/+/, '');
  return p;
}

export interface AccessSideSummary {
  requests: number;
  errors5xx: number;
  /** 5xx responses / requests, 0 when there were no requests. */
  errorRate5xx: number;
  /** Latencies in milliseconds, in log order, for the lines that carried one. */
  latencyMs: number[];
  /** Envoy response flags seen on this side's 5xx answers, with counts (`UF` → 212). */
  flags5xx: Record<string, number>;
}

export interface AccessLogSummary {
  canary: AccessSideSummary;
  stable: AccessSideSummary;
}

function summariseSide(events: LogEvent[]): AccessSideSummary {
  let requests = 0;
  let errors5xx = 0;
  const latencyMs: number[] = [];
  const flags5xx: Record<string, number> = {};
  for (const event of events) {
    const http = event.http;
    if (http === undefined || http.outbound) continue;
    requests++;
    if (http.status >= 500) {
      errors5xx++;
      if (http.flags !== undefined) flags5xx[http.flags] = (flags5xx[http.flags] ?? 0) + 1;
    }
    if (http.latencyMs !== undefined) latencyMs.push(http.latencyMs);
  }
  return { requests, errors5xx, errorRate5xx: requests === 0 ? 0 : errors5xx / requests, latencyMs, flags5xx };
}

export function accessLogSummary(events: { canary: LogEvent[]; stable: LogEvent[] }): AccessLogSummary {
  return { canary: summariseSide(events.canary), stable: summariseSide(events.stable) };
}
