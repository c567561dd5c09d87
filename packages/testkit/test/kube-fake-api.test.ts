import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioById, startFakeKubeApi, type FakeKubeApi } from '@aiops/testkit';

let api: FakeKubeApi;
const healthy = scenarioById('healthy')!;

beforeAll(async () => {
  api = await startFakeKubeApi({
    scenarios: [healthy],
    tokens: {
      'good-token': {
        username: 'system:serviceaccount:argo-rollouts:argo-rollouts',
        groups: ['system:serviceaccounts'],
      },
    },
  });
});
afterAll(() => api.close());

async function getJson(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${api.url}${path}`, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('fake Kubernetes API server', () => {
  it('answers TokenReviews from its configured tokens', async () => {
    const review = async (token: string) => {
      const response = await fetch(`${api.url}/apis/authentication.k8s.io/v1/tokenreviews`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { status: Record<string, unknown> }).status;
    };
    expect(await review('good-token')).toMatchObject({
      authenticated: true,
      user: { username: 'system:serviceaccount:argo-rollouts:argo-rollouts', groups: ['system:serviceaccounts'] },
    });
    expect(await review('bad-token')).toMatchObject({ authenticated: false });
    api.setToken('late-token', { username: 'late' });
    expect(await review('late-token')).toMatchObject({ authenticated: true, user: { username: 'late' } });
  });

  it('answers errors with Kubernetes Status objects', async () => {
    const missing = await getJson(`/apis/argoproj.io/v1alpha1/namespaces/${healthy.namespace}/rollouts/nope`);
    expect(missing).toEqual({
      status: 404,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'rollouts.argoproj.io "nope" not found',
        reason: 'NotFound',
        details: { name: 'nope', group: 'argoproj.io', kind: 'rollouts' },
        code: 404,
      },
    });
    const badSelector = await getJson(
      `/api/v1/namespaces/${healthy.namespace}/pods?labelSelector=${encodeURIComponent('role in (')}`,
    );
    expect(badSelector.status).toBe(400);
    expect(badSelector.body).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
  });

  it('pages lists with limit and continue, and filters by field selector', async () => {
    const first = await getJson(`/api/v1/namespaces/${healthy.namespace}/pods?limit=2`);
    const meta = first.body.metadata as { continue?: string; remainingItemCount?: number };
    expect((first.body.items as unknown[]).length).toBe(2);
    expect(meta.remainingItemCount).toBe(1);
    const second = await getJson(
      `/api/v1/namespaces/${healthy.namespace}/pods?limit=2&continue=${meta.continue ?? ''}`,
    );
    expect((second.body.items as unknown[]).length).toBe(1);
    const byName = await getJson(
      `/api/v1/namespaces/${healthy.namespace}/pods?fieldSelector=metadata.name%3D${healthy.pods[0]!.name}`,
    );
    expect((byName.body.items as Array<{ metadata: { name: string } }>).map((p) => p.metadata.name)).toEqual([
      healthy.pods[0]!.name,
    ]);
  });

  it('serves a Table when asked, and logs the requests it received', async () => {
    const table = await getJson(`/api/v1/namespaces/${healthy.namespace}/pods`, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    expect(table.body).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect((table.body.rows as Array<{ cells: unknown[] }>)[0]?.cells[2]).toBe('Running');
    expect(api.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: `/api/v1/namespaces/${healthy.namespace}/pods`,
      query: {},
    });
  });

  it('injects faults and removes them', async () => {
    const match = { method: 'GET', path: /^\/version$/ };
    api.faults.inject({ kind: 'status', match, status: 503 });
    expect((await getJson('/version')).status).toBe(503);
    api.faults.clear();
    expect((await getJson('/version')).body).toMatchObject({ major: '1' });
  });

  it('close() does not wait for hung requests', async () => {
    const other = await startFakeKubeApi({});
    other.faults.inject({ kind: 'hang', match: { path: /^\/api$/ } });
    const hung = fetch(`${other.url}/api`).then(
      () => 'answered',
      () => 'failed',
    );
    await other.waitForRequest((r) => r.path === '/api');
    await other.close();
    expect(await hung).toBe('failed');
  });
});
