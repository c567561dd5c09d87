export { createMemoryHistory, type MemoryHistory, type MemoryHistoryOptions } from './memory.js';
export { summaryOf } from './summary.js';
export { toAnalysisRecord, newAnalysisId } from './record.js';
export { createMemoryDiagnosisCache, type MemoryDiagnosisCacheOptions } from './diagnosis-cache.js';
export {
  connectRedis,
  createRedisDiagnosisCache,
  createRedisHistory,
  type RedisConnection,
  type RedisDiagnosisCacheOptions,
  type RedisHistoryOptions,
} from './redis.js';
export { createRedisSharedRuns, type RedisSharedRunsOptions, type SharedRuns } from './shared-runs.js';
