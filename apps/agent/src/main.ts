/** `pnpm start`: the service, configured only by the environment. */
import { ConfigError, loadConfig } from './config.js';
import { installProcessFailurePolicy } from './process-failures.js';
import { createLogger, createService } from './service.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`aiops-agent: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config);
  const service = await createService(config, { logger });
  installProcessFailurePolicy({
    logger,
    telemetry: service.telemetry,
    retire: () => service.retire('the service is restarting after an internal failure; retry shortly'),
    // The analyses in flight end by their deadline; the rest is closing sockets and background PR writes.
    retireLimitMs: config.analysisDeadlineMs + 15_000,
    exit: (code) => process.exit(code),
  });
  const url = await service.start();
  logger.info(
    {
      url,
      llm: config.llm.provider,
      models: config.llm.models.map((m) => `${m.provider}:${m.model}`),
      prometheus: Boolean(config.prometheus),
      github: Boolean(config.github),
      maxConcurrentAnalyses: config.maxConcurrentAnalyses,
      memoryLimitBytes: config.memoryLimitBytes,
    },
    'aiops-agent listening',
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight analyses');
    // fastify's close waits for in-flight requests; the analysis deadline bounds how long that can take.
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `aiops-agent: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
