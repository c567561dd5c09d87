/**
 * Verdicts as Kubernetes Events on the analysed object (the Rollout, the Flagger Canary), so `kubectl describe`
 * shows them. Written in the background, bounded by the Kubernetes timeout: an Event that cannot be written costs a
 * log line, never the verdict or its latency.
 */
import {
  asAgentError,
  toVerdictEvent,
  type AnalysisOutcome,
  type EventRecorder,
  type ObjectReference,
} from '@aiops/contracts';
import type { FastifyBaseLogger } from 'fastify';

export interface VerdictEvents {
  /** Starts writing the Event of this outcome on `object`; returns at once. */
  record(object: ObjectReference | undefined, outcome: AnalysisOutcome): void;
  /** Resolves when every Event write started so far has finished. */
  settled(): Promise<void>;
}

export function createVerdictEvents(
  recorder: EventRecorder | undefined,
  options: { logger: FastifyBaseLogger; timeoutMs: number },
): VerdictEvents {
  const pending = new Set<Promise<void>>();
  return {
    record(object, outcome) {
      if (!recorder || !object) return;
      const event = toVerdictEvent(object, outcome);
      const write = recorder
        .record(event, { signal: AbortSignal.timeout(options.timeoutMs) })
        .then(
          (written) => {
            if (written)
              options.logger.debug(
                {
                  namespace: object.namespace,
                  object: `${object.kind}/${object.name}`,
                  event: written.name,
                  count: written.count,
                },
                'verdict event written',
              );
            else
              options.logger.info(
                { namespace: object.namespace, object: `${object.kind}/${object.name}` },
                'verdict event not written: the object does not exist',
              );
          },
          (err: unknown) => {
            const error = asAgentError(err);
            options.logger.warn(
              {
                namespace: object.namespace,
                object: `${object.kind}/${object.name}`,
                code: error.code,
                err: error.message,
              },
              'verdict event not written',
            );
          },
        )
        .finally(() => pending.delete(write));
      pending.add(write);
    },
    async settled() {
      await Promise.all([...pending]);
    },
  };
}
