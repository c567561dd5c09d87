export type { LogEvent, LogEventKind, ParseLogOptions } from './types.js';
export { parseLogEvents } from './parse.js';
export { createTemplater, groupingAccuracy, tokenize, WILDCARD } from './templater.js';
export type { Template, Templater, TemplaterOptions } from './templater.js';
export { accessLogSummary } from './access.js';
export type { AccessLogSummary, AccessSideSummary } from './access.js';
export { diffLogSignatures, isCanaryElevated, logFindings } from './diff.js';
export type { LogDiffOptions } from './diff.js';
