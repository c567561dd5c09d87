/**
 * What both A2A bindings read from a fastify request the same way: headers, the one content-type rule, the call
 * context handed to the SDK, and a signal for a client that goes away.
 */
import { A2A_CONTENT_TYPE, A2A_VERSION_HEADER, Extensions, HTTP_EXTENSION_HEADER } from '@a2a-js/sdk';
import { ContentTypeNotSupportedError } from '@a2a-js/sdk/errors';
import {
  UnauthenticatedUser,
  defaultServerCallContextBuilder,
  type ServerCallContext,
  type User,
} from '@a2a-js/sdk/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const JSON_CONTENT_TYPE = 'application/json';

export function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function mediaTypeOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return header.split(';', 1)[0]?.trim().toLowerCase();
}

/**
 * The one content-type rule of the A2A bindings' POST routes: JSON or A2A JSON, stated. A text/plain or type-less
 * POST is a "simple" request that any web page can send cross-site without a CORS preflight.
 */
export function unsupportedContentType(request: FastifyRequest): ContentTypeNotSupportedError | undefined {
  const mediaType = mediaTypeOf(headerValue(request, 'content-type'));
  if (mediaType === JSON_CONTENT_TYPE || mediaType === A2A_CONTENT_TYPE) return undefined;
  const given = mediaType === undefined ? 'No Content-Type' : `Unsupported Content-Type "${mediaType}"`;
  return new ContentTypeNotSupportedError(`${given}; expected application/json or application/a2a+json.`);
}

/**
 * Bodies reach the routes as raw strings: each binding parses and answers in its own error shape (fastify would
 * answer 415 to application/a2a+json, in the app's shape). Call inside an encapsulated scope.
 */
export function acceptRawBodies(scope: FastifyInstance, bodyLimit: number): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_request, body, done) => done(null, body));
}

export function callContext(request: FastifyRequest, user: User = new UnauthenticatedUser()): ServerCallContext {
  const requestedVersion = headerValue(request, A2A_VERSION_HEADER) || undefined;
  return defaultServerCallContextBuilder({
    user,
    headers: request.headers,
    extensions: Extensions.parseServiceParameter(headerValue(request, HTTP_EXTENSION_HEADER)),
    ...(requestedVersion !== undefined ? { requestedVersion } : {}),
  });
}

/** A signal that aborts when the client goes away before the answer is sent. */
export function requestSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
