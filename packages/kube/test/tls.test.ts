/**
 * Calls to an API server over TLS: the kubeconfig's CA, verification setting and credentials reach the connections
 * (kept alive, one TLS handshake for many calls). The server is a local HTTPS server with a certificate made for the
 * test by openssl, answering an empty pod list.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyError } from '@aiops/contracts';
import { createClusterReader, loadKubeConfig } from '@aiops/kube';
import { writeKubeconfig } from './support/kubeconfig.js';

let dir: string;
let server: Server;
let url: string;
let cert: Buffer;
let handshakes = 0;
const authorizations: Array<string | undefined> = [];
const opts = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kube-tls-'));
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'openssl is missing: this test makes its server certificate with it (apt-get install -y openssl; .ci/run does)',
    );
  }
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  cert = await readFile(join(dir, 'cert.pem'));
  server = createServer({ cert, key: await readFile(join(dir, 'key.pem')) }, (req, res) => {
    authorizations.push(req.headers.authorization);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [] }));
  });
  server.on('secureConnection', () => (handshakes += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function readerFor(name: string, cluster: string[]) {
  const file = await writeKubeconfig(dir, name, url, cluster);
  return createClusterReader(loadKubeConfig({ kubeconfigPath: file }), { timeoutMs: 5_000 });
}

describe('an API server over TLS', () => {
  it("verifies the server with the kubeconfig's CA and sends the user's token, over kept-alive connections", async () => {
    const reader = await readerFor('with-ca', [`certificate-authority-data: ${cert.toString('base64')}`]);
    const before = handshakes;
    for (let i = 0; i < 10; i++) expect(await reader.listPods('shop', 'role=canary', opts())).toEqual([]);
    // A connection is free again a moment after its answer ends, so the next call may open a second one.
    expect(handshakes - before).toBeLessThanOrEqual(2);
    expect(authorizations.at(-1)).toBe('Bearer token-of-with-ca');
  });

  it('refuses a server its CA does not vouch for', async () => {
    const reader = await readerFor('no-ca', []);
    const error = await reader.listPods('shop', 'role=canary', opts()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as Error).message).toMatch(/certificate/i);
  });

  it('skips verification only when the kubeconfig says insecure-skip-tls-verify', async () => {
    const reader = await readerFor('insecure', ['insecure-skip-tls-verify: true']);
    expect(await reader.listPods('shop', 'role=canary', opts())).toEqual([]);
    expect(authorizations.at(-1)).toBe('Bearer token-of-insecure');
  });
});
