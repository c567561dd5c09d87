/**
 * CPU per analysis of the log evidence on corpus scenarios of realistic size: redaction alone, then redaction plus
 * logEvidence (parsing, templating, signature diff, access-log judgement), the work a large analysis sends to an
 * evidence worker. Measured in CPU time of this process (process.cpuUsage), median of several rounds, so a machine
 * shared with other jobs does not inflate the figure as much as wall-clock time would.
 */
import { createRedactor, logEvidence, type LogText } from '@aiops/evidence';
import { scenarioById } from '@aiops/testkit';

const ids = ['deprecation-warn', 'java-npe', 'noisy-healthy-java', 'go-panic', 'healthy', 'memory-growth'];
const analyses: LogText[][] = ids.map((id) => {
  const scenario = scenarioById(id);
  if (scenario === undefined) throw new Error(`no scenario ${id}`);
  return scenario.pods.flatMap((pod) =>
    pod.containers.map((c) => ({
      side: pod.side,
      pod: pod.name,
      proxy: false,
      text: [...(c.previousLogs ?? []), ...c.logs].join('\n'),
    })),
  );
});
const lines = analyses.reduce((n, texts) => n + texts.reduce((m, t) => m + t.text.split('\n').length, 0), 0);
const redactor = createRedactor({ extraPatterns: [] });
const options = { maxSignatures: 30, examplesPerSignature: 3, maxExampleChars: 300 };

let sink = 0;
function round(withEvidence: boolean, count: number): number {
  const started = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const texts = analyses[i % analyses.length] ?? [];
    const redacted = texts.map((t) => ({ ...t, text: redactor.redact(t.text) }));
    sink += withEvidence ? logEvidence(redacted, options).events.canary : redacted.length;
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000 / count;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;
round(true, 60);
const redactOnly: number[] = [];
const whole: number[] = [];
for (let r = 0; r < 7; r++) {
  redactOnly.push(round(false, 60));
  whole.push(round(true, 60));
}
const redactMs = median(redactOnly);
const wholeMs = median(whole);
console.log(
  `log evidence per analysis (${ids.length} corpus scenarios, ${Math.round(lines / ids.length)} lines on average), CPU ms, median of 7:`,
);
console.log(
  `  redaction ${redactMs.toFixed(2)} ms, redaction + logEvidence ${wholeMs.toFixed(2)} ms (logEvidence ${(wholeMs - redactMs).toFixed(2)} ms)${sink > 0 ? '' : ' (no events)'}`,
);
