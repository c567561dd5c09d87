/**
 * Turns raw container log text into logical events: JSON lines, logfmt, plain lines with a timestamp/level prefix,
 * and multi-line stack traces (Go panics, Java, Python, Node) kept as one event each.
 */
import type { LogEvent, LogEventKind, ParseLogOptions } from './types.js';
import { describeCause, errorCause } from './cause.js';
import { createAccessLineParser, normaliseFramePath, parseJsonAccess, type HttpRecord } from './access.js';

const DEFAULT_MAX_EVENT_CHARS = 64 * 1024;
const MAX_FRAMES = 20;

// Continuation lines of a stack trace.
const JAVA_OR_NODE_FRAME = /^\s+at\s+\S/;
const JAVA_MORE = /^\s*\.\.\. \d+ (?:more|common frames omitted)/;
const JAVA_CAUSED_BY = /^\s*(?:Caused by|Suppressed):\s/;
const PYTHON_TRACEBACK = /^Traceback \(most recent call last\):/;
const PYTHON_CHAINED =
  /^(?:During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:)/;
const GO_PANIC = /^(?:panic: |fatal error: )/;
// net/http recovers a handler's panic and logs it through the standard logger, then the goroutine's stack.
const GO_HTTP_PANIC =
  /^(?:\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d(?:\.\d+)? )?(?:\S+\.go:\d+: )?http: panic serving \S+: (.*)$/;
