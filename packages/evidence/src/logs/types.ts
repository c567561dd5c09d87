import type { HttpRecord } from './access.js';

/** One logical log record: a single line, or a whole multi-line stack trace / panic dump. */
export type LogEventKind = 'panic' | 'exception' | 'oom' | 'fatal' | 'error' | 'warning' | 'info';

export interface LogEvent {
  /** The headline used for templating: the message field, or the first line of a stack trace. */
  message: string;
  /** The level as the application wrote it, lower-cased (error, warn, info...). */
  level?: string;
  kind?: LogEventKind;
  /** Source frames of the application (not the runtime's), top first, e.g. 'internal/cart/handler.go:42'. */
  frames: string[];
  /** For a multi-line error: the innermost error and its application frame, one line (see logs/cause.ts). */
  cause?: string;
  /** The whole event text as printed. */
  raw: string;
  /** Present for access-log lines (see logs/access.ts for the formats). */
  http?: HttpRecord;
}

export interface ParseLogOptions {
  /** Upper bound on the number of events returned (later ones are dropped). Default: unbounded. */
  maxEvents?: number;
  /** A runaway stack trace is cut to this many characters of raw text. Default 64 KiB. */
  maxEventChars?: number;
}
