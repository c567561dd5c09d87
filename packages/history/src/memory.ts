/**
 * The default history store: in this process, bounded by count and by bytes, oldest evicted first. Records are
 * kept serialised, so the byte bound is exact and no caller can change a stored record through a reference (the
 * same semantics a shared store has).
 */
import {
  InvalidRequestError,
  type AnalysisHistory,
  type AnalysisRecord,
  type AnalysisSummary,
  type HistoryQuery,
} from '@aiops/contracts';
import { summaryOf } from './summary.js';

export interface MemoryHistoryOptions {
  /** Records kept at most. */
  maxRecords: number;
  /** Serialised bytes kept at most (a single larger record is not kept). */
  maxBytes: number;
}

interface Entry {
  json: string;
  bytes: number;
  summary: AnalysisSummary;
}

export interface MemoryHistory extends AnalysisHistory {
  /** What is held now: for tests, benchmarks and /metrics. */
  size(): { records: number; bytes: number };
}

export function createMemoryHistory(options: MemoryHistoryOptions): MemoryHistory {
  if (!(options.maxRecords >= 1)) throw new InvalidRequestError('maxRecords', 'must be at least 1');
  if (!(options.maxBytes >= 1)) throw new InvalidRequestError('maxBytes', 'must be at least 1');
  // Insertion order is age: the first entry is the oldest.
  const entries = new Map<string, Entry>();
  let bytes = 0;
  const evictOldest = () => {
    const oldest = entries.keys().next();
    if (oldest.done) return;
    bytes -= entries.get(oldest.value)?.bytes ?? 0;
    entries.delete(oldest.value);
  };
  return {
    async save(record) {
      const json = JSON.stringify(record);
      const size = Buffer.byteLength(json, 'utf8');
      if (size > options.maxBytes) return;
      const existing = entries.get(record.id);
      if (existing) {
        bytes -= existing.bytes;
        entries.delete(record.id);
      }
      while (entries.size > 0 && (entries.size >= options.maxRecords || bytes + size > options.maxBytes)) evictOldest();
      entries.set(record.id, { json, bytes: size, summary: summaryOf(record) });
      bytes += size;
    },
    async get(id) {
      const entry = entries.get(id);
      return entry ? (JSON.parse(entry.json) as AnalysisRecord) : undefined;
    },
    async list(query: HistoryQuery) {
      const out: AnalysisSummary[] = [];
      const all = [...entries.values()];
      for (let i = all.length - 1; i >= 0 && out.length < query.limit; i--) {
        const s = all[i]!.summary;
        if (query.namespace !== undefined && s.namespace !== query.namespace) continue;
        if (query.verdict !== undefined && s.verdict !== query.verdict) continue;
        if (query.key !== undefined && s.key !== query.key) continue;
        out.push(structuredClone(s));
      }
      return out;
    },
    size: () => ({ records: entries.size, bytes }),
  };
}
