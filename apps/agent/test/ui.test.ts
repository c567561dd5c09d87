import { EvidenceIds } from '@aiops/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { createMemoryHistory } from '@aiops/history';
import type { AnalysisRecord } from '@aiops/contracts';
import { uiRoutes, UI_CONTENT_SECURITY_POLICY } from '../src/ui/routes.js';
import { recordFixture } from '../../../packages/history/test/fixtures.js';

const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function uiWith(records: AnalysisRecord[], auth?: { tokens: Record<string, string> }) {
  const history = createMemoryHistory({ maxRecords: 100, maxBytes: 10_000_000 });
  for (const r of records) await history.save(r);
  app = Fastify();
  await app.register(uiRoutes, { history, ...(auth ? { auth } : {}) });
  return app;
}

function hostile(): AnalysisRecord {
  const record = recordFixture('shop', 'cart', {
    promote: false,
    reason: XSS,
    rootCause: XSS,
    analysis: XSS,
    prLink: 'javascript:alert(3)',
  });
  record.evidence.logs = {
    canaryLines: 10,
    stableLines: 10,
    omitted: 0,
    signatures: [
      {
        id: 'sig-1',
        template: XSS,
        severity: 'error',
        errorLike: true,
        kind: 'error',
        canary: { count: 3, perThousand: 300 },
        stable: { count: 0, perThousand: 0 },
        canaryOnly: true,
        examples: [XSS],
      },
    ],
  };
  record.evidence.events = [
    { type: 'Warning', reason: 'BackOff', message: XSS, objectKind: 'Pod', objectName: 'cart-1', count: 2 },
  ];
  record.evidence.findings = [
    {
      id: EvidenceIds.logSignature('sig-1'),
      kind: 'error-signature',
      side: 'canary',
      severity: 'error',
      hard: false,
      title: XSS,
      detail: XSS,
    },
  ];
  record.evidence.metrics.comparisons = [
    {
      id: EvidenceIds.metric('latency'),
      name: 'latency_p99_ms',
      source: 'prometheus',
      classification: 'High',
      critical: false,
      direction: 'increase',
      canary: { count: 3, median: 300 },
      stable: { count: 3, median: 100 },
      samples: { canary: [290, 300, 310], stable: [90, 100, 110] },
    },
  ];
  record.model = { modelName: 'gemini', system: 'system', prompt: XSS, rawAnswer: XSS };
  return record;
}

describe('/ui', () => {
  it('escapes every workload string, links only http(s), and sends a strict CSP', async () => {
    const record = hostile();
    await uiWith([record]);
    for (const url of ['/ui', `/ui/analyses/${record.id}`]) {
      const res = await app!.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-security-policy']).toBe(UI_CONTENT_SECURITY_POLICY);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.body).not.toContain('<script');
      expect(res.body).not.toContain('<img');
      expect(res.body).not.toContain('href="javascript:');
      expect(res.body).toContain(
        '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;',
      );
    }
    const page = (await app!.inject({ url: `/ui/analyses/${record.id}` })).body;
    expect(page).toContain('data-chart="series"');
    expect(page).toMatch(/<polyline[^>]+stroke="#cf222e"/);
  });

  it('filters by namespace and verdict, and names a bad filter', async () => {
    const a = recordFixture('shop', 'cart', { promote: true });
    const b = recordFixture('shop', 'cart', { promote: false });
    const c = recordFixture('billing', 'api', { promote: false });
    await uiWith([a, b, c]);
    const ids = async (query: string) =>
      [...(await app!.inject({ url: `/ui${query}` })).body.matchAll(/href="\/ui\/analyses\/([^"]+)"/g)].map(
        (m) => m[1],
      );
    expect(await ids('')).toEqual([c.id, b.id, a.id]);
    expect(await ids('?namespace=shop')).toEqual([b.id, a.id]);
    expect(await ids('?verdict=reject')).toEqual([c.id, b.id]);
    expect(await ids('?namespace=shop&verdict=promote')).toEqual([a.id]);
    const bad = await app!.inject({ url: '/ui?verdict=maybe' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { field: 'verdict' } });
  });

  it('answers 404 for an analysis that is not (or no longer) kept', async () => {
    await uiWith([]);
    const res = await app!.inject({ url: '/ui/analyses/%3Cscript%3E' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('&lt;script&gt;');
  });

  it('sits behind the same bearer auth as the A2A routes when auth is on', async () => {
    const record = recordFixture('shop', 'cart');
    await uiWith([record], { tokens: { 's3cret-token': 'operator' } });
    for (const url of ['/ui', `/ui/analyses/${record.id}`, '/ui/assets/style.css']) {
      const anonymous = await app!.inject({ url });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
      const wrong = await app!.inject({ url, headers: { authorization: 'Bearer nope' } });
      expect(wrong.statusCode).toBe(401);
      const allowed = await app!.inject({ url, headers: { authorization: 'Bearer s3cret-token' } });
      expect(allowed.statusCode).toBe(200);
    }
  });
});
