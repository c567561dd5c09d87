/**
 * The one HTTP server every fake stands on: it listens on 127.0.0.1:0, records requests, reads their bodies,
 * injects faults through one API, counts open requests and connections, and closes with open sockets destroyed.
 *
 * A fake supplies only its protocol (`handle`), plus how its errors look (`errorBody`) and, optionally, what a
 * huge answer looks like in its protocol (`hugeBody`). Faults that damage an answer (cut, reset, stall, empty,
 * half-json, wrong-content-type, endless) run the fake's real handler and damage what it wrote, so the damage is
 * always to a real answer of that protocol.
 */
import {
  createServer,
  type ServerResponse,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What a fault does to the matching request:
 * - `status`: an error answer (`status`, default 500) with the fake's own error body, or `body`.
 * - `gone`: `status` with 410 (Kubernetes: a list whose continue token or resourceVersion expired).
 * - `html`: 200 with a `text/html` page, as a misconfigured proxy or gateway sends.
 * - `garbage`: 200 with `application/json` and a body that is not JSON.
 * - `empty`: the real status and headers, no body.
 * - `half-json`: a complete answer whose body is the first half of the real one (content-length matches).
 * - `wrong-content-type`: the real body under another content type (`contentType`, default `text/plain`).
 * - `cut`: the first half of the real body, then the connection closes (fewer bytes than promised).
 * - `reset`: the first half of the real body, then the connection is reset (TCP RST).
 * - `stall`: the first half of the real body, then nothing until the client gives up or the fake closes.
 * - `hang`: no answer at all until the client gives up or the fake closes.
 * - `huge`: a 200 answer of `bytes` (default 10 MiB), in the fake's protocol when it has a `hugeBody`.
 * - `endless`: the real answer, then its body again every `intervalMs` (default 100), never ending.
 */
export type FaultKind =
  | 'status'
  | 'gone'
  | 'html'
  | 'garbage'
  | 'empty'
  | 'half-json'
  | 'wrong-content-type'
  | 'cut'
  | 'reset'
  | 'stall'
  | 'hang'
  | 'huge'
  | 'endless';

export const FAULT_KINDS: readonly FaultKind[] = [
  'status',
  'gone',
  'html',
  'garbage',
  'empty',
  'half-json',
  'wrong-content-type',
  'cut',
  'reset',
  'stall',
  'hang',
  'huge',
  'endless',
];

export interface FaultMatch {
  /** Exact method (any case); every method when absent. */
  method?: string;
  /** A string is an exact path, a RegExp is tested against the path (without the query); every path when absent. */
  path?: string | RegExp;
}

export interface FaultSpec {
  kind: FaultKind;
  /** Which requests; all of them when absent. */
  match?: FaultMatch;
  /** How many matching requests it strikes; every one when absent. */
  times?: number;
  /** `status`: the status (default 500). */
  status?: number;
  /** `status`/`gone`: the body instead of the fake's own error body (a string is sent as is). */
  body?: unknown;
  /** `status`/`gone`: extra headers (rate-limit headers, Retry-After, ...), or a function run per answer. */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** `huge`: size of the answer in bytes (default 10 MiB). */
  bytes?: number;
  /** `endless`: pause between repeats (default 100 ms). */
  intervalMs?: number;
  /** `wrong-content-type`: the content type to claim (default text/plain). */
  contentType?: string;
}

export interface InjectedFault {
  readonly spec: FaultSpec;
  /** How many requests it has struck. */
  readonly hits: number;
  remove(): void;
}

export interface FaultInjector {
  /** Adds a fault; the most recently injected matching fault strikes first. */
  inject(spec: FaultSpec): InjectedFault;
  /** Removes every fault. */
  clear(): void;
  /** Requests struck so far, by kind (over the fake's lifetime). */
  readonly struck: Readonly<Record<FaultKind, number>>;
}

export interface RecordedRequest {
  method: string;
  /** Each segment percent-decoded (clients encode slashes inside names and refs). */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The body as text ('' when none). */
  body: string;
}

export interface FakeHttpOptions {
  /** The protocol. `request.body` has been read already. A throw or rejection answers 500 via `errorBody`. */
  handle(request: RecordedRequest, res: ServerResponse, req: IncomingMessage): void | Promise<void>;
  /** The protocol's error body for a status (Kubernetes Status, Gemini's error object, ...). */
  errorBody(status: number, request: RecordedRequest): unknown;
  /** An answer of about `bytes` bytes in the protocol (e.g. one huge SSE event); a JSON filler when absent. */
  hugeBody?(bytes: number, request: RecordedRequest): { contentType: string; body: string };
}

export interface FakeHttpServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly faults: FaultInjector;
  /** Requests whose answer has not finished (a hung or stalled one counts until the client leaves). */
  readonly openRequests: number;
  /** TCP connections open now (idle keep-alive ones included). */
  readonly openConnections: number;
  /** TCP connections accepted since the start (a client that reuses connections keeps this low). */
  readonly connectionsAccepted: number;
  /** Resolves with the first request (already received or still to come) that satisfies `predicate`. */
  waitForRequest(predicate: (request: RecordedRequest) => boolean): Promise<RecordedRequest>;
  /** Stops listening and destroys every open socket, so hung answers cannot hold it. */
  close(): Promise<void>;
}

