/**
 * A2A v1.0 on fastify, assembled: the agent card, the JSON-RPC binding (`POST /a2a/jsonrpc`) and the HTTP+JSON
 * binding (`/a2a/v1/...`) over one SDK DefaultRequestHandler, a bounded per-caller task store, and optional bearer
 * auth passed to both bindings (never on the agent card, never on the metric-ai route `/a2a/analyze`).
 *
 * The plugin is encapsulated on purpose (no fastify-plugin): its raw-string body parsers and auth hooks apply to
 * its own routes only.
 */
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import type { AnalyzeFn } from '@aiops/contracts';
import { registerAgentCardRoute } from './agent-card-route.js';
import { BearerAuthenticator, type AuthOptions } from './auth.js';
import { bearerCheck } from './auth-hook.js';
import { guardNamespaces, type NamespaceGrants } from './authorize.js';
import { buildAgentCard, type CardOptions } from './card.js';
import { AnalysisExecutor } from './executor.js';
import { registerJsonRpcBinding } from './jsonrpc-binding.js';
import { registerRestBinding } from './rest-binding.js';
import { CheckedRequestHandler, PublishingBusManager, type Replicas } from './request-checks.js';
import { BoundedTaskStore, type BoundedTaskStoreOptions } from './task-store.js';

export { UNAUTHENTICATED_CODE } from './jsonrpc-binding.js';

export interface A2aPluginOptions {
  analyze: AnalyzeFn;
  card: CardOptions;
  /** Off when absent. */
  auth?: AuthOptions;
  /** Caller → namespaces it may analyse (needs auth); absent: an authenticated caller may analyse any namespace. */
  namespaceGrants?: NamespaceGrants;
  /** Bounds of the in-memory task store (the default). */
  tasks?: BoundedTaskStoreOptions;
  /** A shared task store (Redis, for replicas) in place of the in-memory one. */
  taskStore?: TaskStore;
  /** Cancel requests and task updates between the replicas sharing `taskStore`. */
  replicas?: Replicas;
  /** Interval of `: ping` comments on SSE streams; default 15 s. */
  heartbeatMs?: number;
  /** Largest accepted request body; default 1 MiB. */
  bodyLimit?: number;
  logger?: FastifyBaseLogger;
}

export const a2aPlugin: FastifyPluginAsync<A2aPluginOptions> = async (app, options) => {
  const log = options.logger ?? app.log;
  const authenticator = options.auth ? new BearerAuthenticator(options.auth) : undefined;
  const authEnabled = authenticator !== undefined;

  // The handler and the version checks read only capabilities and interface versions from this card; the served
  // card's URLs are decided per request by the card route.
  const card = buildAgentCard(options.card, options.card.publicUrl ?? 'http://localhost', authEnabled);
  const executor = new AnalysisExecutor(options.analyze, log);
  const handler = new CheckedRequestHandler(
    card,
    options.taskStore ?? new BoundedTaskStore(options.tasks),
    executor,
    new PublishingBusManager(options.replicas?.updates),
    options.replicas,
  );
  options.replicas?.cancels.onRequest((taskId, scope) => {
    if (executor.cancelRunning(taskId, scope)) log.info({ taskId }, 'a2a task cancelled from another replica');
  });

  const binding = {
    handler,
    typedFailureOf: (context: ServerCallContext) => handler.typedFailureOf(context),
    card,
    ...(authenticator ? { auth: bearerCheck(authenticator, log) } : {}),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    log,
  };
  if (options.namespaceGrants) {
    // Without authentication every caller is the same anonymous one: grants would mean nothing.
    if (!authEnabled) throw new Error('A2A namespace grants need A2A auth');
    guardNamespaces(app, options.namespaceGrants);
  }
  registerAgentCardRoute(app, { card: options.card, authEnabled });
  await registerJsonRpcBinding(app, binding);
  await registerRestBinding(app, binding);
};
