/**
 * What the process does with a rejection or an exception nobody handled (the reasons: docs/process-failures.md).
 * Such a failure is a bug in this process or in a library it trusts, never a bad upstream answer (adapters turn
 * those into typed errors). The state it leaves is unknown, so the process counts it, logs it with its stack,
 * stops being ready, lets the analyses in flight finish, and exits non-zero so Kubernetes restarts it.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Telemetry } from './telemetry.js';

/** EX_SOFTWARE (sysexits.h): an internal software error; the pod's last termination shows it. */
export const UNHANDLED_FAILURE_EXIT_CODE = 70;

export type UnhandledFailureKind = 'unhandledRejection' | 'uncaughtException';

export interface ProcessFailurePolicyOptions {
  logger: FastifyBaseLogger;
  telemetry: Telemetry;
  /** Stops taking work, waits for the analyses in flight, closes the server. */
  retire(): Promise<void>;
  /** Longest the retirement may take before the process exits anyway. */
  retireLimitMs: number;
  exit(code: number): void;
}

export function installProcessFailurePolicy(options: ProcessFailurePolicyOptions): void {
  const { logger, telemetry } = options;
  let retiring = false;
  // Both series exist from the start, so a dashboard (and the tests) read 0, not "no data".
  telemetry.unhandledFailures.inc({ kind: 'unhandledRejection' }, 0);
  telemetry.unhandledFailures.inc({ kind: 'uncaughtException' }, 0);

  const onFailure = (kind: UnhandledFailureKind, reason: unknown) => {
    telemetry.unhandledFailures.inc({ kind });
    // pino's error serializer keeps type, message and stack; adapters keep secrets out of their messages.
    const err = reason instanceof Error ? reason : new Error(`non-error ${kind}: ${String(reason)}`);
    logger.fatal(
      { kind, err, alreadyRetiring: retiring },
      'unhandled failure: not ready, finishing in-flight analyses, then exiting to be restarted',
    );
    if (retiring) return;
    retiring = true;
    // A retirement that itself hangs must not keep a broken process alive.
    setTimeout(() => options.exit(UNHANDLED_FAILURE_EXIT_CODE), options.retireLimitMs);
    options.retire().then(
      () => options.exit(UNHANDLED_FAILURE_EXIT_CODE),
      (retireError: unknown) => {
        logger.error({ err: retireError }, 'retirement after an unhandled failure failed');
        options.exit(UNHANDLED_FAILURE_EXIT_CODE);
      },
    );
  };
  process.on('unhandledRejection', (reason) => onFailure('unhandledRejection', reason));
  process.on('uncaughtException', (err) => onFailure('uncaughtException', err));
}
