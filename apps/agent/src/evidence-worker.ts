/**
 * A worker thread of the evidence pool: the log texts redacted (with the service's rules and its
 * REDACTION_EXTRA_PATTERNS), then the pure log evidence (parsing, templating, signature diff, access logs).
 */
import {
  createRedactor,
  logEvidence,
  type LogEvidence,
  type LogEvidenceOptions,
  type LogText,
  type Redactor,
} from '@aiops/evidence';

export interface EvidenceTask {
  /** As read from the cluster: not yet redacted. */
  texts: LogText[];
  options: LogEvidenceOptions;
  /** REDACTION_EXTRA_PATTERNS (regex sources). */
  extraPatterns: string[];
}

/** One redactor per pattern list for the thread's lifetime (the service has one list). */
const redactors = new Map<string, Redactor>();

export default function run(task: EvidenceTask): LogEvidence {
  const key = JSON.stringify(task.extraPatterns);
  let redactor = redactors.get(key);
  if (redactor === undefined) {
    redactor = createRedactor({ extraPatterns: task.extraPatterns });
    redactors.set(key, redactor);
  }
  const redact = redactor;
  return logEvidence(
    task.texts.map((t) => ({ ...t, text: redact.redact(t.text) })),
    task.options,
  );
}
