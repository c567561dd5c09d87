#!/usr/bin/env node
/**
 * `aiops-agent analyze -n <namespace> <rollout>`: the same workflow as the service, run once against the current
 * kubeconfig, printing the evidence and the verdict (or the metric-ai answer with --json).
 * `aiops-agent serve`: the service (`pnpm start`). Exit codes: 0 promote, 1 reject, 2 bad usage or configuration,
 * 3 no verdict (a dependency failed or the deadline passed), 4 nothing to judge (no canary pods, ...).
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { AgentError, asAgentError, DeadlineError, toAnalysisRequest } from '@aiops/contracts';
import { ConfigError, loadConfig } from './config.js';
import { formatOutcome, formatProgress } from './cli-format.js';
import { createWorkflow, VERSION } from './service.js';

const USAGE = `Usage:
  aiops-agent analyze -n <namespace> <rollout> [--canary-selector <sel>] [--stable-selector <sel>]
                      [--extra-prompt <text>] [--json] [--no-model]
  aiops-agent serve            start the service (configured by the environment, like pnpm start)
  aiops-agent --version

analyze reads the cluster of the current kubeconfig (KUBECONFIG, KUBE_CONTEXT) and the same environment as the
service (PROMETHEUS_URL, GOOGLE_API_KEY, ...). Exit code: 0 promote (or inconclusive on thin evidence, which the plugin treats as a pass), 1 reject,
2 usage, 3 no verdict (dependency failure, deadline), 4 nothing to judge.`;

function fail(message: string): never {
  process.stderr.write(`aiops-agent: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function analyze(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        namespace: { type: 'string', short: 'n' },
        'canary-selector': { type: 'string' },
        'stable-selector': { type: 'string' },
        'extra-prompt': { type: 'string' },
        json: { type: 'boolean', default: false },
        'no-model': { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (!values.namespace) fail('-n <namespace> is required');
  if (positionals.length > 1) fail(`one rollout at a time (got ${positionals.join(', ')})`);
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...(values['no-model'] ? { LLM_PROVIDER: 'none' } : {}),
  };
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  // Logs go to stderr so that stdout stays the answer (--json) or the report.
  const logger = pino(
    { level: env.LOG_LEVEL ?? 'warn', base: { service: 'aiops-agent-cli' } },
    pino.destination(2),
  ) as FastifyBaseLogger;
  const request = toAnalysisRequest({
    context: {
      namespace: values.namespace,
      ...(positionals[0] ? { rolloutName: positionals[0] } : {}),
      ...(values['canary-selector'] ? { canarySelector: values['canary-selector'] } : {}),
      ...(values['stable-selector'] ? { stableSelector: values['stable-selector'] } : {}),
      ...(values['extra-prompt'] ? { extraPrompt: values['extra-prompt'] } : {}),
    },
  });
  const workflow = createWorkflow(config, logger);
  const started = performance.now();
  const tty = process.stderr.isTTY === true;
  const deadline = AbortSignal.timeout(config.analysisDeadlineMs);
  const interrupted = new AbortController();
  process.once('SIGINT', () => interrupted.abort(new AgentError('cancelled', 'interrupted')));
  try {
    const outcome = await workflow.analyze(request, {
      signal: AbortSignal.any([deadline, interrupted.signal]),
      ...(tty
        ? {
            onProgress: (event) =>
              process.stderr.write(`${formatProgress(event, Math.round(performance.now() - started))}\n`),
          }
        : {}),
    });
    if (outcome.absent) {
      // Nothing to judge is never a verdict (the plugin route answers it without `promote`).
      process.stdout.write(
        values.json
          ? `${JSON.stringify({ outcome: 'inconclusive', absent: outcome.absent }, null, 2)}\n`
          : `${formatOutcome(outcome)}\n`,
      );
      return 4;
    }
    process.stdout.write(values.json ? `${JSON.stringify(outcome.answer, null, 2)}\n` : `${formatOutcome(outcome)}\n`);
    await workflow.settled?.();
    return outcome.answer.promote ? 0 : 1;
  } catch (err) {
    const error = deadline.aborted
      ? new DeadlineError(`no verdict within ANALYSIS_DEADLINE_MS=${config.analysisDeadlineMs}`)
      : asAgentError(err);
    if (error.field) fail(error.message);
    if (values.json)
      process.stdout.write(
        `${JSON.stringify({ error: { code: error.code, message: error.message, ...(error.dependency ? { dependency: error.dependency } : {}) } }, null, 2)}\n`,
      );
    process.stderr.write(`aiops-agent: no verdict: ${error.message}\n`);
    return 3;
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'analyze':
      process.exitCode = await analyze(rest);
      return;
    case 'serve':
      // The service entry starts on import and handles its own signals.
      await import('./main.js');
      return;
    case '--version':
    case 'version':
      process.stdout.write(`${VERSION}\n`);
      return;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      fail(`unknown command "${command}"`);
  }
}

main().catch((err: unknown) => {
  const error = err instanceof AgentError ? err : undefined;
  if (error?.field) fail(error.message);
  process.stderr.write(`aiops-agent: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(error ? 2 : 1);
});
