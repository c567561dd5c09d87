/**
 * Wires the real adapters to the workflow and the app. The only place (with config.ts) that knows about SDKs.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import pino from 'pino';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type {
  AnalysisHistory,
  AnalyzeFn,
  DiagnosisCache,
  MetricsSource,
  RemediationPublisher,
  StructuredModel,
  TokenReviewer,
  TokenUsage,
} from '@aiops/contracts';
import { a2aPlugin, RedisTaskRelay, RedisTaskStore } from '@aiops/a2a';
import { createAnalyzer, createPrAuthor } from '@aiops/agents';
import { createRedactor } from '@aiops/evidence';
import { createGitHubCodeHost } from '@aiops/github';
import {
  connectRedis,
  createMemoryDiagnosisCache,
  createMemoryHistory,
  createRedisDiagnosisCache,
  createRedisHistory,
  createRedisSharedRuns,
} from '@aiops/history';
import {
  createClusterReader,
  createEventRecorder,
  createTokenReviewer,
  createWorkloadReader,
  loadKubeConfig,
} from '@aiops/kube';
import { createGeminiModel, createOpenAiModel, createProviderLimiter, type ProviderLimiter } from '@aiops/llm';
import { createPrometheusSource } from '@aiops/metrics';
import { buildApp } from './app.js';
import { createAnalysisRunner } from './analysis-runner.js';
import type { Config } from './config.js';
import { createTelemetry, type Telemetry } from './telemetry.js';
import { uiRoutes } from './ui/routes.js';
import { createVerdictEvents } from './verdict-events.js';
import { createEvidencePool, type EvidencePoolListener } from './evidence-pool.js';
import { createFlaggerHooks } from './flagger.js';
import { createEvidenceGate, watchEventLoop } from './evidence-gate.js';

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface Service {
  app: FastifyInstance;
  analyze: AnalyzeFn;
  telemetry: Telemetry;
  history: AnalysisHistory;
  /** Listens on config.host:config.port; resolves to the base URL. */
  start(): Promise<string>;
  /** Stops taking work, lets in-flight analyses finish (bounded), closes. */
  stop(): Promise<void>;
  /**
   * For a process that must restart: not ready at once, new analyses refused with a retryable 503, /metrics still
   * served while the analyses in flight finish, then `stop()`.
   */
  retire(reason: string): Promise<void>;
}

export function createLogger(config: Pick<Config, 'logLevel'>): FastifyBaseLogger {
  return pino({
    level: config.logLevel,
    base: { service: 'aiops-agent' },
    // Belt and braces: secrets never reach a log line even if a caller logs a header or config object.
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        '*.apiKey',
        '*.token',
        '*.password',
        '*.privateKey',
        '*.bearerToken',
      ],
      censor: '[REDACTED]',
    },
  });
}

export interface Workflow {
  analyze: AnalyzeFn;
  kubeConfig: ReturnType<typeof loadKubeConfig>;
  /** Background PR authoring still running, when a publisher is configured. */
  settled?: () => Promise<void>;
  /** Stops the model rate limiters' timers. */
  stopModels: () => Promise<void>;
  /** Ends the evidence worker threads. */
  stopWorkers: () => Promise<void>;
}

/** Tokens of one model answer, for the token and cost counters. */
export type ModelUsageListener = (model: string, usage: TokenUsage) => void;

/**
 * The configured models, each behind its provider's rate limiter: one limiter per provider for the whole process,
 * so every analysis (and every model of that provider) shares its requests and tokens per minute.
 */
