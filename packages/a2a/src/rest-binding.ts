/**
 * The HTTP+JSON binding (`/a2a/v1/...`): every route runs the same prelude (content type, version, body) and
 * answers errors in the A2A REST shape; streaming routes answer SSE.
 */
import {
  A2A_CONTENT_TYPE,
  AgentCard,
  ListTasksResponse,
  Message,
  StreamResponse,
  Task,
  type AgentCard as AgentCardType,
} from '@a2a-js/sdk';
import {
  PushNotificationNotSupportedError,
  TaskNotFoundError,
  restStatusFor,
  toRestErrorBody,
} from '@a2a-js/sdk/errors';
import { validateVersion, type A2ARequestHandler, type ServerCallContext } from '@a2a-js/sdk/server';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { guardRoutes, userOf, type AuthCheck } from './auth-hook.js';
import { REST_PREFIX } from './card.js';
import {
  listTasksParams,
  parseInteger,
  parseRestBody,
  parseTaskRef,
  sendMessageParams,
  type Query,
} from './rest-params.js';
import { openStream, pipeSse } from './sse.js';
import { restFailureBody, typedFailure } from './typed-failure.js';
import { acceptRawBodies, callContext, unsupportedContentType } from './wire.js';

export interface RestBindingOptions {
  handler: A2ARequestHandler;
  /** The card whose interfaces decide which A2A-Version is accepted. */
  card: AgentCardType;
  auth?: AuthCheck;
  bodyLimit: number;
  heartbeatMs: number;
  log: FastifyBaseLogger;
}

interface RestCall {
  request: FastifyRequest;
  reply: FastifyReply;
  context: ServerCallContext;
  body: Record<string, unknown>;
  query: Query;
}

const rest = (path: string) => `${REST_PREFIX}${path}`;

function sendRestError(reply: FastifyReply, err: unknown, status = restStatusFor(err)) {
  const typed = typedFailure(err);
  if (typed) return reply.code(typed.status).headers(typed.headers).type(A2A_CONTENT_TYPE).send(restFailureBody(typed));
  return reply.code(status).type(A2A_CONTENT_TYPE).send(toRestErrorBody(err, status));
}

/** A stream's error event: the service's typed errors by their one mapping, the SDK's by its own. */
function restErrorEvent(err: unknown): unknown {
  const typed = typedFailure(err);
  return typed ? restFailureBody(typed) : toRestErrorBody(err, restStatusFor(err));
}

export async function registerRestBinding(app: FastifyInstance, options: RestBindingOptions): Promise<void> {
  const { handler } = options;

  /** A route whose errors, thrown anywhere in `run`, become A2A REST error answers. */
  const route = (method: HTTPMethods | HTTPMethods[], path: string, run: (call: RestCall) => Promise<unknown>) => ({
    method,
    url: rest(path),
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const withBody = request.method === 'POST';
      if (withBody) {
        const contentTypeError = unsupportedContentType(request);
        if (contentTypeError) return sendRestError(reply, contentTypeError, 415);
      }
      try {
        const context = callContext(request, userOf(request));
        validateVersion(context.requestedVersion, options.card, 'HTTP+JSON');
        const body = withBody ? parseRestBody(request.body) : {};
        return await run({ request, reply, context, body, query: request.query as Query });
      } catch (err) {
        return sendRestError(reply, err);
      }
    },
  });

  const json = (reply: FastifyReply, payload: unknown) => reply.type(A2A_CONTENT_TYPE).send(payload);

  async function stream(reply: FastifyReply, events: AsyncGenerator<StreamResponse>): Promise<unknown> {
    const opened = await openStream(events);
    if (!opened.ok) return sendRestError(reply, opened.error);
    await pipeSse(reply, opened, {
      heartbeatMs: options.heartbeatMs,
      log: options.log,
      toEvent: (value) => StreamResponse.toJSON(value),
      toError: restErrorEvent,
    });
    return undefined;
  }

  await app.register(async (scope) => {
    acceptRawBodies(scope, options.bodyLimit);
    if (options.auth) {
      guardRoutes(scope, 'onRequest', options.auth, (_request, refusal) => ({
        error: {
          code: refusal.status,
          status: refusal.status === 401 ? 'UNAUTHENTICATED' : 'UNAVAILABLE',
          message: refusal.message,
          details: [],
        },
      }));
    }

    scope.route(
      route('POST', '/message::send', async ({ reply, context, body }) => {
        const result = await handler.sendMessage(sendMessageParams(body), context);
        return json(reply, 'messageId' in result ? { message: Message.toJSON(result) } : { task: Task.toJSON(result) });
      }),
    );

    scope.route(
      route('POST', '/message::stream', async ({ reply, context, body }) =>
        stream(reply, handler.sendMessageStream(sendMessageParams(body), context)),
      ),
    );

    scope.route(
      route('GET', '/tasks', async ({ reply, context, query }) => {
        const result = await handler.listTasks(listTasksParams(query), context);
        return json(reply, {
          tasks: [],
          nextPageToken: '',
          pageSize: 0,
          totalSize: 0,
          ...(ListTasksResponse.toJSON(result) as Record<string, unknown>),
        });
      }),
    );

    /** `/tasks/{id}`, `/tasks/{id}:cancel`, `/tasks/{id}:subscribe`: one route, the verb after the colon. */
    scope.route(
      route(['GET', 'POST'], '/tasks/:ref', async ({ request, reply, context, query }) => {
        const { taskId, verb } = parseTaskRef((request.params as { ref: string }).ref);
        if (verb === 'subscribe') return stream(reply, handler.resubscribe({ id: taskId, tenant: '' }, context));
        if (verb === 'cancel' && request.method === 'POST')
          return json(reply, Task.toJSON(await handler.cancelTask({ id: taskId, tenant: '', metadata: {} }, context)));
        if (verb === '' && request.method === 'GET') {
          const historyLength = parseInteger(query.historyLength, 'historyLength');
          return json(
            reply,
            Task.toJSON(
              await handler.getTask(
                { id: taskId, tenant: '', ...(historyLength !== undefined ? { historyLength } : {}) },
                context,
              ),
            ),
          );
        }
        return sendRestError(
          reply,
          new TaskNotFoundError(`No such operation: ${request.method} /tasks/{id}${verb ? `:${verb}` : ''}`),
          404,
        );
      }),
    );

    // Push notifications are not offered (the card says so): every config route answers PushNotificationNotSupported.
    for (const path of ['/tasks/:ref/pushNotificationConfigs', '/tasks/:ref/pushNotificationConfigs/:configId']) {
      scope.route(
        route(['GET', 'POST', 'DELETE'], path, async () => {
          throw new PushNotificationNotSupportedError();
        }),
      );
    }

    scope.route(
      route('GET', '/extendedAgentCard', async ({ context }) =>
        AgentCard.toJSON(await handler.getAuthenticatedExtendedAgentCard({ tenant: '' }, context)),
      ),
    );
  });
}
