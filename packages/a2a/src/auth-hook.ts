/**
 * Authentication as the bindings receive it: a check that yields the caller or a refusal, and a hook that runs it
 * before a binding's routes. Each binding writes the refusal in its own error shape.
 */
import { UnauthenticatedUser, type User } from '@a2a-js/sdk/server';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toHttpError } from '@aiops/contracts';
import type { BearerAuthenticator } from './auth.js';
import { headerValue, requestSignal } from './wire.js';

export interface Refusal {
  /** 401 for a caller without a valid token; 503 when the token could not be checked (never a verdict on the caller). */
  status: number;
  headers: Record<string, string>;
  message: string;
  /** The service's error code when the check itself failed. */
  code?: string;
}

export type AuthCheck = (
  request: FastifyRequest,
  reply: FastifyReply,
) => Promise<{ ok: true; user: User } | { ok: false; refusal: Refusal }>;

export function bearerCheck(authenticator: BearerAuthenticator, log: FastifyBaseLogger): AuthCheck {
  return async (request, reply) => {
    const authorization = headerValue(request, 'authorization');
    let decision;
    try {
      decision = await authenticator.authenticate(authorization, requestSignal(reply));
    } catch (err) {
      const answer = toHttpError(err);
      log.warn({ code: answer.body.error.code }, 'a2a authentication could not be checked');
      return {
        ok: false,
        refusal: {
          status: answer.status,
          headers: answer.headers,
          message: answer.body.error.message,
          code: answer.body.error.code,
        },
      };
    }
    if (decision.ok) return decision;
    log.info({ path: request.url.split('?', 1)[0] }, 'a2a request refused: not authenticated');
    const challenge = authorization ? 'Bearer realm="a2a", error="invalid_token"' : 'Bearer realm="a2a"';
    return {
      ok: false,
      refusal: {
        status: 401,
        headers: { 'www-authenticate': challenge },
        message: `Unauthenticated: ${decision.reason}`,
      },
    };
  };
}

const users = new WeakMap<FastifyRequest, User>();

/** The caller a guard accepted; unauthenticated when the routes are not guarded. */
export function userOf(request: FastifyRequest): User {
  return users.get(request) ?? new UnauthenticatedUser();
}

/** Runs `check` before every route of `scope` (register routes in the same scope); refusals are answered with `render`. */
export function guardRoutes(
  scope: FastifyInstance,
  hook: 'onRequest' | 'preHandler',
  check: AuthCheck,
  render: (request: FastifyRequest, refusal: Refusal) => unknown,
): void {
  scope.addHook(hook, async (request, reply) => {
    const result = await check(request, reply);
    if (result.ok) {
      users.set(request, result.user);
      return;
    }
    reply.code(result.refusal.status).headers(result.refusal.headers);
    return reply.send(render(request, result.refusal));
  });
}
