/**
 * Slow and abusive clients against the built service: a request that trickles in is cut off (408) by the request
 * timeout, slow headers by the headers timeout, while an answer that takes longer than both still arrives; POST
 * routes take only JSON (a text/plain or type-less POST is what any web page can send cross-site without a CORS
 * preflight); 100k nested arrays are a 400 naming the problem, and the process keeps serving.
 *
 * The trickling clients write on a 2 s interval (that is the stimulus, not synchronisation); each test waits for
 * the server to close the socket, bounded only by the test timeout.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginRequestBody, scenarioById } from '@aiops/testkit';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

const REQUEST_TIMEOUT_MS = 4000;
const HEADERS_TIMEOUT_MS = 3000;

let kube: KubeFixture;
let service: ServiceProcess;
beforeAll(async () => {
  kube = await startKubeFixture();
  service = await startServiceProcess({
    ...kube.env,
    LLM_PROVIDER: 'none',
    REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    // Longer than the request timeout: a hung log read answers 503 only after it.
    KUBE_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS + 3000),
    // Room for 100k nested arrays, so the nesting (not the size) is what gets refused.
    BODY_LIMIT_BYTES: '1048576',
  });
});
afterAll(async () => {
  await service.stop();
  await kube.close();
});

/**
 * Opens a raw connection, writes `opening`, then one `drip()` every `everyMs` until the server closes the socket.
 * Resolves with what the server answered and how many drips it took.
 */
async function trickle(
  opening: string,
  drip: () => string,
  everyMs = 2000,
): Promise<{ answer: string; drips: number }> {
  const { hostname, port } = new URL(service.url);
  const socket = connect(Number(port), hostname);
  socket.setEncoding('utf8');
  let answer = '';
  let drips = 0;
  socket.on('data', (chunk: string) => (answer += chunk));
  // Writes racing the server's close may fail (EPIPE, ECONNRESET); the close is what the test waits for.
  socket.on('error', () => {});
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  socket.write(opening);
  const timer = setInterval(() => {
    if (!socket.writable) return;
    drips++;
    socket.write(drip());
  }, everyMs);
  try {
    await closed;
  } finally {
    clearInterval(timer);
  }
  return { answer, drips };
}

const healthy = () => JSON.stringify(pluginRequestBody(scenarioById('healthy')!));

describe('slow clients', () => {
  it('a body trickling one byte every 2 s is cut off with 408 before it is complete', {
    timeout: 120_000,
  }, async () => {
    const body = healthy();
    const { answer, drips } = await trickle(
      `POST /a2a/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      () => 'x',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(drips).toBeLessThan(body.length);
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
  });

  it('headers trickling one line every 2 s are cut off with 408', { timeout: 120_000 }, async () => {
    let n = 0;
    const { answer } = await trickle('POST /a2a/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\n', () => `X-Slow-${++n}: 1\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(n).toBeLessThan(1000);
  });

  it('an answer that takes longer than the request timeout still arrives (the timeout bounds receiving the request only)', {
    timeout: 120_000,
  }, async () => {
    kube.kube.faults.inject({ kind: 'hang', match: { path: /\/log$/ } });
    try {
      // The analysis waits on a hung log read for KUBE_TIMEOUT_MS, longer than REQUEST_TIMEOUT_MS, then answers 503.
      const res = await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(scenarioById('healthy')!));
      expect(res.status).toBe(503);
      expect(res.json).toMatchObject({ error: { code: 'dependency_unavailable', dependency: 'kubernetes' } });
    } finally {
      kube.kube.faults.clear();
    }
  });
});

describe('POST /a2a/analyze takes only application/json', () => {
  it('answers the plugin (Go net/http: Content-Type application/json) and a charset parameter', async () => {
    expect((await postJson(`${service.url}/a2a/analyze`, undefined, { raw: healthy() })).status).toBe(200);
    expect(
      (
        await postJson(`${service.url}/a2a/analyze`, undefined, {
          raw: healthy(),
          contentType: 'application/json; charset=utf-8',
        })
      ).status,
    ).toBe(200);
  });

  it('refuses text/plain, form types and a body without Content-Type with 415, naming the header', async () => {
    for (const contentType of [
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await postJson(`${service.url}/a2a/analyze`, undefined, { raw: healthy(), contentType });
      expect(res.status, contentType).toBe(415);
      expect(res.json, contentType).toMatchObject({ error: { code: 'unsupported_media_type', field: 'content-type' } });
    }
    // What fetch sends for a Blob without a type: no Content-Type header at all.
    const untyped = await fetch(`${service.url}/a2a/analyze`, { method: 'POST', body: new Blob([healthy()]) });
    expect(untyped.status).toBe(415);
  });
});

describe('deeply nested JSON', () => {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;

  it('100k nested arrays are a 400 naming the problem on /a2a/analyze, and the process keeps serving', async () => {
    const res = await postJson(`${service.url}/a2a/analyze`, undefined, {
      raw: `{"context":{"namespace":"shop","extraPrompt":${deep}}}`,
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error: { code: 'invalid_json', field: 'body', message: 'body: JSON nested deeper than 64 levels' },
    });
    expect((await postJson(`${service.url}/a2a/analyze`, undefined, { raw: healthy() })).status).toBe(200);
  });

  it('the same on the A2A bindings', async () => {
    const message = `{"messageId":"m-deep","role":"ROLE_USER","parts":[{"data":{"namespace":${deep}}}]}`;
    const headers = { 'content-type': 'application/json', 'a2a-version': '1.0' };
    const rpc = await fetch(`${service.url}/a2a/jsonrpc`, {
      method: 'POST',
      headers,
      body: `{"jsonrpc":"2.0","id":1,"method":"SendMessage","params":{"message":${message}}}`,
    });
    expect(rpc.status).toBe(400);
    expect(await rpc.json()).toMatchObject({
      error: { code: -32700, message: expect.stringContaining('nested deeper than 64') as unknown },
    });
    const rest = await fetch(`${service.url}/a2a/v1/message:send`, {
      method: 'POST',
      headers,
      body: `{"message":${message}}`,
    });
    expect(rest.status).toBe(400);
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
  });
});