// ASP.NET Core's console formatter: `fail: Category[EventId]`, then the message and any stack indented by six spaces.
const DOTNET_HEADER = /^(trce|dbug|info|warn|fail|crit): [\w.`+<>]+\[\d+\]$/;
const DOTNET_LEVELS: Record<string, string> = {
  trce: 'trace',
  dbug: 'debug',
  info: 'info',
  warn: 'warning',
  fail: 'error',
  crit: 'critical',
};
const DOTNET_EXCEPTION = /^\s*(?:---> )?(?:[A-Za-z_][\w`]*\.)+[A-Z]\w*(?:Exception|Error)\b(?::\s|$)/;
// Rails: optional Logger prefix (`F, [time #pid] FATAL -- : `), request tags, then the text of the line.
const RAILS_TAGGED = /^(?:[DIWEFAU], \[[^\]]{10,60}\] +([A-Z]+) -- [^:]{0,60}: )?((?:\[[^\]]{1,80}\] ){1,4})(.*)$/;
const RAILS_EXCEPTION = /^([A-Z][\w:]*) \((.*)\):$/;
const RAILS_FRAME = /^\S+:\d+:in [`']/;
// Node prints an uncaught error (and, since v15, an unhandled rejection) as: the source location, the source line, a
// caret, a blank line, the error with its stack and `[cause]`, and `Node.js vNN` last.
const NODE_CRASH_LOCATION = /^(?:file:\/\/|node:|\/)\S*:\d+$/;
const NODE_CRASH_END = /^Node\.js v\d+/;
const NODE_ERROR_HEADLINE = /^(?:\[?(?=[A-Z])\w*(?:Error|Exception|Rejection)\b[:\]]|Uncaught \w)/;
const GO_GOROUTINE = /^goroutine \d+ \[[^\]]+\]:?$/;
// A Java/Python/Node exception headline: `java.lang.IllegalStateException: x`, `TypeError: x`, `KeyError: 'id'`.
const EXCEPTION_HEADLINE =
  /^(?:Exception in thread "[^"]*" )?(?:[A-Za-z_$][\w$]*\.)*[A-Z][\w$]*(?:Exception|Error|Throwable|Exit|Interrupt|Warning)\b(?::\s|$)/;
// A new record starts with a timestamp, a level, a JSON object or a logfmt pair: it ends a Go panic dump.
const RECORD_START =
  /^(?:\{|\[?\d{4}[-/]\d\d[-/]\d\d|[IWEF]\d{4} \d\d:|[A-Z][a-z]{2} [ \d]\d \d\d:|(?:time|ts|level|lvl)=|\[?(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|FATAL|CRITICAL)\b)/;

const LEVEL_WORD =
  /(?:^|[\s[|(<])(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRITICAL|CRIT|SEVERE|PANIC|EMERG|ALERT)(?=[\s\]|:)>]|$)/;
const KLOG_PREFIX = /^([IWEF])\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ [^\]]+\] ?/;
const LEADING_TIMESTAMP =
  /^\[?(?:\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{10}(?:\.\d+)?)\]?\s*/;
const KLOG_LEVELS: Record<string, string> = { I: 'info', W: 'warning', E: 'error', F: 'fatal' };

type StackMode = 'none' | 'go' | 'python' | 'java' | 'node' | 'dotnet' | 'rails' | 'node-crash';

interface Draft {
  lines: string[];
  message: string;
  level?: string;
  mode: StackMode;
  /** Python traceback finished by its final `XxxError: ...` line. */
  closed: boolean;
  http?: HttpRecord;
  /** Stack text carried inside a JSON field. */
  embeddedStack?: string;
  /** Rails: the request tags every line of the block carries. */
  tags?: string;
}

export function parseLogEvents(text: string, options: ParseLogOptions = {}): LogEvent[] {
  const maxEvents = options.maxEvents ?? Number.POSITIVE_INFINITY;
  const maxEventChars = options.maxEventChars ?? DEFAULT_MAX_EVENT_CHARS;
  // Splitting on a plain newline is several times cheaper than on /\r?\n/; it is the same split without a CR.
  const lines = text.includes('\r') ? text.split(/\r?\n/) : text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const events: LogEvent[] = [];
  let draft: Draft | undefined;
  const access = createAccessLineParser();

  const flush = (): void => {
    if (draft !== undefined && events.length < maxEvents) events.push(finish(draft, maxEventChars));
    draft = undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    if (events.length >= maxEvents) break;
    const line = lines[i] ?? '';
    if (draft !== undefined && continues(draft, line, lines[i + 1])) {
      append(draft, line);
      continue;
    }
    flush();
    if (line.trim() === '' || isRailsBlank(line)) continue;
    draft = startDraft(line, lines[i + 1], access);
  }
  flush();
  return events;
}

function isRailsBlank(line: string): boolean {
  // Rails tags end in `] `; most lines have none, and the regex costs more than the look.
  if (!line.includes('] ')) return false;
  const m = RAILS_TAGGED.exec(line);
  return m !== null && (m[3] ?? '').trim() === '';
}

function append(draft: Draft, line: string): void {
  draft.lines.push(line);
  if (draft.mode === 'dotnet') {
    // The exception line names the failure better than `An unhandled exception was thrown by the application.`
    if (draft.lines.length === 2) draft.message = line.trim();
    else if (DOTNET_EXCEPTION.test(line) && !/^\s*(?:---> |at )/.test(line) && !DOTNET_EXCEPTION.test(draft.message))
      draft.message = line.trim();
    return;
  }
  if (draft.mode === 'node-crash') {
    if (draft.message === '' && NODE_ERROR_HEADLINE.test(line)) draft.message = line.replace(/ \{$/, '').trim();
    return;
  }
  if (draft.mode === 'rails') return;
  if (draft.mode === 'none') {
    // A plain log line followed by an exception headline and frames: the exception joins the line's event.
    if (PYTHON_TRACEBACK.test(line)) {
      draft.mode = 'python';
    } else if (EXCEPTION_HEADLINE.test(line.trim())) {
      draft.mode = 'java';
      draft.message = draft.message === '' ? line.trim() : `${draft.message}: ${line.trim()}`;
    } else if (JAVA_OR_NODE_FRAME.test(line)) draft.mode = 'java';
  }
  if (draft.mode === 'python' && !line.startsWith(' ') && EXCEPTION_HEADLINE.test(line)) {
    draft.closed = true;
    // The final line names the exception: it is the most useful headline.
    draft.message = line.trim();
  } else if (draft.mode === 'python' && (PYTHON_CHAINED.test(line) || PYTHON_TRACEBACK.test(line))) {
    draft.closed = false;
  }
}

function isFrameLine(line: string): boolean {
  return JAVA_OR_NODE_FRAME.test(line) || JAVA_MORE.test(line) || JAVA_CAUSED_BY.test(line);
}

function continues(draft: Draft, line: string, next: string | undefined): boolean {
  switch (draft.mode) {
    case 'dotnet':
      return line.startsWith('      ');
    case 'rails': {
      const m = RAILS_TAGGED.exec(line);
      if (m === null || m[2] !== draft.tags) return false;
      const text = (m[3] ?? '').trim();
      return text === '' || RAILS_FRAME.test(text) || RAILS_EXCEPTION.test(text) || /^Caused by: /.test(text);
    }
    case 'node-crash':
      return (
        !NODE_CRASH_END.test(draft.lines[draft.lines.length - 1] ?? '') &&
        (!RECORD_START.test(line) || line.startsWith('['))
      );
    case 'go':
      // Everything up to the next record belongs to the dump (blank lines, goroutine headers, frames, exit status).
      return !RECORD_START.test(line) || GO_GOROUTINE.test(line);
    case 'python':
      if (draft.closed)
        return PYTHON_CHAINED.test(line) || (line.trim() === '' && next !== undefined && PYTHON_CHAINED.test(next));
      return (
        line.startsWith(' ') ||
        line.trim() === '' ||
        EXCEPTION_HEADLINE.test(line) ||
        PYTHON_CHAINED.test(line) ||
        PYTHON_TRACEBACK.test(line)
      );
    case 'java':
    case 'node':
      return isFrameLine(line) || (EXCEPTION_HEADLINE.test(line.trim()) && next !== undefined && isFrameLine(next));
    case 'none':
      if (draft.lines.length !== 1) return isFrameLine(line);
      // Python's logging.exception prints the traceback right after the message line.
      if (PYTHON_TRACEBACK.test(line)) return true;
      // Only the line right after a log line may start an attached trace (logback/log4j print it so).
      if (isFrameLine(line)) return true;
      return EXCEPTION_HEADLINE.test(line.trim()) && next !== undefined && isFrameLine(next);
  }
}

function startDraft(line: string, next: string | undefined, access: (line: string) => HttpRecord | undefined): Draft {
  if (GO_PANIC.test(line)) return { lines: [line], message: line.trim(), level: 'fatal', mode: 'go', closed: false };
  const httpPanic = line.includes('http: panic serving ') ? GO_HTTP_PANIC.exec(line) : null;
  if (httpPanic && next !== undefined && GO_GOROUTINE.test(next)) {
    return {
      lines: [line],
      message: `http: panic serving: ${httpPanic[1] ?? ''}`,
      level: 'error',
      mode: 'go',
      closed: false,
    };
  }
  const dotnet = DOTNET_HEADER.exec(line);
  if (dotnet) {
    const draft: Draft = {
      lines: [line],
      message: line,
      level: DOTNET_LEVELS[dotnet[1] ?? 'info'] ?? 'info',
      mode: 'dotnet',
      closed: false,
    };
    if (next !== undefined) {
      const http = access(next);
      if (http !== undefined) draft.http = http;
    }
    return draft;
  }
  if (NODE_CRASH_LOCATION.test(line) && next !== undefined && next.startsWith(' ')) {
    return { lines: [line], message: '', level: 'fatal', mode: 'node-crash', closed: false };
  }
  const rails = line.includes('] ') ? RAILS_TAGGED.exec(line) : null;
  if (rails && RAILS_EXCEPTION.test((rails[3] ?? '').trim())) {
    return {
      lines: [line],
      message: (rails[3] ?? '').trim(),
      level: 'fatal',
      mode: 'rails',
      closed: false,
      tags: rails[2] ?? '',
    };
  }
  if (GO_GOROUTINE.test(line)) return { lines: [line], message: line.trim(), mode: 'go', closed: false };
  if (PYTHON_TRACEBACK.test(line))
    return { lines: [line], message: line.trim(), level: 'error', mode: 'python', closed: false };
  if (EXCEPTION_HEADLINE.test(line) && next !== undefined && isFrameLine(next)) {
    return {
      lines: [line],
      message: line.trim(),
      level: 'error',
      mode: /^\s+at .*\.(?:[cm]?js|ts):\d+/.test(next) ? 'node' : 'java',
      closed: false,
    };
  }
  const trimmed = line.trim();
  if (trimmed.startsWith('{')) {
    const fromJson = parseJsonLine(trimmed);
    if (fromJson !== undefined) return { lines: [line], mode: 'none', closed: false, ...fromJson };
  }
  // logfmt only when the record itself is key=value pairs: a plain line that merely quotes `severity=...` (echoed
  // user input, say) keeps its own leading level.
  const afterTimestamp = trimmed.includes('=') ? trimmed.replace(LEADING_TIMESTAMP, '') : '';
  if (/^[A-Za-z_][\w.]*=/.test(afterTimestamp) && /(?:^|\s)(?:level|lvl|msg|severity)=/.test(afterTimestamp)) {
    const fromLogfmt = parseLogfmt(trimmed);
    if (fromLogfmt !== undefined) return { lines: [line], mode: 'none', closed: false, ...fromLogfmt };
  }
  return { lines: [line], mode: 'none', closed: false, ...parsePlain(trimmed, access) };
}

interface Parsed {
  message: string;
  level?: string;
  http?: HttpRecord;
  embeddedStack?: string;
}

function parsePlain(line: string, access: (line: string) => HttpRecord | undefined): Parsed {
  const http = access(line);
  if (http !== undefined) return { message: line, http };
  const klog = KLOG_PREFIX.exec(line);
  if (klog) return { message: line.slice(klog[0].length), level: KLOG_LEVELS[klog[1] ?? 'I'] ?? 'info' };
  let rest = line;
  for (let guard = 0; guard < 2; guard++) {
    const ts = LEADING_TIMESTAMP.exec(rest);
    if (!ts) break;
    rest = rest.slice(ts[0].length);
  }
  // Look for a level word near the start only: a message may mention "ERROR" later on.
  const head = rest.slice(0, 80);
  const level = LEVEL_WORD.exec(head);
  let parsed: Parsed = { message: rest };
  if (level?.[1] !== undefined) {
    const end = level.index + level[0].length;
    const message = rest.slice(end).replace(/^[\]\s:|>-]+/, '');
    const prefix = rest.slice(0, level.index).trim();
    parsed = {
      message:
        message === ''
          ? rest
          : prefix !== '' && /[a-z]/.test(prefix) && prefix.length < 40
            ? `${prefix} ${message}`
            : message,
      level: level[1].toLowerCase(),
    };
  } else {
    // Python's default logging format: `ERROR:root:message`.
    const py = /^(DEBUG|INFO|WARNING|ERROR|CRITICAL):[\w.]*:/.exec(rest);
    if (py?.[1] !== undefined) parsed = { message: rest.slice(py[0].length), level: py[1].toLowerCase() };
  }
  return parsed;
}

const MESSAGE_KEYS = ['msg', 'message', 'log', '@message', 'MESSAGE', 'Message', 'textPayload'];
const LEVEL_KEYS = ['level', 'severity', 'lvl', 'log.level', '@level', 'levelname', 'Level', 'loglevel'];
const ERROR_KEYS = ['error', 'err', 'exception', 'error.message'];
const STACK_KEYS = ['stacktrace', 'stack', 'stack_trace', 'exc_info', 'error.stack', 'trace'];

function stringField(obj: Record<string, unknown>, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = obj[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

function numericLevel(value: number): string {
  // pino / bunyan numeric levels.
  if (value >= 60) return 'fatal';
  if (value >= 50) return 'error';
  if (value >= 40) return 'warn';
  if (value >= 30) return 'info';
  return 'debug';
}

function parseJsonLine(line: string): Parsed | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const obj = value as Record<string, unknown>;
  let message = stringField(obj, MESSAGE_KEYS);
  let level: string | undefined;
  for (const key of LEVEL_KEYS) {
    const v = obj[key];
    if (typeof v === 'string' && v !== '') level = v.toLowerCase();
    else if (typeof v === 'number') level = numericLevel(v);
    if (level !== undefined) break;
  }
  const http = parseJsonAccess(obj);
  if (message === undefined) message = line;
  else if (level === undefined && message === obj.log) {
    // Docker's json-file wrapper: the inner text is itself a plain log line.
    const inner = parsePlain(message.trim(), createAccessLineParser());
    message = inner.message;
    level = inner.level;
  }
  // pino/bunyan serialise errors as a nested object: `err: { type, message, stack }`.
  const nested = ['err', 'error', 'exception']
    .map((k) => obj[k])
    .find((v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v));
  const error = stringField(obj, ERROR_KEYS) ?? (nested ? stringField(nested, ['message', 'msg']) : undefined);
  if (error !== undefined && !message.includes(error)) message = `${message}: ${error}`;
  const parsed: Parsed = { message: message.trim() };
  if (level !== undefined) parsed.level = level;
  if (http !== undefined) parsed.http = http;
  const stack =
    stringField(obj, STACK_KEYS) ?? (nested ? stringField(nested, ['stack', 'stacktrace', 'stack_trace']) : undefined);
  if (stack !== undefined && stack.includes('\n')) parsed.embeddedStack = stack;
  return parsed;
}

/** logfmt: `key=value key="quoted value"`. */
export function parseLogfmtPairs(line: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  const re = /([\w.@-]+)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    const key = m[1] ?? '';
    let v = m[2] ?? '';
    if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    pairs[key] = v;
  }
  return pairs;
}

function parseLogfmt(line: string): Parsed | undefined {
  const pairs = parseLogfmtPairs(line);
  const message = pairs.msg ?? pairs.message;
  const level = pairs.level ?? pairs.lvl ?? pairs.severity;
  if (message === undefined && level === undefined) return undefined;
  const parsed: Parsed = { message: message ?? line };
  const error = pairs.error ?? pairs.err;
  if (error !== undefined && message !== undefined) parsed.message = `${message}: ${error}`;
  if (level !== undefined) parsed.level = level.toLowerCase();
  const http = parseJsonAccess(pairs);
  if (http !== undefined) parsed.http = http;
  return parsed;
}

function finish(draft: Draft, maxEventChars: number): LogEvent {
  let raw = draft.lines.join('\n');
  if (raw.length > maxEventChars) raw = raw.slice(0, maxEventChars);
  const stackText = draft.embeddedStack !== undefined ? `${raw}\n${draft.embeddedStack}` : raw;
  const frames = draft.lines.length > 1 || draft.embeddedStack !== undefined ? extractFrames(stackText) : [];
  const hasStack = draft.mode !== 'none' || draft.lines.length > 1 || draft.embeddedStack !== undefined;
  const event: LogEvent = {
    message: draft.message === '' ? (draft.lines[0] ?? '').trim() : draft.message,
    frames,
    raw,
  };
  if (draft.level !== undefined) event.level = draft.level;
  if (draft.http !== undefined) event.http = draft.http;
  event.kind = classify(draft, stackText, hasStack);
  if (hasStack && event.kind !== 'info') {
    const cause = errorCause(stackText);
    if (cause !== undefined && cause.message !== '') event.cause = describeCause(cause);
  }
  return event;
}

const OOM =
  /OutOfMemoryError|\bout of memory\b|JavaScript heap out of memory|\bMemoryError\b|Cannot allocate memory|\bOOMKilled\b/i;
// Every out-of-memory phrase holds "memory" or "oom" (any case); looking for those first is cheaper than the phrases.
const MEMORY_WORD = /[mM][eE][mM][oO][rR][yY]|[oO][oO][mM]/;
const isOom = (text: string): boolean => MEMORY_WORD.test(text) && OOM.test(text);

function classify(draft: Draft, text: string, hasStack: boolean): LogEventKind {
  const head = draft.lines[0] ?? '';
  if (draft.mode === 'go' && (/^panic: |^fatal error: |^goroutine /.test(head) || GO_HTTP_PANIC.test(head)))
    return isOom(head) ? 'oom' : 'panic';
  if (isOom(draft.message) || (hasStack && isOom(text.slice(0, 2000)))) return 'oom';
  if (
    hasStack &&
    (draft.mode === 'python' ||
      draft.mode === 'java' ||
      draft.mode === 'node' ||
      draft.mode === 'rails' ||
      draft.mode === 'node-crash' ||
      draft.embeddedStack !== undefined)
  )
    return 'exception';
  if (draft.mode === 'dotnet' && draft.lines.some((l) => DOTNET_EXCEPTION.test(l))) return 'exception';
  const level = draft.level;
  if (level !== undefined) {
    if (/^(?:fatal|panic|crit|critical|emerg|emergency|alert|dpanic)$/.test(level)) return 'fatal';
    if (/^(?:err|error|severe)$/.test(level)) return 'error';
    if (/^(?:warn|warning)$/.test(level)) return 'warning';
    if (draft.http === undefined) return 'info';
  }
  if (draft.http !== undefined) return draft.http.status >= 500 ? 'error' : 'info';
  if (EXCEPTION_HEADLINE.test(draft.message)) return 'error';
  if (/\b(?:error|failed|failure|exception|refused|unavailable|denied|timed out|timeout)\b/i.test(draft.message))
    return 'error';
  if (/\bwarn(?:ing)?\b/i.test(draft.message)) return 'warning';
  return 'info';
}

const GO_FRAME = /^\t(\S+\.go):(\d+)(?: \+0x[0-9a-f]+)?$/;
const JAVA_FRAME = /^\s+at\s+([\w$.<>/]+)\(([\w$-]+\.(?:java|kt|scala|groovy)):(\d+)\)/;
const NODE_FRAME = /^\s+at\s+(?:.*?\()?((?:file:\/\/)?[^\s()]+\.(?:[cm]?js|[cm]?ts|jsx|tsx)):(\d+)(?::\d+)?\)?\s*$/;
const PYTHON_FRAME = /^\s+File "([^"]+\.py)", line (\d+)/;
const DOTNET_FRAME = /^\s+at (\S+)\(.*\) in (\S+):line (\d+)$/;
const RUBY_FRAME = /^(?:.*\] )?(\S+\.rb):(\d+):in [`']/;
const FOREIGN_DOTNET = /^(?:System|Microsoft|lambda_method)\b/;
// Runtime and library frames never map to the application's source.
const FOREIGN_JAVA =
  /^(?:java|javax|jakarta|jdk|sun|com\.sun|kotlin|kotlinx|scala|org\.springframework|org\.apache|org\.hibernate|org\.eclipse|org\.jboss|org\.slf4j|io\.netty|io\.grpc|io\.micrometer|io\.opentelemetry|io\.undertow|reactor|ch\.qos|com\.fasterxml|com\.google|com\.zaxxer|okhttp3|feign)\./;
