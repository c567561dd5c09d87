/**
 * The cause of a multi-line error event in one line: the innermost error message and the first application frame
 * where it happened, e.g. `runtime error: invalid memory address or nil pointer dereference at internal/cart/handler.go:42`.
 * Built without a model for `rootCause`: never a raw stack, never an unbalanced bracket.
 *
 * Innermost means: Java's last `Caused by:`, .NET's last `--->` inner exception, Node's last `[cause]:`, Python's
 * first traceback of a chain (CPython prints the original exception first, for `raise ... from` and for an error
 * raised while handling another), Go's panic value.
 */
import { normaliseFramePath } from './access.js';

export interface ErrorCause {
  message: string;
  frame?: string;
}

const GO_PANIC_VALUE = /^(?:.*?http: panic serving \S+: |panic: |fatal error: )(.*?)(?: \[recovered\])?$/;
const GO_FRAME = /^\t(\S+\.go):(\d+)(?: \+0x[0-9a-f]+)?$/;
const JAVA_CAUSED_BY = /^\s*Caused by: (.*)$/;
const JAVA_FRAME = /^\s+at\s+([\w$.<>/]+)\(([\w$-]+\.(?:java|kt|scala|groovy)):(\d+)\)/;
const JAVA_FOREIGN =
  /^(?:java|javax|jakarta|jdk|sun|com\.sun|kotlin|kotlinx|scala|org\.springframework|org\.apache|org\.hibernate|org\.eclipse|org\.jboss|org\.slf4j|io\.netty|io\.grpc|io\.micrometer|io\.opentelemetry|io\.undertow|reactor|ch\.qos|com\.fasterxml|com\.google|com\.zaxxer|okhttp3|feign)\./;
const EXCEPTION_LINE =
  /^(?:Exception in thread "[^"]*" )?((?:[A-Za-z_$][\w$]*\.)*[A-Z][\w$]*(?:Exception|Error|Throwable|Exit|Interrupt|Warning|Rejection)\b(?::.*)?)$/;