export function createModels(
  config: Config,
  onUsage?: ModelUsageListener,
): { list: StructuredModel[]; stop: () => Promise<void> } {
  const { llm } = config;
  const limiters = new Map<'gemini' | 'openai', ProviderLimiter>();
  const limiterFor = (provider: 'gemini' | 'openai'): ProviderLimiter => {
    let limiter = limiters.get(provider);
    if (!limiter) {
      limiter = createProviderLimiter(llm.rateLimits[provider]);
      limiters.set(provider, limiter);
    }
    return limiter;
  };
  const list = llm.models.map((spec): StructuredModel => {
    const common = {
      model: spec.model,
      timeoutMs: llm.timeoutMs,
      maxOutputTokens: llm.maxOutputTokens,
      limiter: limiterFor(spec.provider),
      ...(onUsage ? { onUsage: (usage: TokenUsage) => onUsage(spec.model, usage) } : {}),
    };
    return spec.provider === 'gemini'
      ? createGeminiModel({ ...common, apiKey: spec.apiKey, ...(spec.baseUrl ? { baseUrl: spec.baseUrl } : {}) })
      : createOpenAiModel({
          ...common,
          baseUrl: spec.baseUrl,
          structuredOutput: spec.structuredOutput,
          ...(spec.apiKey ? { apiKey: spec.apiKey } : {}),
        });
  });
  return {
    list,
    stop: async () => {
      await Promise.all([...limiters.values()].map((l) => l.stop()));
    },
  };
}

/** The real adapters and the workflow over them: what the service and the CLI both run. */
export function createWorkflow(
  config: Config,
  logger: FastifyBaseLogger,
  options: {
    history?: AnalysisHistory;
    diagnosisCache?: DiagnosisCache;
    onModelUsage?: ModelUsageListener;
    onEvidenceTask?: EvidencePoolListener;
  } = {},
): Workflow {
  const redactor = createRedactor({ extraPatterns: config.redactionExtraPatterns });
  const redact = (text: string) => redactor.redact(text);

  const kubeConfig = loadKubeConfig({
    ...(config.kube.kubeconfigPath ? { kubeconfigPath: config.kube.kubeconfigPath } : {}),
    ...(config.kube.context ? { context: config.kube.context } : {}),
  });
  const cluster = createClusterReader(kubeConfig, { timeoutMs: config.kube.timeoutMs });

  const models = createModels(config, options.onModelUsage);
  // The PR author writes fixes with the first model listed.
  const model: StructuredModel | undefined = models.list[0];

  let metrics: MetricsSource | undefined;
  if (config.prometheus) metrics = createPrometheusSource(config.prometheus);

  let publisher: (RemediationPublisher & { settled(): Promise<void> }) | undefined;
  if (config.github) {
    const gh = config.github;
    const host = createGitHubCodeHost({
      apiUrl: gh.apiUrl,
      timeoutMs: gh.timeoutMs,
      ...(gh.token ? { token: gh.token } : {}),
      ...(gh.app ? { app: gh.app } : {}),
    });
    publisher = createPrAuthor({
      host,
      ...(model ? { model } : {}),
      config: {
        repoAllowlist: gh.repoAllowlist,
        labels: gh.labels,
        budgetMs: gh.budgetMs,
        dryRun: gh.dryRun,
        mode: gh.mode,
        githubHost: gh.host,
        maxEditBytes: 8192,
      },
      redact,
      logger,
    });
  }

  const evidencePool = createEvidencePool(
    { ...config.evidenceWorkers, redact, redactionExtraPatterns: config.redactionExtraPatterns },
    options.onEvidenceTask,
  );
  const analyze = createAnalyzer(
    {
      cluster,
      redact,
      logEvidence: evidencePool.run,
      ...(models.list.length > 0 ? { models: models.list } : {}),
      ...(metrics ? { metrics } : {}),
      ...(publisher ? { publisher } : {}),
      ...(options.history ? { history: options.history } : {}),
      ...(options.diagnosisCache ? { diagnosisCache: options.diagnosisCache } : {}),
    },
    {
      logs: { ...config.logs, concurrency: 8, maxSignatures: 200 },
      metrics: {
        prometheus: {
          preset: config.prometheusPreset,
          ...(config.prometheusQueries ? { queries: config.prometheusQueries } : {}),
        },
        windowSeconds: config.metricsWindowSeconds,
        stepSeconds: Math.max(15, Math.round(config.metricsWindowSeconds / 40)),
      },
      evidenceTokenBudget: config.evidenceTokenBudget,
      policy: { onModelUnavailable: config.onModelUnavailable },
    },
  );
  const settled = publisher?.settled.bind(publisher);
  return {
    analyze,
    kubeConfig,
    stopModels: models.stop,
    stopWorkers: () => evidencePool.close(),
    ...(settled ? { settled } : {}),
  };
}

