/**
 * The Redis stores against a real redis-server (Debian's package, on a loopback port): the same AnalysisHistory
 * contract as the memory store, its byte bound, and the diagnosis cache's TTL. Without redis-server these tests fail
 * and say how to install it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CachedDiagnosis } from '@aiops/contracts';
import { startRedisServer, type RedisServer } from '@aiops/testkit';
import { connectRedis, createRedisDiagnosisCache, createRedisHistory, type RedisConnection } from '../src/index.js';
import { historyContract } from './contract.js';
import { recordFixture } from './fixtures.js';

let server: RedisServer;
let redis: RedisConnection;
let stores = 0;
beforeAll(async () => {
  server = await startRedisServer();
  redis = connectRedis(server.url);
});
afterAll(async () => {
  await redis?.close();
  await server?.close();
});

historyContract('redis', async ({ maxRecords }) =>
  createRedisHistory(redis.client, { maxRecords, maxBytes: 10_000_000, prefix: `test:${++stores}:` }),
);

describe('redis history', () => {
  it('evicts the oldest records until a new one fits the byte bound', async () => {
    const one = JSON.stringify(recordFixture('shop', 'cart', { analysis: 'x'.repeat(1000) })).length;
    const store = createRedisHistory(redis.client, {
      maxRecords: 100,
      maxBytes: Math.floor(one * 2.5),
      prefix: `test:${++stores}:`,
    });
    const records = [1, 2, 3, 4].map(() => recordFixture('shop', 'cart', { analysis: 'x'.repeat(1000) }));
    for (const r of records) await store.save(r);
    expect((await store.list({ limit: 10 })).map((s) => s.id)).toEqual([records[3]!.id, records[2]!.id]);
    expect(await store.get(records[0]!.id)).toBeUndefined();
  });

  it('is shared: a second connection (another replica) reads what the first saved', async () => {
    const prefix = `test:${++stores}:`;
    const other = connectRedis(server.url);
    try {
      const record = recordFixture('shop', 'cart', { promote: false });
      await createRedisHistory(redis.client, { maxRecords: 10, maxBytes: 1_000_000, prefix }).save(record);
      const seen = createRedisHistory(other.client, { maxRecords: 10, maxBytes: 1_000_000, prefix });
      expect(await seen.get(record.id)).toEqual(record);
      expect((await seen.list({ key: 'rollout:shop/cart', limit: 5 })).map((s) => s.id)).toEqual([record.id]);
    } finally {
      await other.close();
    }
  });

  it('fails as a typed history DependencyError when Redis is unreachable', async () => {
    const gone = connectRedis('redis://127.0.0.1:1');
    try {
      const store = createRedisHistory(gone.client, { maxRecords: 10, maxBytes: 1_000_000, timeoutMs: 500 });
      await expect(store.list({ limit: 1 })).rejects.toMatchObject({
        code: 'dependency_unavailable',
        dependency: 'history',
      });
    } finally {
      await gone.close();
    }
  });
});

describe('redis diagnosis cache', () => {
  const value: CachedDiagnosis = {
    result: {
      diagnosis: {
        promote: true,
        confidence: 80,
        analysis: 'fine',
        rootCause: 'none',
        remediation: 'none',
        evidenceIds: [],
      },
      modelName: 'gemini',
      executionTimeMs: 10,
      attempts: 1,
    },
    exchange: { modelName: 'gemini', system: 's', prompt: 'p' },
    savedAt: new Date(0).toISOString(),
  };
  const signal = new AbortController().signal;

  it('gives back a diagnosis by fingerprint, to another replica too, until its TTL passes', async () => {
    const cache = createRedisDiagnosisCache(redis.client, { ttlMs: 300, prefix: `test:${++stores}:` });
    await cache.set('fp-1', value, { signal });
    expect(await cache.get('fp-1', { signal })).toEqual(value);
    expect(await cache.get('fp-2', { signal })).toBeUndefined();
    await expect.poll(() => cache.get('fp-1', { signal }), { interval: 100 }).toBeUndefined();
  });
});