// Logback/log4j print the jar a frame came from: `~[spring-webmvc-6.1.10.jar!/:6.1.10]` is a dependency.
const DEPENDENCY_JAR = /~?\[[\w.-]+-\d[\w.-]*\.jar/;
const FOREIGN_PATH =
  /(?:^|\/)(?:node_modules|site-packages|dist-packages|pkg\/mod)\/|^node:|^internal\/|^<|\/usr\/(?:local\/)?(?:go|lib\/python[\d.]*)\/|\/lib\/python[\d.]*\/|^\/usr\/lib\/|\/src\/runtime\//;

function extractFrames(text: string): string[] {
  const frames: string[] = [];
  const seen = new Set<string>();
  const add = (frame: string): void => {
    if (!seen.has(frame) && frames.length < MAX_FRAMES) {
      seen.add(frame);
      frames.push(frame);
    }
  };
  for (const line of text.split('\n')) {
    if (frames.length >= MAX_FRAMES) break;
    let m = GO_FRAME.exec(line);
    if (m) {
      const path = m[1] ?? '';
      if (!FOREIGN_PATH.test(path) && !path.startsWith('runtime/')) add(`${normaliseFramePath(path)}:${m[2]}`);
      continue;
    }
    m = JAVA_FRAME.exec(line);
    if (m) {
      if (!FOREIGN_JAVA.test(m[1] ?? '') && !DEPENDENCY_JAR.test(line)) add(`${m[2]}:${m[3]}`);
      continue;
    }
    m = PYTHON_FRAME.exec(line);
    if (m) {
      const path = m[1] ?? '';
      if (!FOREIGN_PATH.test(path)) add(`${normaliseFramePath(path)}:${m[2]}`);
      continue;
    }
    m = DOTNET_FRAME.exec(line);
    if (m) {
      if (!FOREIGN_DOTNET.test(m[1] ?? '')) add(`${normaliseFramePath((m[2] ?? '').replace(/\\/g, '/'))}:${m[3]}`);
      continue;
    }
    m = RUBY_FRAME.exec(line);
    if (m) {
      const path = m[1] ?? '';
      if (!/\/gems\/|\/vendor\/bundle\/|\/ruby\/\d/.test(path)) add(`${normaliseFramePath(path)}:${m[2]}`);
      continue;
    }
    m = NODE_FRAME.exec(line);
    if (m) {
      const path = (m[1] ?? '').replace(/^file:\/\//, '');
      if (!FOREIGN_PATH.test(path)) add(`${normaliseFramePath(path)}:${m[2]}`);
    }
  }
  return frames;
}