const PYTHON_TRACEBACK = /^Traceback \(most recent call last\):/;
const PYTHON_FRAME = /^\s+File "([^"]+\.py)", line (\d+)/;
const PYTHON_FINAL = /^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Iteration)\b(?::.*)?)$/;
const NODE_CAUSE = /^\s*\[cause\]: (.*?)(?: \{)?$/;
const NODE_FRAME = /^\s+at\s+(?:.*?\()?((?:file:\/\/)?[^\s()]+\.(?:[cm]?js|[cm]?ts|jsx|tsx)):(\d+)(?::\d+)?\)?\s*$/;
const NODE_HEADLINE = /^(?:\[?(?=[A-Z])\w*(?:Error|Exception|Rejection)\b[:\]].*|Uncaught .*)$/;
const DOTNET_INNER = /^\s*---> (.*)$/;
const DOTNET_FRAME = /^\s+at (\S+)\(.*\) in (\S+):line (\d+)$/;
const DOTNET_EXCEPTION = /^\s*((?:[A-Za-z_][\w`]*\.)+[A-Z]\w*(?:Exception|Error)\b(?::.*)?)$/;
const RAILS_EXCEPTION = /^(?:.*\] )?([A-Z][\w:]*) \((.*)\):$/;
const RUBY_FRAME = /^(?:.*\] )?(\S+\.rb):(\d+):in [`']/;
const FOREIGN_PATH =
  /(?:^|\/)(?:node_modules|site-packages|dist-packages|pkg\/mod|gems|vendor\/bundle)\/|^node:|^internal\/|^<|\/usr\/(?:local\/)?(?:go|lib\/go[\w.-]*|lib\/python[\d.]*)\/|\/lib\/python[\d.]*\/|^\/usr\/lib\/|\/src\/runtime\//;

const appPath = (path: string): string | undefined => {
  const p = path.replace(/^file:\/\//, '').replace(/\\/g, '/');
  return FOREIGN_PATH.test(p) ? undefined : normaliseFramePath(p);
};

function goCause(lines: string[]): ErrorCause | undefined {
  const head = lines.map((l) => GO_PANIC_VALUE.exec(l)).find((m) => m !== null);
  if (!head) return undefined;
  // The first application frame below `panic(...)`: where the value was thrown (runtime frames sit above it).
  const panicAt = lines.findIndex((l) => /^panic\(/.test(l));
  let frame: string | undefined;
  for (const line of lines.slice(panicAt + 1)) {
    const m = GO_FRAME.exec(line);
    const path = m ? appPath(m[1] ?? '') : undefined;
    if (m && path !== undefined && !path.startsWith('runtime/')) {
      frame = `${path}:${m[2]}`;
      break;
    }
  }
  return { message: head[1] ?? '', ...(frame ? { frame } : {}) };
}

function javaCause(lines: string[]): ErrorCause | undefined {
  let causeAt = -1;
  lines.forEach((l, i) => {
    if (JAVA_CAUSED_BY.test(l)) causeAt = i;
  });
  const message =
    causeAt >= 0
      ? JAVA_CAUSED_BY.exec(lines[causeAt] ?? '')?.[1]
      : lines.map((l) => EXCEPTION_LINE.exec(l.trim())?.[1]).find((m) => m !== undefined);
  if (message === undefined) return undefined;
  const frameIn = (from: number): string | undefined => {
    for (const line of lines.slice(from)) {
      const m = JAVA_FRAME.exec(line);
      if (m && !JAVA_FOREIGN.test(m[1] ?? '') && !/~?\[[\w.-]+-\d[\w.-]*\.jar/.test(line)) return `${m[2]}:${m[3]}`;
    }
    return undefined;
  };
  const frame = frameIn(Math.max(0, causeAt)) ?? frameIn(0);
  return { message, ...(frame ? { frame } : {}) };
}

function pythonCause(lines: string[]): ErrorCause | undefined {
  const start = lines.findIndex((l) => PYTHON_TRACEBACK.test(l));
  if (start < 0) return undefined;
  // The first traceback of the chain ends at its final exception line.
  let frame: string | undefined;
  for (const line of lines.slice(start + 1)) {
    const f = PYTHON_FRAME.exec(line);
    if (f) {
      const path = appPath(f[1] ?? '');
      if (path !== undefined) frame = `${path}:${f[2]}`;
      continue;
    }
    const m = !line.startsWith(' ') ? PYTHON_FINAL.exec(line) : null;
    if (m) return { message: m[1] ?? '', ...(frame ? { frame } : {}) };
  }
  return undefined;
}

function nodeCause(lines: string[]): ErrorCause | undefined {
  let at = -1;
  let message: string | undefined;
  lines.forEach((l, i) => {
    const m = NODE_CAUSE.exec(l);
    if (m) {
      at = i;
      message = m[1];
    }
  });
  if (message === undefined) {
    at = lines.findIndex((l) => NODE_HEADLINE.test(l.trim()) && !DOTNET_EXCEPTION.test(l));
    message = at >= 0 ? lines[at]?.trim().replace(/ \{$/, '') : undefined;
  }
  if (message === undefined) return undefined;
  for (const line of lines.slice(at + 1)) {
    const m = NODE_FRAME.exec(line);
    const path = m ? appPath(m[1] ?? '') : undefined;
    if (m && path !== undefined) return { message, frame: `${path}:${m[2]}` };
  }
  return { message };
}

function dotnetCause(lines: string[]): ErrorCause | undefined {
  let at = -1;
  let message: string | undefined;
  lines.forEach((l, i) => {
    const inner = DOTNET_INNER.exec(l);
    const exception = inner ? inner[1] : DOTNET_EXCEPTION.exec(l)?.[1];
    if (exception !== undefined && (inner || message === undefined)) {
      at = i;
      message = exception;
    }
  });
  if (message === undefined) return undefined;
  const frameIn = (from: number): string | undefined => {
    for (const line of lines.slice(from)) {
      const m = DOTNET_FRAME.exec(line);
      if (m && !/^(?:System|Microsoft|lambda_method)\b/.test(m[1] ?? ''))
        return `${appPath(m[2] ?? '') ?? m[2]}:${m[3]}`;
    }
    return undefined;
  };
  const frame = frameIn(at) ?? frameIn(0);
  return { message, ...(frame ? { frame } : {}) };
}

function railsCause(lines: string[]): ErrorCause | undefined {
  const m = lines.map((l) => RAILS_EXCEPTION.exec(l)).find((x) => x !== null);
  if (!m) return undefined;
  const frameLine = lines.map((l) => RUBY_FRAME.exec(l)).find((f) => f !== null && appPath(f[1] ?? '') !== undefined);
  return {
    message: `${m[1]}: ${m[2]}`,
    ...(frameLine ? { frame: `${appPath(frameLine[1] ?? '')}:${frameLine[2]}` } : {}),
  };
}

/** The innermost error and its application frame, for a multi-line error event; undefined when none is recognised. */
export function errorCause(raw: string): ErrorCause | undefined {
  const lines = raw.split('\n');
  if (lines.some((l) => /^goroutine \d+ \[/.test(l))) return goCause(lines);
  if (lines.some((l) => PYTHON_TRACEBACK.test(l))) return pythonCause(lines);
  if (
    lines.some((l) => DOTNET_FRAME.test(l) || DOTNET_INNER.test(l)) ||
    /^(?:fail|crit|warn|info): /.test(lines[0] ?? '')
  )
    return dotnetCause(lines);
  if (lines.some((l) => RUBY_FRAME.test(l))) return railsCause(lines);
  if (lines.some((l) => NODE_FRAME.test(l) || NODE_CAUSE.test(l))) return nodeCause(lines);
  if (lines.some((l) => JAVA_FRAME.test(l) || JAVA_CAUSED_BY.test(l))) return javaCause(lines);
  return undefined;
}

const OPENERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** Drops brackets that have no partner, so a cut message never leaves `(` open. */
export function balanceBrackets(text: string): string {
  const chars = [...text];
  const open: number[] = [];
  const drop = new Set<number>();
  chars.forEach((c, i) => {
    if (c === '(' || c === '[' || c === '{') open.push(i);
    else if (c === ')' || c === ']' || c === '}') {
      const top = open.at(-1);
      if (top !== undefined && chars[top] === OPENERS[c]) open.pop();
      else drop.add(i);
    }
  });
  for (const i of open) drop.add(i);
  return drop.size === 0 ? text : chars.filter((_, i) => !drop.has(i)).join('');
}

/** One line, at most `max` characters, brackets balanced. */
export function oneLine(text: string, max = 400): string {
  let line = text.replace(/\s+/g, ' ').trim();
  if (line.length > max) line = `${line.slice(0, max - 1)}…`;
  return balanceBrackets(line);
}

/** `message at frame`, as one line. */
export function describeCause(cause: ErrorCause): string {
  return oneLine(cause.frame ? `${oneLine(cause.message, 300)} at ${cause.frame}` : cause.message, 400);
}
