/**
 * The default diagnosis cache: in this process, bounded by entries, each kept for the TTL (lru-cache). Values are
 * kept serialised, like the shared store keeps them, so a caller cannot change a cached diagnosis by reference.
 */
import { LRUCache } from 'lru-cache';
import type { CachedDiagnosis, DiagnosisCache } from '@aiops/contracts';

export interface MemoryDiagnosisCacheOptions {
  ttlMs: number;
  maxEntries?: number;
}

export function createMemoryDiagnosisCache(options: MemoryDiagnosisCacheOptions): DiagnosisCache {
  const cache = new LRUCache<string, string>({ max: options.maxEntries ?? 10_000, ttl: options.ttlMs });
  return {
    async get(fingerprint) {
      const json = cache.get(fingerprint);
      return json === undefined ? undefined : (JSON.parse(json) as CachedDiagnosis);
    },
    async set(fingerprint, value) {
      cache.set(fingerprint, JSON.stringify(value));
    },
  };
}
