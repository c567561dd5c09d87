/**
 * The behaviour every AnalysisHistory store must have (memory now; a shared store such as Redis runs the same).
 * `make` returns a fresh, empty store bounded to `maxRecords` records.
 */
import { describe, expect, it } from 'vitest';
import type { AnalysisHistory } from '@aiops/contracts';
import { recordFixture } from './fixtures.js';

export function historyContract(
  name: string,
  make: (bounds: { maxRecords: number }) => Promise<AnalysisHistory>,
): void {
  describe(`${name}: the AnalysisHistory contract`, () => {
    it('gives back what was saved, as a copy', async () => {
      const store = await make({ maxRecords: 10 });
      const record = recordFixture('shop', 'cart', { promote: false, prLink: 'https://github.com/o/r/pull/1' });
      await store.save(record);
      const read = await store.get(record.id);
      expect(read).toEqual(record);
      read!.reason = 'changed by a reader';
      expect((await store.get(record.id))?.reason).toBe(record.reason);
      expect(await store.get('no-such-id')).toBeUndefined();
    });

    it('lists newest first, filtered by namespace, verdict and rollout key, up to the limit', async () => {
      const store = await make({ maxRecords: 10 });
      const a = recordFixture('shop', 'cart', { promote: true });
      const b = recordFixture('shop', 'cart', { promote: false });
      const c = recordFixture('billing', 'api', { promote: false });
      for (const r of [a, b, c]) await store.save(r);
      expect((await store.list({ limit: 10 })).map((s) => s.id)).toEqual([c.id, b.id, a.id]);
      expect((await store.list({ limit: 2 })).map((s) => s.id)).toEqual([c.id, b.id]);
      expect((await store.list({ namespace: 'shop', limit: 10 })).map((s) => s.id)).toEqual([b.id, a.id]);
      expect((await store.list({ verdict: 'reject', limit: 10 })).map((s) => s.id)).toEqual([c.id, b.id]);
      expect((await store.list({ key: 'rollout:shop/cart', verdict: 'promote', limit: 10 })).map((s) => s.id)).toEqual([
        a.id,
      ]);
      const [summary] = await store.list({ namespace: 'billing', limit: 1 });
      expect(summary).toEqual({
        id: c.id,
        key: c.key,
        namespace: 'billing',
        rolloutName: 'api',
        finishedAt: c.finishedAt,
        verdict: 'reject',
        promote: false,
        confidence: 80,
        decidedBy: 'evidence',
        reason: 'nothing wrong',
      });
    });

    it('evicts the oldest record beyond its count bound', async () => {
      const store = await make({ maxRecords: 3 });
      const records = [1, 2, 3, 4, 5].map(() => recordFixture('shop', 'cart'));
      for (const r of records) await store.save(r);
      expect((await store.list({ limit: 10 })).map((s) => s.id)).toEqual([
        records[4]!.id,
        records[3]!.id,
        records[2]!.id,
      ]);
      expect(await store.get(records[0]!.id)).toBeUndefined();
    });
  });
}
