/**
 * The shared stores, in Redis (ioredis), selected by REDIS_URL: the analysis history and the diagnosis cache, so
 * that replicas behind one Service see the same measurements of a rollout and reuse each other's diagnoses. Every
 * call goes through callDependency (timeout, the caller's signal, DependencyError('history', ...)); callers treat
 * both stores as optional, so Redis being down costs the history and the reuse, never a verdict.
 */
import { Redis } from 'ioredis';
import {
  callDependency,
  InvalidRequestError,
  type AnalysisHistory,
  type AnalysisRecord,
  type AnalysisSummary,
  type CachedDiagnosis,
  type CallOptions,
  type DiagnosisCache,
  type HistoryQuery,
} from '@aiops/contracts';
import { summaryOf } from './summary.js';

export interface RedisConnection {
  client: Redis;
  close(): Promise<void>;
}

/** One connection for every store of the process; commands fail fast while Redis is unreachable. */
export function connectRedis(url: string): RedisConnection {
  const client = new Redis(url, {
    lazyConnect: false,
    // A command waits for a reconnect at most once; callDependency's timeout bounds it anyway.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectionName: 'aiops-agent',
  });
  // Connection errors surface on the commands (as DependencyErrors); the client reconnects by itself.
  client.on('error', () => undefined);
  return {
    client,
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

const NO_SIGNAL = (): AbortSignal => new AbortController().signal;

function call<T>(what: string, options: Partial<CallOptions> | undefined, timeoutMs: number, work: () => Promise<T>) {
  return callDependency({ dependency: 'history', what, signal: options?.signal ?? NO_SIGNAL(), timeoutMs }, work);
}

// Saves a record and evicts the oldest until both bounds hold (one round trip, atomic across replicas).
// KEYS: order (zset id by sequence), records (hash id → json), summaries (hash id → json), sizes (hash id → bytes),
//       bytes (total), seq. ARGV: id, json, summary, size, maxRecords, maxBytes.
const SAVE = `
local old = redis.call('HGET', KEYS[4], ARGV[1])
if old then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1]); redis.call('HDEL', KEYS[3], ARGV[1]); redis.call('HDEL', KEYS[4], ARGV[1])
  redis.call('DECRBY', KEYS[5], old)
end
local size = tonumber(ARGV[4])
local maxRecords = tonumber(ARGV[5])
local maxBytes = tonumber(ARGV[6])
if size > maxBytes then return 0 end
while redis.call('ZCARD', KEYS[1]) > 0 and (redis.call('ZCARD', KEYS[1]) >= maxRecords or tonumber(redis.call('GET', KEYS[5]) or '0') + size > maxBytes) do
  local oldest = redis.call('ZPOPMIN', KEYS[1])[1]
  local bytes = redis.call('HGET', KEYS[4], oldest) or '0'
  redis.call('HDEL', KEYS[2], oldest); redis.call('HDEL', KEYS[3], oldest); redis.call('HDEL', KEYS[4], oldest)
  redis.call('DECRBY', KEYS[5], bytes)
end
local seq = redis.call('INCR', KEYS[6])
redis.call('ZADD', KEYS[1], seq, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]); redis.call('HSET', KEYS[3], ARGV[1], ARGV[3]); redis.call('HSET', KEYS[4], ARGV[1], size)
redis.call('INCRBY', KEYS[5], size)
return 1
`;

export interface RedisHistoryOptions {
  maxRecords: number;
  maxBytes: number;
  /** Key prefix (one per deployment sharing a Redis). Default `aiops:history:`. */
  prefix?: string;
  timeoutMs?: number;
}

export function createRedisHistory(redis: Redis, options: RedisHistoryOptions): AnalysisHistory {
  if (!(options.maxRecords >= 1)) throw new InvalidRequestError('maxRecords', 'must be at least 1');
  if (!(options.maxBytes >= 1)) throw new InvalidRequestError('maxBytes', 'must be at least 1');
  const p = options.prefix ?? 'aiops:history:';
  const keys = ['order', 'records', 'summaries', 'sizes', 'bytes', 'seq'].map((k) => p + k);
  const timeoutMs = options.timeoutMs ?? 2000;
  return {
    async save(record, callOptions) {
      const json = JSON.stringify(record);
      const size = Buffer.byteLength(json, 'utf8');
      await call('save an analysis in the history', callOptions, timeoutMs, () =>
        redis.eval(
          SAVE,
          keys.length,
          ...keys,
          record.id,
          json,
          JSON.stringify(summaryOf(record)),
          size,
          options.maxRecords,
          options.maxBytes,
        ),
      );
    },
    async get(id, callOptions) {
      const json = await call('read an analysis from the history', callOptions, timeoutMs, () =>
        redis.hget(keys[1]!, id),
      );
      return json ? (JSON.parse(json) as AnalysisRecord) : undefined;
    },
    async list(query: HistoryQuery, callOptions) {
      return call('list analyses in the history', callOptions, timeoutMs, async () => {
        // Newest first; the store is bounded by maxRecords, so one pass over it is bounded too.
        const ids = await redis.zrevrange(keys[0]!, 0, -1);
        const out: AnalysisSummary[] = [];
        for (let i = 0; i < ids.length && out.length < query.limit; i += 100) {
          const batch = ids.slice(i, i + 100);
          const summaries = await redis.hmget(keys[2]!, ...batch);
          for (const json of summaries) {
            if (!json || out.length >= query.limit) continue;
            const s = JSON.parse(json) as AnalysisSummary;
            if (query.namespace !== undefined && s.namespace !== query.namespace) continue;
            if (query.verdict !== undefined && s.verdict !== query.verdict) continue;
            if (query.key !== undefined && s.key !== query.key) continue;
            out.push(s);
          }
        }
        return out;
      });
    },
  };
}

export interface RedisDiagnosisCacheOptions {
  ttlMs: number;
  prefix?: string;
  timeoutMs?: number;
}

export function createRedisDiagnosisCache(redis: Redis, options: RedisDiagnosisCacheOptions): DiagnosisCache {
  const p = options.prefix ?? 'aiops:diagnosis:';
  const timeoutMs = options.timeoutMs ?? 2000;
  return {
    async get(fingerprint, callOptions) {
      const json = await call('read a cached diagnosis', callOptions, timeoutMs, () => redis.get(p + fingerprint));
      return json ? (JSON.parse(json) as CachedDiagnosis) : undefined;
    },
    async set(fingerprint, value, callOptions) {
      await call('cache a diagnosis', callOptions, timeoutMs, () =>
        redis.set(p + fingerprint, JSON.stringify(value), 'PX', options.ttlMs),
      );
    },
  };
}
