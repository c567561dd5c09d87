/**
 * client-node's HTTP layer on undici: calls to the API server share kept-alive connections.
 *
 * client-node 1.x sends through node-fetch 2 with a new agent per call (KubeConfig.applySecurityAuthentication),
 * so every call opened its own TCP connection (and TLS handshake against a real API server): `connect`, node-fetch
 * and node:http were a large part of the request thread's CPU under a burst of analyses. Sharing node-fetch's agents
 * was tried and reverted: node-fetch 2 on reused connections fails bodies with ERR_STREAM_PREMATURE_CLOSE under a
 * burst. Here the generated client's `HttpLibrary` hook sends through undici's `request` instead, on one undici
 * Agent per set of TLS options read from the agent client-node built for the call (its CA, client certificate,
 * verification and server name), so a rotated certificate gets its own connections. The call's abort signal
 * travels with it. Proxies (an agent of another kind) and bodies other than text keep client-node's own library.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import {
  IsomorphicFetchHttpLibrary,
  ResponseContext,
  wrapHttpLibrary,
  type HttpLibrary,
  type RequestContext,
} from '@kubernetes/client-node';
import { Agent, request } from 'undici';

/** The TLS settings client-node copies from the kubeconfig onto each call's agent. */
const TLS_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;
type TlsOptions = Pick<AgentOptions, (typeof TLS_KEYS)[number]>;

/** Same TLS settings: buffers by content (client-node decodes or reads them again for every call). */
function sameTls(a: TlsOptions, b: TlsOptions): boolean {
  return TLS_KEYS.every((k) => {
    const x: unknown = a[k];
    const y: unknown = b[k];
    return x === y || (Buffer.isBuffer(x) && Buffer.isBuffer(y) && x.equals(y));
  });
}

/**
 * undici's connection errors name only the address ("connect ECONNREFUSED 10.0.0.1:443"); the operator's log should
 * say which API server URL failed, as node-fetch's did. The code (ECONNREFUSED, …) and the cause are kept; answers
 * never show this message (errors are mapped to a dependency and a short reason in one place).
 */
function withUrl(err: unknown, url: string): unknown {
  if (!(err instanceof Error)) return err;
  const named = new Error(`request to ${url} failed: ${err.message}`, { cause: err });
  const code = (err as { code?: unknown }).code;
  return code === undefined ? named : Object.assign(named, { code });
}

/** More than one entry only while credentials rotate; the oldest is closed (after its calls finish) beyond this. */
const MAX_DISPATCHERS = 4;

export function createUndiciHttpLibrary(): HttpLibrary {
  const fallback = new IsomorphicFetchHttpLibrary();
  const dispatchers: Array<{ tls: TlsOptions; agent: Agent }> = [];

  function dispatcherFor(tls: TlsOptions): Agent {
    const known = dispatchers.find((d) => sameTls(d.tls, tls));
    if (known) return known.agent;
    const connect = Object.fromEntries(TLS_KEYS.filter((k) => tls[k] !== undefined).map((k) => [k, tls[k]]));
    const agent = new Agent({ connect });
    dispatchers.push({ tls, agent });
    if (dispatchers.length > MAX_DISPATCHERS) void dispatchers.shift()?.agent.close();
    return agent;
  }

  const viaUndici = wrapHttpLibrary({
    async send(context: RequestContext): Promise<ResponseContext> {
      const built = context.getAgent();
      const tls: TlsOptions = built instanceof HttpsAgent ? built.options : {};
      const body = context.getBody();
      const signal = context.getSignal();
      const response = await request(context.getUrl(), {
        method: context.getHttpMethod(),
        headers: context.getHeaders(),
        body: typeof body === 'string' ? body : null,
        signal: signal ?? null,
        dispatcher: dispatcherFor(tls),
      }).catch((err: unknown) => {
        throw signal?.aborted ? err : withUrl(err, context.getUrl());
      });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      return new ResponseContext(response.statusCode, headers, {
        text: () => response.body.text(),
        binary: async () => Buffer.from(await response.body.arrayBuffer()),
      });
    },
  });

  return {
    send(context) {
      const built = context.getAgent();
      const body = context.getBody();
      // Only plain agents: a proxy agent (hpagent, socks) knows how to reach the server, undici here does not.
      const plain = built === undefined || built.constructor === HttpsAgent || built.constructor === HttpAgent;
      return plain && (body === undefined || typeof body === 'string')
        ? viaUndici.send(context)
        : fallback.send(context);
    },
  };
}