/** Hits and misses of the diagnosis cache on /metrics. */
function countedCache(cache: DiagnosisCache, telemetry: Telemetry): DiagnosisCache {
  return {
    async get(fingerprint, options) {
      const found = await cache.get(fingerprint, options);
      telemetry.diagnosisCache.inc({ result: found ? 'hit' : 'miss' });
      return found;
    },
    set: (fingerprint, value, options) => cache.set(fingerprint, value, options),
  };
}

export async function createService(
  config: Config,
  overrides: { logger?: FastifyBaseLogger; history?: AnalysisHistory } = {},
): Promise<Service> {
  const logger = overrides.logger ?? createLogger(config);
  const telemetry = createTelemetry();
  // Shared state for replicas when REDIS_URL is set; otherwise this process's memory.
  const redis = config.redisUrl ? connectRedis(config.redisUrl) : undefined;
  const historyBounds = { maxRecords: config.history.maxAnalyses, maxBytes: config.history.maxBytes };
  const history =
    overrides.history ?? (redis ? createRedisHistory(redis.client, historyBounds) : createMemoryHistory(historyBounds));
  const ttlMs = config.evidenceCacheTtlSeconds * 1000;
  const diagnosisCache =
    ttlMs > 0
      ? countedCache(
          redis ? createRedisDiagnosisCache(redis.client, { ttlMs }) : createMemoryDiagnosisCache({ ttlMs }),
          telemetry,
        )
      : undefined;
  const prices = config.llm.prices;
  const workflow = createWorkflow(config, logger, {
    history,
    ...(diagnosisCache ? { diagnosisCache } : {}),
    onEvidenceTask: {
      started: (place) => {
        if (place === 'worker') telemetry.evidenceWorkerBusy.inc();
      },
      finished: (place, result) => {
        if (place === 'worker') telemetry.evidenceWorkerBusy.dec();
        telemetry.evidenceTasks.inc({ place, result });
      },
    },
    onModelUsage: (model, usage) => {
      telemetry.modelTokens.inc({ model, direction: 'input' }, usage.inputTokens);
      telemetry.modelTokens.inc({ model, direction: 'output' }, usage.outputTokens);
      const price = prices[model];
      if (price)
        telemetry.modelCost.inc(
          { model },
          (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000,
        );
    },
  });
  const kubeConfig = workflow.kubeConfig;
  const cores = availableParallelism();
  const gate = createEvidenceGate({
    initial: Math.min(config.gathering.max, 2 * cores),
    // One per core at the least: a loop that lags for another reason must not starve gathering that waits on I/O.
    min: Math.min(config.gathering.max, cores),
    max: config.gathering.max,
    targetDelayMs: config.gathering.targetDelayMs,
  });
  const stopWatching = config.gathering.targetDelayMs > 0 ? watchEventLoop(gate) : () => undefined;
  const analyze = createAnalysisRunner({
    gate,
    analyze: workflow.analyze,
    deadlineMs: config.analysisDeadlineMs,
    maxConcurrent: config.maxConcurrentAnalyses,
    maxQueued: config.maxQueuedAnalyses,
    ...(redis ? { sharedRuns: createRedisSharedRuns(redis.client, { claimTtlMs: config.analysisDeadlineMs }) } : {}),
    telemetry,
    logger,
    history,
  });

  let tokenReviewer: TokenReviewer | undefined;
  if (config.a2a.serviceAccountAuth)
    tokenReviewer = createTokenReviewer(kubeConfig, {
      timeoutMs: config.kube.timeoutMs,
      audiences: [config.a2a.tokenAudience],
    });

  const events = createVerdictEvents(
    config.verdictEvents ? createEventRecorder(kubeConfig, { timeoutMs: config.kube.timeoutMs }) : undefined,
    { logger, timeoutMs: config.kube.timeoutMs },
  );

  const flagger = createFlaggerHooks({
    analyze,
    workloads: createWorkloadReader(kubeConfig, { timeoutMs: config.kube.timeoutMs }),
    events,
    logger,
    waitMs: config.flagger.hookWaitMs,
    reanalyzeMs: config.flagger.reanalyzeSeconds * 1000,
    kubeTimeoutMs: config.kube.timeoutMs,
  });

  // A2A tasks and their cancellation shared by the replicas (Redis), else this process's bounded memory.
  const taskBounds = { maxTasks: config.a2a.maxTasks, maxAgeMs: config.a2a.taskTtlSeconds * 1000 };
  const sharedTasks = redis
    ? {
        taskStore: new RedisTaskStore(redis.client, {
          ...taskBounds,
          leaseMs: config.a2a.taskLeaseSeconds * 1000,
          onHeartbeatError: (err) =>
            logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'a2a task heartbeat failed'),
        }),
        relay: new RedisTaskRelay(redis.client),
      }
    : undefined;

  const auth =
    config.a2a.auth === 'bearer'
      ? { tokens: config.a2a.tokens, ...(tokenReviewer ? { tokenReviewer } : {}) }
      : undefined;
  const { app, setDraining } = await buildApp({
    analyze,
    telemetry,
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    requestTimeoutMs: config.requestTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs,
    ...(config.analyzeNamespaces ? { analyzeNamespaces: config.analyzeNamespaces } : {}),
    events,
    flagger,
    version: VERSION,
  });
  await app.register(a2aPlugin, {
    analyze,
    card: {
      name: 'aiops-agent',
      description:
        'Decides with evidence whether an Argo Rollouts canary should be promoted, explains why, and proposes the fix.',
      version: VERSION,
      ...(config.a2a.publicUrl ? { publicUrl: config.a2a.publicUrl } : {}),
      allowedHosts: config.a2a.allowedHosts,
    },
    // No auth block at all when auth is off: the plugin refuses an auth block without a token source.
    ...(auth ? { auth } : {}),
    ...(config.a2a.namespaceGrants ? { namespaceGrants: config.a2a.namespaceGrants } : {}),
    tasks: taskBounds,
    ...(sharedTasks
      ? {
          taskStore: sharedTasks.taskStore,
          replicas: {
            cancels: sharedTasks.relay,
            updates: sharedTasks.relay,
            // A stream following a task run elsewhere looks at the store at least once per lease.
            checkMs: config.a2a.taskLeaseSeconds * 1000,
          },
        }
      : {}),
    heartbeatMs: 15_000,
    bodyLimit: config.bodyLimitBytes,
    logger,
  });

  // The operator's view of the history, behind the same auth as the A2A routes.
  await app.register(uiRoutes, { history, ...(auth ? { auth } : {}) });

  const service: Service = {
    app,
    analyze,
    telemetry,
    history,
    async start() {
      return app.listen({ port: config.port, host: config.host });
    },
    async retire(reason) {
      setDraining(true);
      analyze.stopAdmitting(reason);
      await analyze.idle();
      await service.stop();
    },
    async stop() {
      stopWatching();
      setDraining(true);
      await app.close();
      await events.settled();
      await workflow.stopModels();
      await workflow.stopWorkers();
      // Issues and PRs still being written in the background get a bounded moment to finish.
      if (workflow.settled) {
        const grace = new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref());
        await Promise.race([workflow.settled(), grace]);
      }
      await sharedTasks?.relay.close();
      await sharedTasks?.taskStore.close();
      await redis?.close();
    },
  };
  return service;
}
