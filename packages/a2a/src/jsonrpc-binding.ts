/**
 * The JSON-RPC binding (`POST /a2a/jsonrpc`): envelope checks, then the SDK's transport handler; streaming
 * methods answer SSE.
 */
import { JsonRpcTransportHandler, validateVersion, type A2ARequestHandler } from '@a2a-js/sdk/server';
import type { AgentCard } from '@a2a-js/sdk';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { guardRoutes, userOf, type AuthCheck } from './auth-hook.js';
import { JSONRPC_PATH } from './card.js';
import { openStream, pipeSse } from './sse.js';
import { acceptRawBodies, callContext, unsupportedContentType } from './wire.js';

/** Implementation-defined JSON-RPC server error (the -32000..-32099 range) for a refused bearer token. */
export const UNAUTHENTICATED_CODE = -32000;

export interface JsonRpcBindingOptions {
  handler: A2ARequestHandler;
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

/** An SDK error (A2A error classes) as a JSON-RPC error answer. */
function rpcFailure(id: JsonRpcId, err: unknown) {
  return { jsonrpc: '2.0' as const, id, error: JsonRpcTransportHandler.mapToJSONRPCError(err) };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

type Envelope = { ok: true; id: JsonRpcId; rpc: Record<string, unknown> } | { ok: false; answer: ReturnType<typeof rpcError> };

/** Content type, JSON and JSON-RPC 2.0 envelope checks; the method and params are the SDK's to check. */
function readEnvelope(contentTypeError: unknown, body: unknown): Envelope {
  if (contentTypeError) return { ok: false, answer: rpcFailure(null, contentTypeError) };
  let rpc: unknown;
  try {
    rpc = JSON.parse(typeof body === 'string' ? body : '');
  } catch {
    return { ok: false, answer: rpcError(null, -32700, 'Parse error: the body is not valid JSON') };
  }
  if (rpc === null || typeof rpc !== 'object' || Array.isArray(rpc)) {
    return { ok: false, answer: rpcError(null, -32600, 'Invalid Request: expected one JSON-RPC 2.0 request object (batches are not supported)') };
  }
  const envelope = rpc as { jsonrpc?: unknown; id?: unknown; method?: unknown };
  const idValid = envelope.id === undefined || envelope.id === null || typeof envelope.id === 'string' || Number.isInteger(envelope.id);
  const id: JsonRpcId = idValid && envelope.id !== undefined ? (envelope.id as JsonRpcId) : null;
  if (envelope.jsonrpc !== '2.0' || typeof envelope.method !== 'string' || envelope.method === '' || !idValid) {
    return { ok: false, answer: rpcError(id, -32600, 'Invalid Request: "jsonrpc" must be "2.0", "method" a non-empty string, "id" a string, integer or null') };
  }
  return { ok: true, id, rpc: rpc as Record<string, unknown> };
}

export async function registerJsonRpcBinding(app: FastifyInstance, options: JsonRpcBindingOptions): Promise<void> {
  const transport = new JsonRpcTransportHandler(options.handler);
  await app.register(async (scope) => {
    acceptRawBodies(scope, options.bodyLimit);
    if (options.auth) {
      guardRoutes(scope, 'onRequest', options.auth, (_request, refusal) =>
        refusal.status === 401
          ? rpcError(null, UNAUTHENTICATED_CODE, refusal.message)
          : rpcError(null, -32603, refusal.message, { code: refusal.code, retryable: refusal.status === 503 }),
      );
    }

    scope.post(JSONRPC_PATH, async (request, reply) => {
      const envelope = readEnvelope(unsupportedContentType(request), request.body);
      if (!envelope.ok) return envelope.answer;
      const { id, rpc } = envelope;
      const context = callContext(request, userOf(request));
      try {
        validateVersion(context.requestedVersion, options.card, 'JSONRPC');
      } catch (err) {
        return rpcFailure(id, err);
      }
      const result = await transport.handle(rpc, context);
      if (!isAsyncIterable(result)) return result;
      const stream = await openStream(result);
      // Errors before the first event (unknown task, terminal task...) are plain JSON-RPC answers.
      if (!stream.ok) return rpcFailure(id, stream.error);
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
