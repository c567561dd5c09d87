import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Observable, type ConfigurationOptions, type ObservableMiddleware } from '@kubernetes/client-node';

/**
 * client-node 1.x builds a new agent for every request (KubeConfig.applySecurityAuthentication), so every call opened
 * its own TCP connection (and TLS handshake, against a real API server): the most CPU of a burst of analyses after
 * the templater. Agents are kept here by their options (CA, client certificate, TLS settings) with keep-alive, so
 * calls share connections; a rotated certificate makes new options and so a new agent. Proxy agents are left as built.
 */
const agents = new Map<string, HttpAgent>();
const MAX_AGENTS = 16;

function sharedAgent(fresh: HttpAgent): HttpAgent {
  const isHttps = fresh instanceof HttpsAgent;
  if (!isHttps && fresh.constructor !== HttpAgent) return fresh;
  const options = (fresh as HttpAgent & { options: Record<string, unknown> }).options;
  const key = JSON.stringify([isHttps, options]);
  let agent = agents.get(key);
  if (!agent) {
    if (agents.size >= MAX_AGENTS) {
      for (const old of agents.values()) old.destroy();
      agents.clear();
    }
    agent = isHttps
      ? new HttpsAgent({ ...options, keepAlive: true, maxSockets: 64 })
      : new HttpAgent({ ...options, keepAlive: true, maxSockets: 64 });
    agents.set(key, agent);
  }
  fresh.destroy();
  return agent;
}

/** Call options that hand `signal` to node-fetch (client-node 1.x takes one only through a middleware) and reuse connections. */
export function withSignal(signal: AbortSignal): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(signal);
      const fresh = context.getAgent();
      if (fresh instanceof HttpAgent) context.setAgent(sharedAgent(fresh));
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}
