/**
 * A kubeconfig whose cluster sets `proxy-url`: the calls reach the API server through that HTTP proxy (client-node's
 * own proxy agent; the undici path is for direct connections only), and a proxy that fails is a dependency failure.
 * The proxy is a local HTTP proxy that tunnels CONNECT and forwards absolute-form requests, as squid or tinyproxy do.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyError } from '@aiops/contracts';
import { createClusterReader, loadKubeConfig } from '@aiops/kube';
import { writeKubeconfig } from './support/kubeconfig.js';

let dir: string;
let api: Server;
let proxy: Server;
let apiUrl: string;
let proxyUrl: string;
const apiCalls: Array<{ url: string | undefined; authorization: string | undefined }> = [];
const proxied: string[] = [];
const opts = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });
const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const pod = {
  metadata: { name: 'cart-canary-1', namespace: 'shop', labels: { role: 'canary' } },
  spec: { containers: [{ name: 'app', image: 'cart:2' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [] },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kube-proxy-'));
  api = createServer((req, res) => {
    apiCalls.push({ url: req.url, authorization: req.headers.authorization });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [pod] }));
  });
  apiUrl = await listen(api);
  proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    // Absolute-form request (GET http://host:port/path): forward it.
    proxied.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    proxied.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
    client.on('error', () => upstream.destroy());
  });
  proxyUrl = await listen(proxy);
});

afterAll(async () => {
  for (const server of [api, proxy]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await rm(dir, { recursive: true, force: true });
});

async function readerVia(name: string, via: string) {
  const file = await writeKubeconfig(dir, name, apiUrl, [`proxy-url: ${via}`]);
  return createClusterReader(loadKubeConfig({ kubeconfigPath: file }), { timeoutMs: 5_000 });
}

describe("an API server behind the kubeconfig's proxy-url", () => {
  it("reaches the API server through the proxy, with the user's token", async () => {
    const reader = await readerVia('proxied', proxyUrl);
    const before = { api: apiCalls.length, proxy: proxied.length };
    const pods = await reader.listPods('shop', 'role=canary', opts());
    expect(pods.map((p) => p.name)).toEqual(['cart-canary-1']);
    const host = new URL(apiUrl).host;
    expect(proxied.slice(before.proxy)).toEqual([
      expect.stringMatching(new RegExp(`^(CONNECT ${host}|GET http://${host}/api/v1/namespaces/shop/pods\\?)`)),
    ]);
    expect(apiCalls.slice(before.api)).toEqual([
      { url: '/api/v1/namespaces/shop/pods?labelSelector=role%3Dcanary', authorization: 'Bearer token-of-proxied' },
    ]);
  });

  it('answers a proxy that cannot be reached as a dependency failure, not as an empty cluster', async () => {
    const closed = createServer();
    const unreachable = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const reader = await readerVia('unreachable', unreachable);
    const error = await reader.listPods('shop', 'role=canary', opts()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
  });
});
