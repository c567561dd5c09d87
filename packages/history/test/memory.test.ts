import { describe, expect, it } from 'vitest';
import { createMemoryHistory } from '../src/index.js';
import { historyContract } from './contract.js';
import { recordFixture } from './fixtures.js';

historyContract('memory', async ({ maxRecords }) => createMemoryHistory({ maxRecords, maxBytes: 10_000_000 }));

describe('memory history: the byte bound', () => {
  it('evicts the oldest records until a new one fits, and never keeps more than maxBytes', async () => {
    const one = JSON.stringify(recordFixture('shop', 'cart', { analysis: 'x'.repeat(1000) })).length;
    const store = createMemoryHistory({ maxRecords: 100, maxBytes: Math.floor(one * 2.5) });
    const records = [1, 2, 3, 4].map(() => recordFixture('shop', 'cart', { analysis: 'x'.repeat(1000) }));
    for (const r of records) {
      await store.save(r);
      expect(store.size().bytes).toBeLessThanOrEqual(Math.floor(one * 2.5));
    }
    expect(store.size().records).toBe(2);
    expect((await store.list({ limit: 10 })).map((s) => s.id)).toEqual([records[3]!.id, records[2]!.id]);
  });

  it('does not keep a single record larger than the whole bound (and keeps the others)', async () => {
    const store = createMemoryHistory({ maxRecords: 100, maxBytes: 5_000 });
    const small = recordFixture('shop', 'cart');
    await store.save(small);
    await store.save(recordFixture('shop', 'cart', { analysis: 'x'.repeat(10_000) }));
    expect((await store.list({ limit: 10 })).map((s) => s.id)).toEqual([small.id]);
  });

  it('names the field of a bad bound', () => {
    expect(() => createMemoryHistory({ maxRecords: 0, maxBytes: 1 })).toThrow(/maxRecords/);
    expect(() => createMemoryHistory({ maxRecords: 1, maxBytes: 0 })).toThrow(/maxBytes/);
  });
});
