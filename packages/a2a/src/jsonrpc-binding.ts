/**
 * The JSON-RPC binding (`POST /a2a/jsonrpc`): envelope checks, then the SDK's transport handler; streaming
 * methods answer SSE.
 */
import {
  JsonRpcTransportHandler,
  validateVersion,
  type A2ARequestHandler,
  type ServerCallContext,
} from '@a2a-js/sdk/server';
import type { AgentCard } from '@a2a-js/sdk';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { AgentError, parseJsonBody } from '@aiops/contracts';
import { guardRoutes, userOf, type AuthCheck } from './auth-hook.js';
import { JSONRPC_PATH } from './card.js';
import { openStream, pipeSse } from './sse.js';
import { typedFailure } from './typed-failure.js';
import { acceptRawBodies, callContext, unsupportedContentType } from './wire.js';

/** Implementation-defined JSON-RPC server error (the -32000..-32099 range) for a refused bearer token. */
export const UNAUTHENTICATED_CODE = -32000;

export interface JsonRpcBindingOptions {
  handler: A2ARequestHandler;
  /** The typed failure that ended a call, which the SDK's transport answers as an internal error. */
  typedFailureOf?: (context: ServerCallContext) => AgentError | undefined;
  /** The card whose interfaces decide which A2A-Version is accepted. */
  card: AgentCard;
  auth?: AuthCheck;
  bodyLimit: number;
  heartbeatMs: number;
  log: FastifyBaseLogger;
}

type JsonRpcId = string | number | null;

function rpcError(id: JsonRpcId, code: number, message: string, data?: unknown) {
  return { jsonrpc: '2.0' as const, id, error: data === undefined ? { code, message } : { code, message, data } };
}

/** An error as a JSON-RPC error answer: the service's typed errors by their one mapping, the SDK's by its own. */
function rpcFailure(id: JsonRpcId, err: unknown) {
  const typed = typedFailure(err);
  if (typed) return rpcError(id, -32603, typed.message, typed.data);
  return { jsonrpc: '2.0' as const, id, error: JsonRpcTransportHandler.mapToJSONRPCError(err) };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** A refused request: the HTTP status (4xx for what the caller must fix) and the JSON-RPC error. */
type Envelope =
  | { ok: true; id: JsonRpcId; rpc: Record<string, unknown> }
  | { ok: false; status: number; answer: ReturnType<typeof rpcError> };

/** The request's id when it has a valid one, else null (JSON-RPC 2.0, section 5). */
function idOf(rpc: unknown): JsonRpcId {
  const id = (rpc as { id?: unknown } | null)?.id;
  return typeof id === 'string' || Number.isInteger(id) ? (id as JsonRpcId) : null;
}

/** Content type, JSON and JSON-RPC 2.0 envelope checks; the method and params are the SDK's to check. */
function readEnvelope(contentTypeError: unknown, body: unknown): Envelope {
  if (contentTypeError) return { ok: false, status: 415, answer: rpcFailure(null, contentTypeError) };
  let rpc: unknown;
  try {
    rpc = parseJsonBody(typeof body === 'string' ? body : '');
  } catch (err) {
    return {
      ok: false,
      status: 400,
      answer: rpcError(
        null,
        -32700,
        `Parse error: ${err instanceof AgentError ? err.message : 'the body is not valid JSON'}`,
      ),
    };
  }
  if (rpc === null || typeof rpc !== 'object' || Array.isArray(rpc)) {
    return {
      ok: false,
      status: 200,
      answer: rpcError(
        null,
        -32600,
        'Invalid Request: expected one JSON-RPC 2.0 request object (batches are not supported)',
      ),
    };
  }
  const envelope = rpc as { jsonrpc?: unknown; id?: unknown; method?: unknown };
  const idValid =
    envelope.id === undefined ||
    envelope.id === null ||
    typeof envelope.id === 'string' ||
    Number.isInteger(envelope.id);
  const id = idOf(rpc);
  if (envelope.jsonrpc !== '2.0' || typeof envelope.method !== 'string' || envelope.method === '' || !idValid) {
    return {
      ok: false,
      status: 200,
      answer: rpcError(
        id,
        -32600,
        'Invalid Request: "jsonrpc" must be "2.0", "method" a non-empty string, "id" a string, integer or null',
      ),
    };
  }
  return { ok: true, id, rpc: rpc as Record<string, unknown> };
}

/** The id of a request body, for answers given before the envelope is read (a refused token); null when unreadable. */
function idOfBody(body: unknown): JsonRpcId {
  try {
    return idOf(parseJsonBody(typeof body === 'string' ? body : ''));
  } catch {
    return null;
  }
}

export async function registerJsonRpcBinding(app: FastifyInstance, options: JsonRpcBindingOptions): Promise<void> {
  const transport = new JsonRpcTransportHandler(options.handler);
  await app.register(async (scope) => {
    acceptRawBodies(scope, options.bodyLimit);
    if (options.auth) {
      // After the body is read, so a refusal answers with the request's id as JSON-RPC requires.
      guardRoutes(scope, 'preHandler', options.auth, (request, refusal) =>
        refusal.status === 401
          ? rpcError(idOfBody(request.body), UNAUTHENTICATED_CODE, refusal.message)
          : rpcError(idOfBody(request.body), -32603, refusal.message, {
              code: refusal.code,
              retryable: refusal.status === 503,
            }),
      );
    }

    scope.post(JSONRPC_PATH, async (request, reply) => {
      const envelope = readEnvelope(unsupportedContentType(request), request.body);
      if (!envelope.ok) return reply.code(envelope.status).send(envelope.answer);
      const { id, rpc } = envelope;
      const context = callContext(request, userOf(request));
      try {
        validateVersion(context.requestedVersion, options.card, 'JSONRPC');
      } catch (err) {
        return rpcFailure(id, err);
      }
      const result = await transport.handle(rpc, context);
      if (!isAsyncIterable(result)) {
        const typed = typedFailure(options.typedFailureOf?.(context));
        if (typed)
          return reply
            .code(typed.status)
            .headers(typed.headers)
            .send(rpcError(id, -32603, typed.message, typed.data));
        return result;
      }
      const stream = await openStream(result);
      // Errors before the first event (unknown task, terminal task...) are plain JSON-RPC answers.
      if (!stream.ok) {
        const typed = typedFailure(stream.error);
        if (typed) reply.code(typed.status).headers(typed.headers);
        return rpcFailure(id, stream.error);
      }
      await pipeSse(reply, stream, {
        heartbeatMs: options.heartbeatMs,
        log: options.log,
        toEvent: (value) => value,
        toError: (err) => rpcFailure(id, err),
      });
      return undefined;
    });
  });
}
