/** A worker thread of the evidence pool: the pure log evidence (parsing, templating, signature diff, access logs). */
import { logEvidence, type LogEvidence, type LogEvidenceOptions, type LogText } from '@aiops/evidence';

export interface EvidenceTask {
  texts: LogText[];
  options: LogEvidenceOptions;
}

export default function run(task: EvidenceTask): LogEvidence {
  return logEvidence(task.texts, task.options);
}
