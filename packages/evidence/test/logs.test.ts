import { describe, expect, it } from 'vitest';
import {
  accessLogSummary,
  createTemplater,
  diffLogSignatures,
  groupingAccuracy,
  logFindings,
  parseLogEvents,
} from '@aiops/evidence';

const GO_PANIC = [
  '2024-05-01T10:00:00Z INFO serving request id=42',
  'panic: runtime error: invalid memory address or nil pointer dereference',
  '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x6a1b2c]',
  '',
  'goroutine 37 [running]:',
  'github.com/acme/shop/internal/cart.(*Handler).Get(0x0, {0x7f, 0xc0})',
  '\t/go/src/github.com/acme/shop/internal/cart/handler.go:42 +0x1d',
  'net/http.HandlerFunc.ServeHTTP(0xc000, {0x7f})',
  '\t/usr/local/go/src/net/http/server.go:2136 +0x29',
  'exit status 2',
].join('\n');

const JAVA = [
  '2024-05-01 10:00:01.123 ERROR [http-nio-8080-exec-3] c.a.PriceController - request failed',
  'java.lang.NullPointerException: Cannot invoke "Price.amount()" because "p" is null',
  '\tat com.acme.price.PriceService.price(PriceService.java:57)',
  '\tat com.acme.price.PriceController.get(PriceController.java:31)',
  '\tat java.base/java.lang.Thread.run(Thread.java:833)',
  'Caused by: java.lang.IllegalStateException: boom',
  '\tat com.acme.price.Repo.load(Repo.java:12)',
  '\t... 4 more',
  '2024-05-01 10:00:02.000 INFO [main] c.a.App - still alive',
].join('\n');

const PYTHON = [
  'Traceback (most recent call last):',
  '  File "/app/app/handlers.py", line 31, in get_cart',
  '    return cart["items"]',
  '  File "/usr/lib/python3.12/site-packages/flask/app.py", line 880, in dispatch',
  '    raise',
  "KeyError: 'items'",
  'INFO:werkzeug:127.0.0.1 - - "GET /health HTTP/1.1" 200 -',
].join('\n');

const NODE = [
  "TypeError: Cannot read properties of undefined (reading 'id')",
  '    at handler (/app/src/server.js:18:5)',
  '    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)',
  '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
].join('\n');

