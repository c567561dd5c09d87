/**
 * A2A v1.0 on fastify: the agent card, JSON-RPC (`POST /a2a/jsonrpc`) and HTTP+JSON (`/a2a/v1/...`) bindings over
 * the SDK's DefaultRequestHandler, SSE streaming with heartbeats, a bounded per-caller task store, and optional
 * bearer auth on the A2A routes (never on the agent card, never on the metric-ai route `/a2a/analyze`).
 *
 * The plugin is encapsulated on purpose (no fastify-plugin): its raw-string body parsers and auth hook apply to
 * its own routes only.
 */
import {
  A2A_CONTENT_TYPE,
  A2A_VERSION_HEADER,
  AgentCard,
  Extensions,
  HTTP_EXTENSION_HEADER,
  ListTasksResponse,
  Message,
  SendMessageRequest,
  SSE_HEADERS,
  StreamResponse,
  Task,
  TaskState,
  formatSSEErrorEvent,
  formatSSEEvent,
  taskStateFromJSON,
  type ListTasksRequest,
} from '@a2a-js/sdk';
import {
  ContentTypeNotSupportedError,
  PushNotificationNotSupportedError,
  RequestMalformedError,
  TaskNotFoundError,
  restStatusFor,
  toRestErrorBody,
} from '@a2a-js/sdk/errors';
import {
  DefaultExecutionEventBusManager,
  DefaultRequestHandler,
  JsonRpcTransportHandler,
  UnauthenticatedUser,
  defaultServerCallContextBuilder,
  validateVersion,
  type ServerCallContext,
  type User,
} from '@a2a-js/sdk/server';
import type { FastifyBaseLogger, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { toHttpError, type AnalyzeFn } from '@aiops/contracts';
import { BearerAuthenticator, type AuthOptions } from './auth.js';
import { AGENT_CARD_PATH, JSONRPC_PATH, REST_PREFIX, buildAgentCard, type CardOptions } from './card.js';
import { AnalysisExecutor } from './executor.js';
import { BoundedTaskStore, ownerOf, type BoundedTaskStoreOptions } from './task-store.js';

export interface A2aPluginOptions {
  analyze: AnalyzeFn;
  card: CardOptions;
  /** Off when absent. */
  auth?: AuthOptions;
  tasks?: BoundedTaskStoreOptions;
  /** Interval of `: ping` comments on SSE streams; default 15 s. */
  heartbeatMs?: number;
  /** Largest accepted request body; default 1 MiB. */
  bodyLimit?: number;
  logger?: FastifyBaseLogger;
}

const JSON_CONTENT_TYPE = 'application/json';
/** Implementation-defined JSON-RPC server error (the -32000..-32099 range) for a refused bearer token. */
export const UNAUTHENTICATED_CODE = -32000;

type JsonRpcId = string | number | null;
interface JsonRpcErrorBody {
  jsonrpc: '2.0';
  id: JsonRpcId;
  error: { code: number; message: string; data?: unknown };
}

function mediaTypeOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return header.split(';', 1)[0]?.trim().toLowerCase();
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function rpcError(id: JsonRpcId, code: number, message: string, data?: unknown): JsonRpcErrorBody {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

/** A signal that aborts when the client goes away before the answer is sent. */
function requestSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

export const a2aPlugin: FastifyPluginAsync<A2aPluginOptions> = async (app, options) => {
  const log = options.logger ?? app.log;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  const authenticator = options.auth ? new BearerAuthenticator(options.auth) : undefined;
  const authEnabled = authenticator !== undefined;

  // The handler reads only capabilities and interface versions from this card; URLs are per request below.
  const baseCard = buildAgentCard(options.card, options.card.publicUrl ?? 'http://localhost', authEnabled);
  const cardFor = (request: FastifyRequest) =>
    options.card.publicUrl ? baseCard : buildAgentCard(options.card, `${request.protocol}://${request.host}`, authEnabled);

  const taskStore = new BoundedTaskStore(options.tasks);
  const executor = new AnalysisExecutor(options.analyze, log);
  const handler = new DefaultRequestHandler(
    baseCard,
    taskStore,
    executor,
    new DefaultExecutionEventBusManager(ownerOf),
    undefined,
    undefined,
    undefined,
    undefined,
    // INPUT_REQUIRED tasks continue with a new message on a new bus, so no bus outlives its executor.
    { keepBusAliveStates: [] },
  );
  const jsonRpc = new JsonRpcTransportHandler(handler);
  const users = new WeakMap<FastifyRequest, User>();

  function callContext(request: FastifyRequest): ServerCallContext {
    const requestedVersion = headerValue(request, A2A_VERSION_HEADER) || undefined;
    return defaultServerCallContextBuilder({
      user: users.get(request) ?? new UnauthenticatedUser(),
      headers: request.headers,
      extensions: Extensions.parseServiceParameter(headerValue(request, HTTP_EXTENSION_HEADER)),
      ...(requestedVersion !== undefined ? { requestedVersion } : {}),
    });
  }

  /**
   * Writes an event stream as SSE. It keeps reading the SDK's generator after the client disconnects: the SDK
   * persists task state inside it, and a task would otherwise stay WORKING forever.
   */
  async function pipeSse(
    reply: FastifyReply,
    iterator: AsyncIterator<unknown>,
    first: IteratorResult<unknown>,
    toEvent: (value: unknown) => unknown,
    toError: (err: unknown) => unknown,
  ): Promise<void> {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { ...SSE_HEADERS });
    let connected = true;
    const write = (chunk: string) => {
      if (connected && !res.writableEnded) res.write(chunk);
    };
    const heartbeat = setInterval(() => write(': ping\n\n'), heartbeatMs);
    heartbeat.unref();
    res.once('close', () => {
      connected = false;
      clearInterval(heartbeat);
    });
    try {
      if (!first.done) write(formatSSEEvent(toEvent(first.value)));
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        write(formatSSEEvent(toEvent(next.value)));
      }
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'a2a stream ended with an error');
      write(formatSSEErrorEvent(toError(err)));
    } finally {
      clearInterval(heartbeat);
      if (!res.writableEnded) res.end();
    }
  }

  // Bodies are parsed by the routes themselves (fastify would answer 415 to application/a2a+json), and only here.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_request, body, done) => done(null, body));

  app.get(AGENT_CARD_PATH, async (request, reply) => {
    reply.header('cache-control', options.card.publicUrl ? 'public, max-age=300' : 'no-cache');
    if (!options.card.publicUrl) reply.header('vary', 'host');
    return AgentCard.toJSON(cardFor(request));
  });

  await app.register(async (scope) => {
    if (authenticator) {
      scope.addHook('onRequest', async (request, reply) => {
        const isJsonRpc = request.url.split('?', 1)[0]?.replace(/\/+$/, '') === JSONRPC_PATH;
        let decision;
        try {
          decision = await authenticator.authenticate(headerValue(request, 'authorization'), requestSignal(reply));
        } catch (err) {
          // The token reviewer failed: a dependency problem (503, retry), never a verdict on the caller.
          const answer = toHttpError(err);
          log.warn({ code: answer.body.error.code }, 'a2a authentication could not be checked');
          reply.code(answer.status).headers(answer.headers);
          return reply.send(
            isJsonRpc
              ? rpcError(null, -32603, answer.body.error.message, { code: answer.body.error.code, retryable: answer.status === 503 })
              : { error: { code: answer.status, status: 'UNAVAILABLE', message: answer.body.error.message, details: [] } },
          );
        }
        if (decision.ok) {
          users.set(request, decision.user);
          return;
        }
        log.info({ path: request.url.split('?', 1)[0] }, 'a2a request refused: not authenticated');
        const challenge = headerValue(request, 'authorization') ? 'Bearer realm="a2a", error="invalid_token"' : 'Bearer realm="a2a"';
        reply.code(401).header('www-authenticate', challenge);
        return reply.send(
          isJsonRpc
            ? rpcError(null, UNAUTHENTICATED_CODE, `Unauthenticated: ${decision.reason}`)
            : { error: { code: 401, status: 'UNAUTHENTICATED', message: `Unauthenticated: ${decision.reason}`, details: [] } },
        );
      });
    }

    // ---- JSON-RPC binding -------------------------------------------------------------------------------------
    scope.post(JSONRPC_PATH, async (request, reply) => {
      const mediaType = mediaTypeOf(headerValue(request, 'content-type'));
      if (mediaType !== undefined && mediaType !== JSON_CONTENT_TYPE && mediaType !== A2A_CONTENT_TYPE) {
        const err = new ContentTypeNotSupportedError(`Unsupported Content-Type "${mediaType}"; expected application/json.`);
        return { jsonrpc: '2.0', id: null, error: JsonRpcTransportHandler.mapToJSONRPCError(err) };
      }
      let rpc: unknown;
      try {
        rpc = JSON.parse(typeof request.body === 'string' ? request.body : '');
      } catch {
        return rpcError(null, -32700, 'Parse error: the body is not valid JSON');
      }
      if (rpc === null || typeof rpc !== 'object' || Array.isArray(rpc)) {
        return rpcError(null, -32600, 'Invalid Request: expected one JSON-RPC 2.0 request object (batches are not supported)');
      }
      const envelope = rpc as { jsonrpc?: unknown; id?: unknown; method?: unknown };
      const idValid = envelope.id === undefined || envelope.id === null || typeof envelope.id === 'string' || Number.isInteger(envelope.id);
      const id: JsonRpcId = idValid && envelope.id !== undefined ? (envelope.id as JsonRpcId) : null;
      if (envelope.jsonrpc !== '2.0' || typeof envelope.method !== 'string' || envelope.method === '' || !idValid) {
        return rpcError(id, -32600, 'Invalid Request: "jsonrpc" must be "2.0", "method" a non-empty string, "id" a string, integer or null');
      }
      const context = callContext(request);
      try {
        validateVersion(context.requestedVersion, baseCard, 'JSONRPC');
      } catch (err) {
        return { jsonrpc: '2.0', id, error: JsonRpcTransportHandler.mapToJSONRPCError(err) };
      }
      const result = await jsonRpc.handle(rpc as Record<string, unknown>, context);
      if (!isAsyncIterable(result)) return result;
      const iterator = result[Symbol.asyncIterator]();
      let first: IteratorResult<unknown>;
      try {
        first = await iterator.next();
      } catch (err) {
        // Errors before the first event (unknown task, terminal task...) are plain JSON-RPC answers.
        return { jsonrpc: '2.0', id, error: JsonRpcTransportHandler.mapToJSONRPCError(err) };
      }
      await pipeSse(
        reply,
        iterator,
        first,
        (value) => value,
        (err) => ({ jsonrpc: '2.0', id, error: JsonRpcTransportHandler.mapToJSONRPCError(err) }),
      );
      return undefined;
    });

    // ---- HTTP+JSON (REST) binding ---------------------------------------------------------------------------
    const sendRestError = (reply: FastifyReply, err: unknown, status = restStatusFor(err)) =>
      reply.code(status).type(A2A_CONTENT_TYPE).send(toRestErrorBody(err, status));

    /** Content type, version and (for bodies) JSON checks shared by every REST route; undefined when answered. */
    function restPrelude(request: FastifyRequest, reply: FastifyReply, withBody: boolean): { context: ServerCallContext; body: unknown } | undefined {
      if (withBody) {
        const mediaType = mediaTypeOf(headerValue(request, 'content-type'));
        if (mediaType !== undefined && mediaType !== JSON_CONTENT_TYPE && mediaType !== A2A_CONTENT_TYPE) {
          void sendRestError(reply, new ContentTypeNotSupportedError(`Unsupported Content-Type "${mediaType}"; expected application/json or application/a2a+json.`), 415);
          return undefined;
        }
      }
      const context = callContext(request);
      try {
        validateVersion(context.requestedVersion, baseCard, 'HTTP+JSON');
      } catch (err) {
        void sendRestError(reply, err);
        return undefined;
      }
      let body: unknown = {};
      if (withBody && typeof request.body === 'string' && request.body.trim() !== '') {
        try {
          body = JSON.parse(request.body);
        } catch {
          void sendRestError(reply, new RequestMalformedError('Invalid JSON payload.'));
          return undefined;
        }
        if (body === null || typeof body !== 'object' || Array.isArray(body)) {
          void sendRestError(reply, new RequestMalformedError('The body must be a JSON object.'));
          return undefined;
        }
      }
      return { context, body };
    }

    async function restStream(reply: FastifyReply, stream: AsyncGenerator<StreamResponse>): Promise<unknown> {
      const iterator = stream[Symbol.asyncIterator]();
      let first: IteratorResult<StreamResponse>;
      try {
        first = await iterator.next();
      } catch (err) {
        return sendRestError(reply, err);
      }
      await pipeSse(
        reply,
        iterator,
        first,
        (value) => StreamResponse.toJSON(value as StreamResponse),
        (err) => toRestErrorBody(err, restStatusFor(err)),
      );
      return undefined;
    }

    function parseNonNegativeInt(value: unknown, field: string): number | undefined {
      if (value === undefined || value === '') return undefined;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < 0) throw new RequestMalformedError(`${field} must be a non-negative integer`);
      return parsed;
    }

    const rest = (path: string) => `${REST_PREFIX}${path}`;

    scope.post(rest('/message::send'), async (request, reply) => {
      const prelude = restPrelude(request, reply, true);
      if (!prelude) return reply;
      try {
        const params = SendMessageRequest.fromJSON(prelude.body);
        if (!params.message?.messageId) throw new RequestMalformedError('message.messageId is required');
        const result = await handler.sendMessage(params, prelude.context);
        reply.type(A2A_CONTENT_TYPE);
        return 'messageId' in result ? { message: Message.toJSON(result) } : { task: Task.toJSON(result) };
      } catch (err) {
        return sendRestError(reply, err);
      }
    });

    scope.post(rest('/message::stream'), async (request, reply) => {
      const prelude = restPrelude(request, reply, true);
      if (!prelude) return reply;
      try {
        const params = SendMessageRequest.fromJSON(prelude.body);
        if (!params.message?.messageId) throw new RequestMalformedError('message.messageId is required');
        return await restStream(reply, handler.sendMessageStream(params, prelude.context));
      } catch (err) {
        return sendRestError(reply, err);
      }
    });

    scope.get(rest('/tasks'), async (request, reply) => {
      const prelude = restPrelude(request, reply, false);
      if (!prelude) return reply;
      const query = request.query as Record<string, string | undefined>;
      try {
        const pageSize = parseNonNegativeInt(query.pageSize, 'pageSize');
        const historyLength = parseNonNegativeInt(query.historyLength, 'historyLength');
        const params: ListTasksRequest = {
          tenant: '',
          contextId: query.contextId ?? '',
          status: query.status ? taskStateFromJSON(Number.isNaN(Number(query.status)) ? query.status : Number(query.status)) : TaskState.TASK_STATE_UNSPECIFIED,
          pageSize,
          pageToken: query.pageToken ?? '',
          historyLength,
          statusTimestampAfter: query.statusTimestampAfter || undefined,
          includeArtifacts: query.includeArtifacts === 'true',
        };
        const result = await handler.listTasks(params, prelude.context);
        const json = ListTasksResponse.toJSON(result) as Record<string, unknown>;
        reply.type(A2A_CONTENT_TYPE);
        return { tasks: [], nextPageToken: '', pageSize: 0, totalSize: 0, ...json };
      } catch (err) {
        return sendRestError(reply, err);
      }
    });

    /** `/tasks/{id}`, `/tasks/{id}:cancel`, `/tasks/{id}:subscribe`: one route, the verb after the colon. */
    const taskRoute = async (request: FastifyRequest, reply: FastifyReply) => {
      const ref = (request.params as { ref: string }).ref;
      const colon = ref.indexOf(':');
      const taskId = colon === -1 ? ref : ref.slice(0, colon);
      const verb = colon === -1 ? '' : ref.slice(colon + 1);
      const prelude = restPrelude(request, reply, request.method === 'POST');
      if (!prelude) return reply;
      try {
        if (verb === 'subscribe') return await restStream(reply, handler.resubscribe({ id: taskId, tenant: '' }, prelude.context));
        if (verb === 'cancel' && request.method === 'POST') {
          const task = await handler.cancelTask({ id: taskId, tenant: '', metadata: {} }, prelude.context);
          reply.type(A2A_CONTENT_TYPE);
          return Task.toJSON(task);
        }
        if (verb === '' && request.method === 'GET') {
          const historyLength = parseNonNegativeInt((request.query as Record<string, string | undefined>).historyLength, 'historyLength');
          const task = await handler.getTask({ id: taskId, tenant: '', ...(historyLength !== undefined ? { historyLength } : {}) }, prelude.context);
          reply.type(A2A_CONTENT_TYPE);
          return Task.toJSON(task);
        }
        return sendRestError(reply, new TaskNotFoundError(`No such operation: ${request.method} /tasks/{id}${verb ? `:${verb}` : ''}`), 404);
      } catch (err) {
        return sendRestError(reply, err);
      }
    };
    scope.get(rest('/tasks/:ref'), taskRoute);
    scope.post(rest('/tasks/:ref'), taskRoute);

    // Push notifications are not offered (the card says so): every config route answers PushNotificationNotSupported.
    const noPush = async (request: FastifyRequest, reply: FastifyReply) => {
      const prelude = restPrelude(request, reply, request.method === 'POST');
      if (!prelude) return reply;
      return sendRestError(reply, new PushNotificationNotSupportedError());
    };
    for (const path of ['/tasks/:ref/pushNotificationConfigs', '/tasks/:ref/pushNotificationConfigs/:configId']) {
      scope.route({ method: ['GET', 'POST', 'DELETE'], url: rest(path), handler: noPush });
    }

    scope.get(rest('/extendedAgentCard'), async (request, reply) => {
      const prelude = restPrelude(request, reply, false);
      if (!prelude) return reply;
      try {
        return AgentCard.toJSON(await handler.getAuthenticatedExtendedAgentCard({ tenant: '' }, prelude.context));
      } catch (err) {
        return sendRestError(reply, err);
      }
    });
  });
};
