/**
 * Who may ask about what: each A2A caller (a static token's user, or a service account's
 * `system:serviceaccount:<ns>:<name>`) may analyse the namespaces it is granted and no other. The check runs on the
 * messages that start or continue an analysis, before the SDK sees them, and refuses with HTTP 403 naming the
 * namespace (A2A: authenticated but not authorised is a 403 on both bindings).
 *
 * A task is read only by its owner, and every message that carries a namespace is checked when it arrives, so the
 * namespace an analysis finally runs in was checked for the caller who asked.
 */
import { Message } from '@a2a-js/sdk';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError, toHttpError } from '@aiops/contracts';
import { userOf } from './auth-hook.js';
import { JSONRPC_PATH, REST_PREFIX } from './card.js';
import { interpretMessages } from './executor.js';

/** Caller name → namespaces it may analyse; `*` grants every namespace. Callers not listed may analyse none. */
export type NamespaceGrants = Readonly<Record<string, readonly string[]>>;

/** JSON-RPC server error (implementation-defined range) for an authenticated caller refused a namespace. */
export const FORBIDDEN_CODE = -32010;

export function mayAnalyse(grants: NamespaceGrants, caller: string, namespace: string): boolean {
  const granted = Object.hasOwn(grants, caller) ? grants[caller] : undefined;
  return granted !== undefined && (granted.includes('*') || granted.includes(namespace));
}

const SEND_METHODS = new Set(['SendMessage', 'SendStreamingMessage']);
const REST_SEND_PATHS = new Set([`${REST_PREFIX}/message:send`, `${REST_PREFIX}/message:stream`]);

/** The message a request sends, in its wire JSON, or undefined for every other request (the SDK answers bad input). */
function sentMessage(request: FastifyRequest): { rpcId?: unknown; json: unknown } | undefined {
  if (request.method !== 'POST' || typeof request.body !== 'string') return undefined;
  const path = request.url.split('?', 1)[0] ?? '';
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    return undefined;
  }
  if (body === null || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  if (path === JSONRPC_PATH && typeof record.method === 'string' && SEND_METHODS.has(record.method)) {
    const params = record.params as Record<string, unknown> | undefined;
    return { rpcId: record.id, json: params?.message };
  }
  if (REST_SEND_PATHS.has(path)) return { json: record.message };
  return undefined;
}

/** The namespace a message asks about, read the way the executor reads it; undefined when it names none. */
function namespaceOf(json: unknown): string | undefined {
  try {
    const interpretation = interpretMessages([Message.fromJSON(json)]);
    return interpretation.kind === 'request' ? interpretation.request.namespace : undefined;
  } catch {
    return undefined; // malformed input: the binding answers it with its own error
  }
}

/** Refuses, with 403, messages whose namespace the authenticated caller may not analyse. */
export function guardNamespaces(app: FastifyInstance, grants: NamespaceGrants): void {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const sent = sentMessage(request);
    if (!sent) return;
    const namespace = namespaceOf(sent.json);
    if (namespace === undefined) return;
    const caller = userOf(request).userName;
    if (mayAnalyse(grants, caller, namespace)) return;
    const answer = toHttpError(new ForbiddenError(namespace, caller));
    request.log.info({ caller, namespace }, 'a2a request refused: namespace not granted');
    reply.code(answer.status);
    if (sent.rpcId !== undefined || request.url.startsWith(JSONRPC_PATH)) {
      const id = typeof sent.rpcId === 'string' || typeof sent.rpcId === 'number' ? sent.rpcId : null;
      return reply.send({
        jsonrpc: '2.0',
        id,
        error: {
          code: FORBIDDEN_CODE,
          message: answer.body.error.message,
          data: { code: answer.body.error.code, namespace },
        },
      });
    }
    return reply.send({
      error: { code: answer.status, status: 'PERMISSION_DENIED', message: answer.body.error.message, details: [] },
    });
  });
}
