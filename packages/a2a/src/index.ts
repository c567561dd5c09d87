export { a2aPlugin, UNAUTHENTICATED_CODE, type A2aPluginOptions } from './plugin.js';
export type { Replicas } from './request-checks.js';
export { buildAgentCard, AGENT_CARD_PATH, JSONRPC_PATH, REST_PREFIX, BEARER_SCHEME, type CardOptions } from './card.js';
export {
  AnalysisExecutor,
  interpretMessages,
  verdictData,
  summaryText,
  reasonOf,
  type ExecutorLogger,
} from './executor.js';
export {
  BoundedTaskStore,
  ownerOf,
  scopeKey,
  isFinished,
  ANONYMOUS_OWNER,
  type BoundedTaskStoreOptions,
} from './task-store.js';
export {
  RedisTaskStore,
  RedisTaskRelay,
  type RedisTaskStoreOptions,
  type TaskCancels,
  type TaskUpdates,
  type TaskFollower,
} from './redis-task-store.js';
export { BearerAuthenticator, AuthenticatedUser, bearerTokenOf, type AuthOptions, type AuthDecision } from './auth.js';
export { parseTextRequest, type TextRequestFields } from './text-request.js';
export { parseHost, isAllowedHost } from './allowed-hosts.js';
export { FORBIDDEN_CODE, mayAnalyse, type NamespaceGrants } from './authorize.js';
