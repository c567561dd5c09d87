/**
 * The service's typed errors (AgentError: the shared task store unreachable, a timeout) as answers of the A2A
 * bindings, from the one mapping in @aiops/contracts (toHttpError): the HTTP status and Retry-After, the public
 * message (no internal addresses), and the error code, in each binding's error shape. The SDK alone would answer
 * them as internal errors carrying the raw message.
 */
import { AgentError, toHttpError } from '@aiops/contracts';

export interface TypedFailure {
  status: number;
  headers: Record<string, string>;
  message: string;
  data: { code: string; retryable: boolean; dependency?: string };
}

export function typedFailure(err: unknown): TypedFailure | undefined {
  if (!(err instanceof AgentError)) return undefined;
  const answer = toHttpError(err);
  const { code, message, dependency } = answer.body.error;
  return {
    status: answer.status,
    headers: answer.headers,
    message,
    data: { code, retryable: answer.status === 503, ...(dependency !== undefined ? { dependency } : {}) },
  };
}

/** google.rpc status names of the A2A REST error shape. */
const REST_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'FAILED_PRECONDITION',
  499: 'CANCELLED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** The A2A REST error body of a typed failure. */
export function restFailureBody(failure: TypedFailure): unknown {
  return {
    error: {
      code: failure.status,
      status: REST_STATUS[failure.status] ?? 'UNKNOWN',
      message: failure.message,
      details: [failure.data],
    },
  };
}
