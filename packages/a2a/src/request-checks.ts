/**
 * Parameter rules the SDK's request handler leaves open, checked once for both bindings: `historyLength` is a
 * non-negative integer (the SDK treats -1 as 0), and `statusTimestampAfter` is an RFC 3339 timestamp (the SDK
 * takes anything `Date.parse` reads, so "-1" meant the year 2001).
 */
import type {
  GetTaskRequest,
  ListTasksRequest,
  ListTasksResponse,
  Message,
  SendMessageRequest,
  StreamResponse,
  Task,
} from '@a2a-js/sdk';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import { DefaultRequestHandler, type ServerCallContext } from '@a2a-js/sdk/server';
import { z } from 'zod';

const rfc3339 = z.iso.datetime({ offset: true });

export function checkHistoryLength(value: number | undefined, field: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 0))
    throw new RequestMalformedError(`${field} must be a non-negative integer`);
}

export function checkTimestamp(value: string | undefined, field: string): void {
  if (value !== undefined && value !== '' && !rfc3339.safeParse(value).success) {
    throw new RequestMalformedError(`${field} must be an RFC 3339 timestamp such as 2025-01-31T12:00:00Z`);
  }
}

export class CheckedRequestHandler extends DefaultRequestHandler {
  override async getTask(params: GetTaskRequest, context: ServerCallContext): Promise<Task> {
    checkHistoryLength(params.historyLength, 'historyLength');
    return super.getTask(params, context);
  }

  override async listTasks(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    checkHistoryLength(params.historyLength, 'historyLength');
    checkTimestamp(params.statusTimestampAfter, 'statusTimestampAfter');
    return super.listTasks(params, context);
  }

  override async sendMessage(params: SendMessageRequest, context: ServerCallContext): Promise<Message | Task> {
    checkHistoryLength(params.configuration?.historyLength, 'configuration.historyLength');
    return super.sendMessage(params, context);
  }

  override async *sendMessageStream(
    params: SendMessageRequest,
    context: ServerCallContext,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    checkHistoryLength(params.configuration?.historyLength, 'configuration.historyLength');
    yield* super.sendMessageStream(params, context);
  }
}