const GATEWAY_PAGE =
  '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center>\n</body></html>\n';

interface CapturedAnswer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

function matches(match: FaultMatch | undefined, request: RecordedRequest): boolean {
  if (!match) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== request.method) return false;
  if (match.path === undefined) return true;
  if (typeof match.path === 'string') return match.path === request.path;
  match.path.lastIndex = 0;
  return match.path.test(request.path);
}

/** A string body is sent as is (text/plain unless `contentType` says otherwise), anything else as JSON. */
function sendBody(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType?: string,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = contentType ?? (typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json');
  res.writeHead(status, { ...headers, 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Runs the fake's handler with its writes held back, then hands the whole answer over. Own properties shadow
 * ServerResponse's methods only until the answer is complete; deleting them restores the real ones.
 */
function captureAnswer(res: ServerResponse, done: (answer: CapturedAnswer) => void): void {
  const chunks: Buffer[] = [];
  const toBuffer = (chunk: unknown): Buffer => (Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const patched = res as unknown as Record<string, unknown>;
  patched.writeHead = (status: number, ...rest: unknown[]) => {
    res.statusCode = status;
    const headers = rest.find((x) => typeof x === 'object' && x !== null) as OutgoingHttpHeaders | undefined;
    for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) res.setHeader(name, value);
    return res;
  };
  patched.write = (chunk: unknown) => {
    chunks.push(toBuffer(chunk));
    return true;
  };
  patched.end = (chunk?: unknown) => {
    if (chunk !== undefined && typeof chunk !== 'function') chunks.push(toBuffer(chunk));
    for (const name of ['writeHead', 'write', 'end']) delete patched[name];
    const headers = { ...res.getHeaders() };
    for (const name of Object.keys(headers)) res.removeHeader(name);
    done({ status: res.statusCode, headers, body: Buffer.concat(chunks) });
    return res;
  };
}

function decodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}

function withoutLength(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const { 'content-length': _dropped, ...rest } = headers;
  return rest;
}

/** Writes `chunk`, then runs `then` once it has left this process (so the peer sees it before what follows). */
function writeThen(res: ServerResponse, chunk: Buffer, then: () => void): void {
  if (chunk.length === 0) {
    res.flushHeaders();
    setImmediate(then);
    return;
  }
  res.write(chunk, () => setImmediate(then));
}

export async function startFakeHttpServer(options: FakeHttpOptions): Promise<FakeHttpServer> {
  const requests: RecordedRequest[] = [];
  const faults: Array<{ spec: FaultSpec; hits: number }> = [];
  const struck = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  const sockets = new Set<Socket>();
  const waiters: Array<{
    predicate: (request: RecordedRequest) => boolean;
    resolve: (request: RecordedRequest) => void;
  }> = [];
  let openRequests = 0;
  let connectionsAccepted = 0;

  function takeFault(request: RecordedRequest): FaultSpec | undefined {
    for (let i = faults.length - 1; i >= 0; i--) {
      const entry = faults[i];
      if (!entry || !matches(entry.spec.match, request)) continue;
      entry.hits += 1;
      if (entry.spec.times !== undefined && entry.hits >= entry.spec.times) faults.splice(i, 1);
      struck[entry.spec.kind] += 1;
      return entry.spec;
    }
    return undefined;
  }

  async function runHandler(request: RecordedRequest, res: ServerResponse, req: IncomingMessage): Promise<void> {
    try {
      await options.handle(request, res, req);
    } catch {
      if (res.headersSent) res.destroy();
      else sendBody(res, 500, options.errorBody(500, request));
    }
  }

  /** The real answer, damaged as `fault` says. */
  function damage(fault: FaultSpec, answer: CapturedAnswer, res: ServerResponse): void {
    const half = answer.body.subarray(0, Math.floor(answer.body.length / 2));
    switch (fault.kind) {
      case 'empty':
        res.writeHead(answer.status, { ...withoutLength(answer.headers), 'content-length': 0 });
        res.end();
        return;
      case 'half-json':
        res.writeHead(answer.status, { ...withoutLength(answer.headers), 'content-length': half.length });
        res.end(half);
        return;
      case 'wrong-content-type':
        res.writeHead(answer.status, { ...answer.headers, 'content-type': fault.contentType ?? 'text/plain' });
        res.end(answer.body);
        return;
      case 'cut':
        res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
        writeThen(res, half, () => res.socket?.destroy());
        return;
      case 'reset':
        res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
        writeThen(res, half, () => res.socket?.resetAndDestroy());
        return;
      case 'stall':
        res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
        writeThen(res, half, () => undefined); // and nothing more: the client or close() ends it
        return;
      case 'endless': {
        res.writeHead(answer.status, withoutLength(answer.headers));
        res.write(answer.body);
        const timer = setInterval(() => res.write(answer.body), fault.intervalMs ?? 100);
        res.once('close', () => clearInterval(timer));
        return;
      }
      default:
        throw new Error(`fault ${fault.kind} does not damage an answer`);
    }
  }

  async function serve(request: RecordedRequest, res: ServerResponse, req: IncomingMessage): Promise<void> {
    const fault = takeFault(request);
    if (!fault) return runHandler(request, res, req);
    switch (fault.kind) {
      case 'hang':
        return; // the socket stays open until the client disconnects or close() destroys it
      case 'status':
      case 'gone': {
        const status = fault.kind === 'gone' ? 410 : (fault.status ?? 500);
        sendBody(
          res,
          status,
          fault.body ?? options.errorBody(status, request),
          undefined,
          typeof fault.headers === 'function' ? fault.headers() : fault.headers,
        );
        return;
      }
      case 'html':
        sendBody(res, 200, GATEWAY_PAGE, 'text/html');
        return;
      case 'garbage':
        sendBody(res, 200, 'Sure! Here is the data you asked for: {result: [1, 2', 'application/json');
        return;
      case 'huge': {
        const bytes = fault.bytes ?? 10 * 1024 * 1024;
        const answer = options.hugeBody?.(bytes, request) ?? {
          contentType: 'application/json',
          body: JSON.stringify({ filler: 'x'.repeat(bytes) }),
        };
        sendBody(res, 200, answer.body, answer.contentType);
        return;
      }
      default:
        captureAnswer(res, (answer) => damage(fault, answer, res));
        return runHandler(request, res, req);
    }
  }

  const server = createServer((req, res) => {
    openRequests += 1;
    res.once('close', () => (openRequests -= 1));
    const parsed = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('error', () => res.destroy());
    req.once('end', () => {
      const request: RecordedRequest = {
        method: (req.method ?? 'GET').toUpperCase(),
        path: decodePath(parsed.pathname),
        query: Object.fromEntries(parsed.searchParams.entries()),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      for (const waiter of waiters.filter((w) => w.predicate(request))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(request);
      }
      serve(request, res, req).catch(() => res.destroy());
    });
  });
  server.on('connection', (socket: Socket) => {
    connectionsAccepted += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    faults: {
      inject(spec) {
        const entry = { spec, hits: 0 };
        faults.push(entry);
        return {
          spec,
          get hits() {
            return entry.hits;
          },
          remove() {
            const index = faults.indexOf(entry);
            if (index >= 0) faults.splice(index, 1);
          },
        };
      },
      clear() {
        faults.length = 0;
      },
      struck,
    },
    get openRequests() {
      return openRequests;
    },
    get openConnections() {
      return sockets.size;
    },
    get connectionsAccepted() {
      return connectionsAccepted;
    },
    waitForRequest(predicate) {
      const seen = requests.find(predicate);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
