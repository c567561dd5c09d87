/**
 * Records every outbound connection attempt of this process through Node's diagnostics channels: each `fetch`
 * (undici, which both the OpenAI SDK and LangChain's tokenizer loader use) by origin, and each TCP socket by the
 * host it resolves or connects to. Observation only: nothing is blocked or replaced. A test asserts the list holds
 * nothing but the fake servers it started.
 */
import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

export interface OutboundWatch {
  /** `http://host:port` per fetch, `host` / `address:port` per socket, in order. */
  readonly targets: string[];
  /** Targets not on loopback. */
  offLoopback(): string[];
  stop(): void;
}

const LOOPBACK = /^(https?:\/\/)?(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)(:\d+)?(\/|$)/;

export function watchOutbound(): OutboundWatch {
  const targets: string[] = [];
  const onFetch = (message: unknown) => {
    const request = (message as { request?: { origin?: unknown } }).request;
    if (request && typeof request.origin === 'string') targets.push(request.origin);
  };
  const onSocket = (message: unknown) => {
    const socket = (message as { socket?: Socket }).socket;
    if (!socket) return;
    socket.once('lookup', (_err: Error | null, _address: string, _family: number, host: string) => targets.push(host));
    socket.once('connect', () => targets.push(`${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`));
  };
  diagnostics.subscribe('undici:request:create', onFetch);
  diagnostics.subscribe('net.client.socket', onSocket);
  return {
    targets,
    offLoopback: () => targets.filter((t) => !LOOPBACK.test(t)),
    stop() {
      diagnostics.unsubscribe('undici:request:create', onFetch);
      diagnostics.unsubscribe('net.client.socket', onSocket);
    },
  };
}
