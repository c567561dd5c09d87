import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, DeadlineError, DependencyError } from '@aiops/contracts';
import { createPrometheusSource } from '@aiops/metrics';
import { startFakePrometheus } from '@aiops/testkit';
import type { FakePrometheus, Scenario } from '@aiops/testkit';

const scenario: Scenario = {
  id: 'inline',
  title: 'inline',
  description: 'inline',
  namespace: 'shop',
  rolloutName: 'web',
  pods: [
    { name: 'web-s-1', side: 'stable', labels: {}, podTemplateHash: 's', containers: [] },
    { name: 'web-c-1', side: 'canary', labels: {}, podTemplateHash: 'c', containers: [] },
  ],
  events: [],
  metrics: { memory_bytes: { canary: [5, NaN, Infinity], stable: [1, 2, 3] } },
  expected: { promote: true },
  tags: [],
};
const query = 'avg(container_memory_working_set_bytes{namespace="shop",pod=~"web-c-1"})';
const range = { start: new Date(1_000_000), end: new Date(1_060_000), stepSeconds: 30 };
const live = () => ({ signal: new AbortController().signal });

let fake: FakePrometheus | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('createPrometheusSource', () => {
  it('POSTs query_range as a form and parses the matrix, including NaN and +Inf', async () => {
    fake = await startFakePrometheus({ scenarios: [scenario] });
    const source = createPrometheusSource({ url: fake.url, timeoutMs: 5_000 });
    const series = await source.queryRange(query, range, live());
    expect(series).toEqual([
      {
        labels: { namespace: 'shop' },
        values: [
          [1000, 5],
          [1030, NaN],
          [1060, Infinity],
        ],
      },
    ]);
    expect(fake.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/v1/query_range',
      params: { query, start: '1000', end: '1060', step: '30' },
    });
  });

  it('GET works too, under a path prefix', async () => {
    fake = await startFakePrometheus({ scenarios: [scenario] });
    const source = createPrometheusSource({ url: `${fake.url}/`, timeoutMs: 5_000, method: 'GET' });
    expect(await source.queryRange('up', range, live())).toEqual([]);
    expect(fake.requests[0]).toMatchObject({ method: 'GET', params: { query: 'up' } });
  });

  it('sends a bearer token, or basic credentials taken out of the URL, and never names them in errors', async () => {
    fake = await startFakePrometheus({ requireAuthorization: 'Bearer s3cret-token' });
    await createPrometheusSource({ url: fake.url, bearerToken: 's3cret-token', timeoutMs: 5_000 }).queryRange(
      'up',
      range,
      live(),
    );
    const basicUrl = fake.url.replace('http://', 'http://admin:pa55word@');
    const err = await failure(
      createPrometheusSource({ url: basicUrl, timeoutMs: 5_000, retries: 0 }).queryRange('up', range, live()),
    );
    expect(err).toBeInstanceOf(DependencyError);
    expect(fake.requests.at(-1)?.authorization).toBe(`Basic ${Buffer.from('admin:pa55word').toString('base64')}`);
    const message = (err as Error).message;
    expect(message).toMatch(/401/);
    expect(message).not.toMatch(/pa55word|admin|s3cret/);
  });

  it('maps a Prometheus error body to DependencyError without retrying a bad query', async () => {
    fake = await startFakePrometheus();
    fake.faults.inject({
      kind: 'status',
      status: 400,
      body: { status: 'error', errorType: 'bad_data', error: 'parse error at char 5: unexpected "}"' },
    });
    const err = await failure(
      createPrometheusSource({ url: fake.url, timeoutMs: 5_000, retryDelayMs: 1 }).queryRange('up{', range, live()),
    );
    expect(err).toBeInstanceOf(DependencyError);
    expect(err).toMatchObject({
      dependency: 'prometheus',
      upstreamStatus: 400,
      message: expect.stringContaining('bad_data: parse error') as string,
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('retries 5xx with p-retry and gives up after the configured retries', async () => {
    fake = await startFakePrometheus({ scenarios: [scenario] });
    fake.faults.inject({
      kind: 'status',
      status: 503,
      body: { status: 'error', errorType: 'unavailable', error: 'TSDB not ready' },
      times: 1,
    });
    const source = createPrometheusSource({ url: fake.url, timeoutMs: 5_000, retries: 2, retryDelayMs: 1 });
    expect(await source.queryRange(query, range, live())).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);

    fake.faults.inject({ kind: 'status', status: 502, body: '<html><body>502 Bad Gateway</body></html>' });
    const err = await failure(source.queryRange(query, range, live()));
    expect(err).toMatchObject({ dependency: 'prometheus', upstreamStatus: 502 });
    expect((err as Error).message).toMatch(/HTTP 502: .*Bad Gateway/);
    expect(fake.requests).toHaveLength(5);
  });

  it("keeps a 429's Retry-After, and names an empty error answer by its status", async () => {
    fake = await startFakePrometheus({ scenarios: [scenario] });
    fake.faults.inject({ kind: 'status', status: 429, body: '', headers: { 'retry-after': '7' } });
    const source = createPrometheusSource({ url: fake.url, timeoutMs: 5_000, retries: 0, retryDelayMs: 1 });
    const limited = await failure(source.queryRange(query, range, live()));
    expect(limited).toMatchObject({ dependency: 'prometheus', upstreamStatus: 429, upstreamRetryAfterSeconds: 7 });
    fake.faults.inject({ kind: 'status', status: 504, body: '' });
    const empty = await failure(source.queryRange(query, range, live()));
    expect((empty as Error).message).toMatch(/504: Gateway Timeout/);
  });

  it('a hung Prometheus is a DependencyError after the timeout', async () => {
    fake = await startFakePrometheus();
    fake.faults.inject({ kind: 'hang' });
    const err = await failure(
      createPrometheusSource({ url: fake.url, timeoutMs: 150, retries: 0 }).queryRange('up', range, live()),
    );
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as Error).message).toMatch(/query_range: no answer within 150 ms/);
  });

  it("the caller's abort propagates as the caller's reason, not as a Prometheus failure", async () => {
    fake = await startFakePrometheus();
    fake.faults.inject({ kind: 'hang' });
    const controller = new AbortController();
    const pending = failure(
      createPrometheusSource({ url: fake.url, timeoutMs: 60_000 }).queryRange('up', range, {
        signal: controller.signal,
      }),
    );
    await expect.poll(() => fake?.requests.length).toBe(1);
    const reason = new DeadlineError();
    controller.abort(reason);
    expect(await pending).toBe(reason);
  });

  it("a caller's plain abort is a CancelledError", async () => {
    fake = await startFakePrometheus();
    fake.faults.inject({ kind: 'hang' });
    const controller = new AbortController();
    const pending = failure(
      createPrometheusSource({ url: fake.url, timeoutMs: 60_000 }).queryRange('up', range, {
        signal: controller.signal,
      }),
    );
    await expect.poll(() => fake?.requests.length).toBe(1);
    controller.abort();
    expect(await pending).toBeInstanceOf(CancelledError);
  });

  it('an unreachable Prometheus is a DependencyError naming the endpoint, not the credentials', async () => {
    fake = await startFakePrometheus();
    const url = fake.url;
    await fake.close();
    fake = undefined;
    const err = await failure(
      createPrometheusSource({
        url,
        username: 'u',
        password: 'hunter2',
        timeoutMs: 5_000,
        retries: 1,
        retryDelayMs: 1,
      }).queryRange('up', range, live()),
    );
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as Error).message).toMatch(
      /cannot reach http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query_range \(ECONNREFUSED\)/,
    );
    expect((err as Error).message).not.toMatch(/hunter2/);
  });
});