describe('parseLogEvents', () => {
  it('keeps a Go panic with its goroutine dump as one event with application frames', () => {
    const events = parseLogEvents(GO_PANIC);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ kind: 'info', level: 'info' });
    const panic = events[1];
    expect(panic?.kind).toBe('panic');
    expect(panic?.message).toBe('panic: runtime error: invalid memory address or nil pointer dereference');
    expect(panic?.frames).toEqual(['internal/cart/handler.go:42']);
    expect(panic?.raw).toContain('exit status 2');
  });

  it('attaches a Java exception and its causes to the log line that printed it', () => {
    const events = parseLogEvents(JAVA);
    expect(events).toHaveLength(2);
    expect(events[0]?.kind).toBe('exception');
    expect(events[0]?.message).toContain('java.lang.NullPointerException');
    expect(events[0]?.frames).toEqual(['PriceService.java:57', 'PriceController.java:31', 'Repo.java:12']);
    expect(events[1]?.message).toContain('still alive');
  });

  it('reads a Python traceback up to its final exception line', () => {
    const events = parseLogEvents(PYTHON);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      kind: 'exception',
      message: "KeyError: 'items'",
      frames: ['app/handlers.py:31'],
    });
    expect(events[1]?.level).toBe('info');
  });

  it('reads a Node stack without runtime or dependency frames', () => {
    const [event] = parseLogEvents(NODE);
    expect(event).toMatchObject({ kind: 'exception', frames: ['src/server.js:18'] });
  });

  it('splits CRLF text into the same lines as LF text, a lone CR staying in its line', () => {
    const lines = ['2024-05-01T10:00:00Z ERROR payment failed', '2024-05-01T10:00:01Z INFO cart a\rb'];
    expect(parseLogEvents(lines.join('\r\n')).map((e) => e.raw)).toEqual(lines);
    expect(parseLogEvents(lines.join('\n')).map((e) => e.raw)).toEqual(lines);
  });

  it('classifies out-of-memory lines by each of their phrases, in any case', () => {
    const kinds = parseLogEvents(
      [
        '2024-05-01T10:00:00Z WARN worker OOMKilled, restarting',
        '2024-05-01T10:00:01Z ERROR java.lang.OutOfMemoryError: Java heap space',
        '2024-05-01T10:00:02Z ERROR cannot allocate memory for the cache',
        '2024-05-01T10:00:03Z INFO memory usage 40%',
      ].join('\n'),
    ).map((e) => e.kind);
    expect(kinds).toEqual(['oom', 'oom', 'oom', 'info']);
  });

  it('takes message and level from JSON lines and logfmt', () => {
    const events = parseLogEvents(
      [
        '{"ts":"2024-05-01T10:00:00Z","level":"error","msg":"payment failed","error":"connection refused"}',
        '{"time":1714557600,"level":50,"message":"db down"}',
        'time=2024-05-01T10:00:00Z level=warn msg="slow query" duration=1.2s',
      ].join('\n'),
    );
    expect(events.map((e) => [e.message, e.level, e.kind])).toEqual([
      ['payment failed: connection refused', 'error', 'error'],
      ['db down', 'error', 'error'],
      ['slow query', 'warn', 'warning'],
    ]);
  });

  it('recognises access logs and reads status and latency', () => {
    const events = parseLogEvents(
      [
        '10.0.0.1 - - [01/May/2024:10:00:00 +0000] "GET /api/cart/7 HTTP/1.1" 503 12 "-" "curl/8.0" 0.250',
        '[2024-05-01T10:00:00.000Z] "GET /api/cart HTTP/1.1" 200 - via_upstream - "-" 0 13 5 4 "-" "curl/8" "id" "cart" "10.0.0.2:8080"',
        '{"method":"GET","path":"/api","status":500,"latency_ms":12.5}',
      ].join('\n'),
    );
    expect(events.map((e) => e.http)).toEqual([
      { status: 503, latencyMs: 250 },
      { status: 200, latencyMs: 5 },
      { status: 500, latencyMs: 12.5 },
    ]);
    const summary = accessLogSummary({ canary: events, stable: [] });
    expect(summary.canary).toMatchObject({ requests: 3, errors5xx: 2, latencyMs: [250, 5, 12.5] });
    expect(summary.canary.errorRate5xx).toBeCloseTo(2 / 3);
    expect(summary.stable.requests).toBe(0);
  });
});

describe('templater', () => {
  it('masks variables and groups the same statement together', () => {
    const t = createTemplater();
    const a = t.add(
      'user 42 logged in from 10.0.0.1 at 2024-05-01T10:00:00Z request=9f8e7d6c-1111-2222-3333-444455556666',
    );
    const b = t.add(
      'user 7 logged in from 192.168.1.20 at 2024-05-02T11:00:00Z request=0a1b2c3d-1111-2222-3333-444455556666',
    );
    const c = t.add('cache miss for key "cart:42" after 15ms');
    const d = t.add("cache miss for key 'cart:7' after 3ms");
    expect(a).toBe(b);
    expect(c).toBe(d);
    expect(a).not.toBe(c);
    expect(t.templateOf(a)).toBe('user <*> logged in from <*> at <*> request=<*>');
    expect(t.templates().map((x) => x.count)).toEqual([2, 2]);
  });
});

describe('groupingAccuracy', () => {
  it('matches the worked example of the Loghub README', () => {
    const truth = ['A', 'A', 'B', 'B', 'C', 'D'];
    const parsed = ['x', 'x', 'y', 'y', 'z', 'z'];
    expect(groupingAccuracy(truth, parsed)).toBeCloseTo(4 / 6);
    expect(groupingAccuracy(truth, truth)).toBe(1);
    // Splitting a true group makes all its lines wrong.
    expect(groupingAccuracy(['A', 'A', 'A'], ['x', 'x', 'y'])).toBe(0);
  });
});

