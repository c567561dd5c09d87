/**
 * The HTTP+JSON binding's request parsing as plain functions: body, query and path in, SDK request objects out;
 * bad input throws the SDK's RequestMalformedError (400) naming the field.
 */
import { SendMessageRequest, TaskState, taskStateFromJSON, type ListTasksRequest } from '@a2a-js/sdk';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import { AgentError, parseJsonBody } from '@aiops/contracts';

export type Query = Record<string, string | undefined>;

/** A request body: empty means `{}`; anything else must be one JSON object. */
export function parseRestBody(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string' || text.trim() === '') return {};
  let body: unknown;
  try {
    body = parseJsonBody(text);
  } catch (err) {
    throw new RequestMalformedError(err instanceof AgentError ? err.message : 'Invalid JSON payload.');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new RequestMalformedError('The body must be a JSON object.');
  return body as Record<string, unknown>;
}

/** A query integer; its range is the request handler's to check (the same rule for both bindings). */
export function parseInteger(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new RequestMalformedError(`${field} must be an integer`);
  return parsed;
}

export function sendMessageParams(body: Record<string, unknown>): SendMessageRequest {
  const params = SendMessageRequest.fromJSON(body);
  if (!params.message?.messageId) throw new RequestMalformedError('message.messageId is required');
  return params;
}

export function listTasksParams(query: Query): ListTasksRequest {
  return {
    tenant: '',
    contextId: query.contextId ?? '',
    status: query.status
      ? taskStateFromJSON(Number.isNaN(Number(query.status)) ? query.status : Number(query.status))
      : TaskState.TASK_STATE_UNSPECIFIED,
    pageSize: parseInteger(query.pageSize, 'pageSize'),
    pageToken: query.pageToken ?? '',
    historyLength: parseInteger(query.historyLength, 'historyLength'),
    statusTimestampAfter: query.statusTimestampAfter || undefined,
    includeArtifacts: query.includeArtifacts === 'true',
  };
}

/** `/tasks/{id}`, `/tasks/{id}:cancel`, `/tasks/{id}:subscribe`: the id and the verb after the colon. */
export function parseTaskRef(ref: string): { taskId: string; verb: string } {
  const colon = ref.indexOf(':');
  return colon === -1 ? { taskId: ref, verb: '' } : { taskId: ref.slice(0, colon), verb: ref.slice(colon + 1) };
}
