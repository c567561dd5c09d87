/**
 * Typed errors and their one mapping to HTTP and A2A answers.
 * Rule from the metric-ai contract: a dependency failure is never a verdict, so every error here maps to a
 * non-200 answer that carries no `promote` field.
 */
import type { AbsenceKind, AbsentEvidence } from './diagnosis.js';

/** `tasks`: the shared A2A task store (Redis), for callers that read or change a task. */
export type Dependency = 'kubernetes' | 'prometheus' | 'llm' | 'github' | 'history' | 'tasks';

export type ErrorCode =
  | 'invalid_json'
  | 'invalid_request'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'evidence_absent'
  | 'overlapping_selectors'
  | 'dependency_unavailable'
  | 'deadline_exceeded'
  | 'overloaded'
  | 'redaction_failed'
  | 'evidence_failed'
  | 'cancelled'
  | 'internal';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string; dependency?: Dependency; absence?: AbsenceKind };
}

export class AgentError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly dependency?: Dependency;
  /** Seconds a caller should wait before trying again (503 answers). */
  readonly retryAfterSeconds?: number;

  constructor(
    code: ErrorCode,
    message: string,
    options: { field?: string; dependency?: Dependency; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AgentError';
    this.code = code;
    if (options.field !== undefined) this.field = options.field;
    if (options.dependency !== undefined) this.dependency = options.dependency;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Bad input: names the field at fault. */
export class InvalidRequestError extends AgentError {
  constructor(field: string, message: string, code: ErrorCode = 'invalid_request') {
    super(code, `${field}: ${message}`, { field });
    this.name = 'InvalidRequestError';
  }
}

/** A dependency (Kubernetes API, Prometheus, model, GitHub) failed in a way that prevents a verdict. */
export class DependencyError extends AgentError {
  /** Upstream HTTP status when there was one (429, 500, ...). */
  readonly upstreamStatus?: number;
  /** The wait the upstream itself asked for (its Retry-After), when it named one; `retryAfterSeconds` has a default. */
  readonly upstreamRetryAfterSeconds?: number;
  constructor(
    dependency: Dependency,
    message: string,
    options: {
      cause?: unknown;
      upstreamStatus?: number;
      retryAfterSeconds?: number;
      upstreamRetryAfterSeconds?: number;
    } = {},
  ) {
    super('dependency_unavailable', `${dependency}: ${message}`, {
      dependency,
      cause: options.cause,
      retryAfterSeconds: options.retryAfterSeconds ?? 10,
    });
    this.name = 'DependencyError';
    if (options.upstreamStatus !== undefined) this.upstreamStatus = options.upstreamStatus;
    if (options.upstreamRetryAfterSeconds !== undefined)
      this.upstreamRetryAfterSeconds = options.upstreamRetryAfterSeconds;
  }
}

/**
 * Absent evidence on an entry point that can only say promote or reject (the metric-ai plugin): no verdict, a
 * non-200 the plugin records as an Error and measures again. Overlapping selectors are the request's fault (400);
 * no canary or stable pod, or no namespace, is the cluster's state (409: 4xx, because neither this service nor a
 * dependency failed, so no 5xx alert fires and no proxy retries it; the plugin maps every non-200 to Error).
 */
export class AbsentEvidenceError extends AgentError {
  readonly absence: AbsenceKind;
  constructor(absent: AbsentEvidence) {
    const overlap = absent.absence === 'overlapping-selectors';
    super(
      overlap ? 'overlapping_selectors' : 'evidence_absent',
      absent.reason,
      absent.field !== undefined ? { field: absent.field } : {},
    );
    this.name = 'AbsentEvidenceError';
    this.absence = absent.absence;
  }
}

/** The caller may not analyse this namespace (a caller's grants, or the route's own allow-list). */
export class ForbiddenError extends AgentError {
  readonly namespace: string;
  constructor(namespace: string, caller?: string) {
    super(
      'forbidden',
      caller === undefined
        ? `namespace "${namespace}" may not be analysed through this route`
        : `caller "${caller}" may not analyse namespace "${namespace}"`,
      {
        field: 'namespace',
      },
    );
    this.name = 'ForbiddenError';
    this.namespace = namespace;
  }
}

export class DeadlineError extends AgentError {
  constructor(message = 'the analysis deadline passed before a verdict was reached') {
    super('deadline_exceeded', message, { retryAfterSeconds: 10 });
    this.name = 'DeadlineError';
  }
}

export class OverloadedError extends AgentError {
  constructor(message = 'too many analyses in flight') {
    super('overloaded', message, { retryAfterSeconds: 5 });
    this.name = 'OverloadedError';
  }
}

export class CancelledError extends AgentError {
  constructor(message = 'the analysis was cancelled') {
    super('cancelled', message);
    this.name = 'CancelledError';
  }
}

const STATUS: Record<ErrorCode, number> = {
  invalid_json: 400,
  invalid_request: 400,
  payload_too_large: 400,
  unsupported_media_type: 415,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  evidence_absent: 409,
  overlapping_selectors: 400,
  dependency_unavailable: 503,
  deadline_exceeded: 503,
  overloaded: 503,
  redaction_failed: 503,
  evidence_failed: 503,
  cancelled: 499,
  internal: 500,
};

export function asAgentError(err: unknown): AgentError {
  if (err instanceof AgentError) return err;
  if (err instanceof Error && err.name === 'AbortError') return new CancelledError();
  return new AgentError('internal', 'internal error', { cause: err });
}

export interface HttpErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

/** URLs, IP addresses (with their port), `host:port`, and the host a DNS lookup failed for. */
const ADDRESS =
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)]+|\[[0-9a-f:.%]+\](?::\d+)?|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{1,4}\b|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*:\d{2,5}\b|(?<=\b(?:ENOTFOUND|EAI_AGAIN)\s)\S+/gi;

/**
 * A server-side failure's message as the caller may see it: without the addresses of the dependencies behind
 * this service (API server, Prometheus, model endpoint), which only the service log keeps.
 */
export function withoutAddresses(message: string): string {
  return message.replace(ADDRESS, '<address>');
}

/** What an error may tell the caller: a server-side failure's message loses its internal addresses. */
function publicMessage(e: AgentError): string {
  return STATUS[e.code] >= 500 ? withoutAddresses(e.message) : e.message;
}

/** The single place where errors become HTTP answers. */
export function toHttpError(err: unknown): HttpErrorAnswer {
  const e = asAgentError(err);
  const status = STATUS[e.code];
  const headers: Record<string, string> = {};
  if (status === 503) headers['retry-after'] = String(e.retryAfterSeconds ?? 10);
  const body: ErrorBody = { error: { code: e.code, message: publicMessage(e) } };
  if (e.field !== undefined) body.error.field = e.field;
  if (e.dependency !== undefined) body.error.dependency = e.dependency;
  if (e instanceof AbsentEvidenceError) body.error.absence = e.absence;
  return { status, headers, body };
}

/** The single place where errors become A2A task failures: a retryable error is reported as such. */
export function toA2aFailure(err: unknown): { code: ErrorCode; message: string; retryable: boolean } {
  const e = asAgentError(err);
  return { code: e.code, message: publicMessage(e), retryable: STATUS[e.code] === 503 };
}