describe('diffLogSignatures and logFindings', () => {
  const info = (n: number): string[] =>
    Array.from({ length: n }, (_, i) => `2024-05-01T10:00:00Z INFO served request ${i} in ${i}ms`);
  const sharedError = (n: number): string[] =>
    Array.from({ length: n }, (_, i) => `2024-05-01T10:00:00Z ERROR upstream timeout after ${i}ms`);
  const options = {
    maxSignatures: 10,
    examplesPerSignature: 2,
    maxExampleChars: 200,
    redact: (s: string) => s.replace(/hunter2/g, '[REDACTED]'),
  };

  it('ranks canary-only panics first and reports shared errors without a finding', () => {
    const canary = parseLogEvents([...info(90), ...sharedError(5), 'password=hunter2 retrying', GO_PANIC].join('\n'));
    const stable = parseLogEvents([...info(95), ...sharedError(5)].join('\n'));
    const diff = diffLogSignatures({ canary, stable }, options);
    const [first] = diff.signatures;
    expect(first).toMatchObject({
      id: 'sig-1',
      kind: 'panic',
      severity: 'critical',
      errorLike: true,
      canaryOnly: true,
      frames: ['internal/cart/handler.go:42'],
    });
    expect(first?.canary.count).toBe(1);
    expect(diff.canaryLines).toBe(canary.length);
    expect(JSON.stringify(diff)).not.toContain('hunter2');
    const findings = logFindings(diff);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      id: 'log:sig-1',
      kind: 'panic',
      hard: true,
      severity: 'critical',
      side: 'canary',
    });
    expect(findings[0]?.title).toMatch(
      /^canary-only panic \(1 events, [\d.]+\/1k\): runtime error: invalid memory address or nil pointer dereference$/,
    );
  });

  it('flags error signatures markedly more frequent in the canary as soft findings', () => {
    const canary = parseLogEvents([...info(80), ...sharedError(20)].join('\n'));
    const stable = parseLogEvents([...info(99), ...sharedError(1)].join('\n'));
    const diff = diffLogSignatures({ canary, stable }, options);
    const findings = logFindings(diff);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'error-signature', hard: false, severity: 'error' });
    expect(findings[0]?.title).toContain('canary-elevated error (20 events, 200.0/1k vs 10.0/1k in stable)');
  });

  it('bounds the number of signatures and counts the omitted ones', () => {
    const canary = parseLogEvents(
      Array.from(
        { length: 50 },
        (_, i) => `statement${'x'.repeat(i % 26)} kind ${String.fromCharCode(97 + (i % 26))}${'y'.repeat(i)}`,
      ).join('\n'),
    );
    const diff = diffLogSignatures({ canary, stable: [] }, { ...options, maxSignatures: 5 });
    expect(diff.signatures).toHaveLength(5);
    expect(diff.signatures.length + diff.omitted).toBeGreaterThan(5);
  });
});

describe('plain lines that quote key=value text', () => {
  it('keep their own leading level (echoed user input cannot raise its severity)', () => {
    const [event] = parseLogEvents(
      '2026-11-22T10:00:00.000Z INFO handler: received comment "severity=critical hard=true"',
    );
    expect(event?.level).toBe('info');
  });
  it('real logfmt records are still read as logfmt', () => {
    expect(parseLogEvents('time=2026-11-22T10:00:00Z level=error msg="boom"')[0]).toMatchObject({
      level: 'error',
      message: 'boom',
    });
  });
  it('a logfmt record after a timestamp, with lvl and msg only, is read as logfmt', () => {
    expect(parseLogEvents('2026-11-22T10:00:00Z lvl=warn msg="disk low"')[0]).toMatchObject({
      level: 'warn',
      message: 'disk low',
    });
  });
});

describe('pino errors', () => {
  it('reads the stack of a nested err object, so an unhandled rejection is an exception', () => {
    const line = JSON.stringify({
      level: 60,
      msg: 'unhandled rejection',
      err: {
        type: 'Error',
        message: 'db gone',
        stack: 'Error: db gone\n    at connect (/app/src/db.js:12:9)\n    at main (/app/src/server.js:3:1)',
      },
    });
    const [event] = parseLogEvents(line);
    expect(event?.message).toContain('db gone');
    expect(event?.frames.join(' ')).toContain('src/db.js:12');
  });
});

describe('Java application frames', () => {
  it('skips framework and dependency-jar frames so the application frame comes first', () => {
    const trace = [
      'jakarta.servlet.ServletException: Request processing failed: java.lang.NullPointerException: discount is null',
      '\tat org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1022) ~[spring-webmvc-6.1.10.jar!/:6.1.10]',
      '\tat com.vendor.filters.AuditFilter.doFilter(AuditFilter.java:40) ~[vendor-filters-2.3.1.jar!/:2.3.1]',
      '\tat com.acme.checkout.PriceService.total(PriceService.java:57) ~[!/:na]',
      '\tat com.acme.checkout.CheckoutController.checkout(CheckoutController.java:34) ~[!/:na]',
    ].join('\n');
    expect(parseLogEvents(trace)[0]?.frames).toEqual(['PriceService.java:57', 'CheckoutController.java:34']);
  });
});
