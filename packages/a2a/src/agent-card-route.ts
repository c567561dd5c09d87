/**
 * `GET /.well-known/agent-card.json`: public (never behind auth), in the ProtoJSON shape the SDK's client reads.
 * The card tells clients where to send their requests (and a shared cache may keep it), so its URLs never come
 * from a Host header nobody vouched for: the configured public URL, else an allowed Host, else the address the
 * connection actually arrived on.
 */
import { AgentCard } from '@a2a-js/sdk';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isAllowedHost } from './allowed-hosts.js';
import { AGENT_CARD_PATH, buildAgentCard, type CardOptions } from './card.js';
import { headerValue } from './wire.js';

export interface AgentCardRouteOptions {
  card: CardOptions;
  authEnabled: boolean;
}

/** The local end of the connection, as a URL authority. */
function arrivalAddress(request: FastifyRequest): string {
  const { localAddress, localPort } = request.socket;
  if (!localAddress) return 'localhost';
  const address = localAddress.startsWith('::ffff:') ? localAddress.slice(7) : localAddress;
  return `${address.includes(':') ? `[${address}]` : address}:${localPort}`;
}

export function baseUrlFor(request: FastifyRequest, allowedHosts: readonly string[]): string {
  const host = headerValue(request, 'host');
  const authority =
    host !== undefined && isAllowedHost(host, allowedHosts) ? host.trim().toLowerCase() : arrivalAddress(request);
  return `${request.protocol}://${authority}`;
}

export function registerAgentCardRoute(app: FastifyInstance, options: AgentCardRouteOptions): void {
  const { publicUrl, allowedHosts = [] } = options.card;
  const fixed = publicUrl ? buildAgentCard(options.card, publicUrl, options.authEnabled) : undefined;
  const cardFor = (request: FastifyRequest) =>
    fixed ?? buildAgentCard(options.card, baseUrlFor(request, allowedHosts), options.authEnabled);

  app.get(AGENT_CARD_PATH, async (request, reply) => {
    reply.header('cache-control', fixed ? 'public, max-age=300' : 'no-cache');
    if (!fixed) reply.header('vary', 'host');
    return AgentCard.toJSON(cardFor(request));
  });
}
