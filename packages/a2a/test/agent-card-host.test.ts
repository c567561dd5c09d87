/**
 * The agent card tells clients where to send requests, and a shared cache may keep it: its URLs never echo a Host
 * header nobody vouched for.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers.js';

/** fetch() cannot set Host; node:http can. */
function cardWithHost(baseUrl: string, host: string): Promise<{ urls: string[]; vary: string | undefined }> {
  const { port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/.well-known/agent-card.json', headers: { host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const card = JSON.parse(text) as { supportedInterfaces: Array<{ url: string }> };
        resolve({ urls: card.supportedInterfaces.map((i) => i.url), vary: res.headers.vary });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const card = { name: 'aiops-agent', description: 'canary verdicts', version: '1.0.0' };

describe('agent card URLs and the Host header', () => {
  let open: TestServer;
  let listed: TestServer;
  beforeAll(async () => {
    open = await startServer({ card });
    listed = await startServer({ card: { ...card, allowedHosts: ['aiops.example.com', 'aiops-agent.ops.svc:8080'] } });
  });
  afterAll(async () => {
    await Promise.all([open.close(), listed.close()]);
  });

  it('without a public URL or an allow-list, uses the address the connection arrived on, never the Host header', async () => {
    const { port } = new URL(open.baseUrl);
    const { urls, vary } = await cardWithHost(open.baseUrl, 'evil.example.net');
    expect(urls).toEqual([`http://127.0.0.1:${port}/a2a/jsonrpc`, `http://127.0.0.1:${port}/a2a/v1`]);
    expect(urls.join()).not.toContain('evil');
    expect(vary).toBe('host');
  });

  it('uses a Host the allow-list names (any port for a bare name, that port only for host:port)', async () => {
    expect((await cardWithHost(listed.baseUrl, 'AIOPS.example.com:9443')).urls[0]).toBe(
      'http://aiops.example.com:9443/a2a/jsonrpc',
    );
    expect((await cardWithHost(listed.baseUrl, 'aiops-agent.ops.svc:8080')).urls[0]).toBe(
      'http://aiops-agent.ops.svc:8080/a2a/jsonrpc',
    );
    const { port } = new URL(listed.baseUrl);
    for (const host of [
      'aiops-agent.ops.svc:9090',
      'aiops.example.com.evil.net',
      'evil.net',
      'aiops.example.com@evil.net',
      'aiops.example.com/x',
    ]) {
      expect((await cardWithHost(listed.baseUrl, host)).urls[0], host).toBe(`http://127.0.0.1:${port}/a2a/jsonrpc`);
    }
  });
});
