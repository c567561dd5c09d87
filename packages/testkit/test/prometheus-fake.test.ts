import { afterEach, describe, expect, it } from 'vitest';
import { resolveQueryTarget, startFakePrometheus } from '@aiops/testkit';
import type { FakePrometheus, Scenario } from '@aiops/testkit';

const scenario: Scenario = {
  id: 'latency',
  title: 'latency',
  description: 'inline scenario',
  namespace: 'shop',
  rolloutName: 'web',
  rollout: { revision: '2', canaryWeight: 20, stablePodHash: 'aaa111', canaryPodHash: 'bbb222' },
  pods: [
    { name: 'web-aaa111-x1', side: 'stable', labels: {}, podTemplateHash: 'aaa111', containers: [] },
    { name: 'web-bbb222-y1', side: 'canary', labels: {}, podTemplateHash: 'bbb222', containers: [] },
  ],
  events: [],
  metrics: {
    latency_p99_ms: { canary: [200, 210, NaN], stable: [100, 101, 102] },
    restarts: { canary: [], stable: [0] },
  },
  expected: { promote: false },
  tags: [],
};

let fake: FakePrometheus | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json() };
}

describe('fake Prometheus', () => {
  it('maps catalog-shaped queries to scenario metric and side', () => {
    const latency =
      'histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",namespace="shop",pod=~"web-bbb222-y1"}[60s])))';
    expect(resolveQueryTarget(latency, [scenario])).toMatchObject({ metric: 'latency_p99_ms', side: 'canary' });
    const ratio =
      'sum(rate(istio_requests_total{namespace="shop",rollouts_pod_template_hash="aaa111",response_code!~"5.."}[1m])) / sum(rate(istio_requests_total{namespace="shop",rollouts_pod_template_hash="aaa111"}[1m]))';
    expect(resolveQueryTarget(ratio, [scenario])).toMatchObject({ metric: 'request_success_rate', side: 'stable' });
    expect(
      resolveQueryTarget('sum(rate(nginx_ingress_controller_requests{namespace="shop",service="web-canary"}[1m]))', [
        scenario,
      ]),
    ).toMatchObject({ metric: 'request_rate', side: 'canary' });
    expect(resolveQueryTarget('up{namespace="shop"}', [scenario])).toBeUndefined();
    expect(
      resolveQueryTarget('container_memory_working_set_bytes{namespace="other",pod=~"x"}', [scenario]),
    ).toBeUndefined();
  });

  it('answers query_range (GET and POST form) with a real matrix body, one sample per step', async () => {
    fake = await startFakePrometheus({ scenarios: [scenario] });
    const query =
      'histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{namespace="shop",pod=~"web-bbb222-.*"}[60s])))';
    const get = await getJson(
      `${fake.url}/api/v1/query_range?${new URLSearchParams({ query, start: '1000', end: '1060', step: '30' }).toString()}`,
    );
    expect(get).toEqual({
      status: 200,
      body: {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: { namespace: 'shop' },
              values: [
                [1000, '200'],
                [1030, '210'],
                [1060, 'NaN'],
              ],
            },
          ],
        },
      },
    });
    const post = await getJson(`${fake.url}/api/v1/query_range`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        query: query.replace('web-bbb222-.*', 'web-aaa111-x1'),
        start: '1000',
        end: '1030',
        step: '30s',
      }),
    });
    expect(post.body).toMatchObject({
      data: {
        result: [
          {
            values: [
              [1000, '100'],
              [1030, '101'],
            ],
          },
        ],
      },
    });
    expect(fake.requests.map((r) => [r.method, r.path, r.params.step])).toEqual([
      ['GET', '/api/v1/query_range', '30'],
      ['POST', '/api/v1/query_range', '30s'],
    ]);
  });

  it('no samples or an unknown query -> empty matrix; instant query -> vector of the last sample', async () => {
    fake = await startFakePrometheus({ scenarios: [scenario] });
    const range = new URLSearchParams({ start: '0', end: '60', step: '30' });
    for (const query of ['kube_pod_container_status_restarts_total{namespace="shop",pod=~"web-bbb222-y1"}', 'up']) {
      range.set('query', query);
      expect((await getJson(`${fake.url}/api/v1/query_range?${range.toString()}`)).body).toEqual({
        status: 'success',
        data: { resultType: 'matrix', result: [] },
      });
    }
    const instant = await getJson(
      `${fake.url}/api/v1/query?${new URLSearchParams({ query: 'kube_pod_container_status_restarts_total{namespace="shop",pod=~"web-aaa111-x1"}', time: '5' }).toString()}`,
    );
    expect(instant.body).toEqual({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { namespace: 'shop' }, value: [5, '0'] }] },
    });
  });

  it('rejects bad parameters like Prometheus (400 bad_data) and reports readiness', async () => {
    fake = await startFakePrometheus();
    const bad = await getJson(`${fake.url}/api/v1/query_range?query=up&start=10&end=0&step=15`);
    expect(bad).toMatchObject({ status: 400, body: { status: 'error', errorType: 'bad_data' } });
    const ready = await fetch(`${fake.url}/-/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('Prometheus Server is Ready.\n');
  });

  it('injects faults: Prometheus error bodies, raw statuses, a limited number of times, and hangs', async () => {
    fake = await startFakePrometheus({ scenarios: [scenario] });
    const url = `${fake.url}/api/v1/query_range?query=up&start=0&end=0&step=1`;
    fake.faults.inject({
      kind: 'status',
      status: 422,
      body: { status: 'error', errorType: 'execution', error: 'query processing would load too many samples' },
      times: 1,
    });
    expect(await getJson(url)).toEqual({
      status: 422,
      body: { status: 'error', errorType: 'execution', error: 'query processing would load too many samples' },
    });
    expect((await fetch(url)).status).toBe(200);
    fake.faults.inject({ kind: 'status', status: 502, body: '<html>Bad Gateway</html>' });
    expect((await fetch(url)).status).toBe(502);
    fake.faults.inject({ kind: 'hang' });
    const controller = new AbortController();
    const pending = fetch(url, { signal: controller.signal });
    // The request has reached the fake once it is recorded; only then give up on it.
    await expect.poll(() => fake?.requests.length).toBe(4);
    controller.abort();
    await expect(pending).rejects.toThrow();
    fake.faults.clear();
    expect((await fetch(url)).status).toBe(200);
  });

  it('can require an Authorization header', async () => {
    fake = await startFakePrometheus({ requireAuthorization: 'Bearer t0ken' });
    const url = `${fake.url}/api/v1/query_range?query=up&start=0&end=0&step=1`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer t0ken' } })).status).toBe(200);
  });
});
