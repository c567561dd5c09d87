/**
 * `GET /.well-known/agent-card.json`: public (never behind auth), in the ProtoJSON shape the SDK's client reads.
 */
import { AgentCard } from '@a2a-js/sdk';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AGENT_CARD_PATH, buildAgentCard, type CardOptions } from './card.js';

export interface AgentCardRouteOptions {
  card: CardOptions;
  authEnabled: boolean;
}

export function registerAgentCardRoute(app: FastifyInstance, options: AgentCardRouteOptions): void {
  const { publicUrl } = options.card;
  const fixed = publicUrl ? buildAgentCard(options.card, publicUrl, options.authEnabled) : undefined;
  const cardFor = (request: FastifyRequest) => fixed ?? buildAgentCard(options.card, `${request.protocol}://${request.host}`, options.authEnabled);

  app.get(AGENT_CARD_PATH, async (request, reply) => {
    reply.header('cache-control', fixed ? 'public, max-age=300' : 'no-cache');
    if (!fixed) reply.header('vary', 'host');
    return AgentCard.toJSON(cardFor(request));
  });
}
