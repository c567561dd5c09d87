/** Rendering the evidence for the model on huge inputs: time and output size stay bounded. Prints figures only. */
import { EvidenceIds } from '@aiops/contracts';
import type { Evidence, LogSignature } from '@aiops/contracts';
import { createRedactor, renderEvidenceForModel } from '@aiops/evidence';

const redactor = createRedactor();
const redact = (text: string): string => redactor.redact(text);

function evidence(signatureCount: number, lineChars: number): Evidence {
  const huge = 'x'.repeat(lineChars);
  const signatures: LogSignature[] = Array.from({ length: signatureCount }, (_, i) => ({
    id: `sig-${i}`,
    template: `${huge} ${i}`,
    severity: 'info',
    errorLike: false,
    kind: 'info',
    canary: { count: 3, perThousand: 1 },
    stable: { count: 3, perThousand: 1 },
    canaryOnly: false,
    examples: [huge, huge],
  }));
  return {
    request: { namespace: 'shop', rolloutName: 'cart', stableSelector: 'role=stable', canarySelector: 'role=canary' },
    collectedAt: '2024-05-01T10:00:00Z',
    pods: { canary: [], stable: [] },
    logs: { canaryLines: 1e6, stableLines: 1e6, signatures, omitted: 0 },
    events: [],
    metrics: { source: 'kubernetes', comparisons: [], notes: [] },
    findings: Array.from({ length: 5 }, (_, i) => ({
      id: EvidenceIds.logSignature(`hard-${i}`),
      kind: 'panic' as const,
      side: 'canary' as const,
      severity: 'critical' as const,
      hard: true,
      title: `panic ${i} ${huge}`,
    })),
    notes: [],
  };
}

for (const [count, chars] of [
  [1_000, 1024],
  [100_000, 1024],
  [10_000, 1024 * 1024],
] as const) {
  const ev = evidence(count, chars);
  const start = process.hrtime.bigint();
  const out = renderEvidenceForModel(ev, { budgetTokens: 2000, redact });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(
    `render ${String(count).padStart(7)} signatures of ${String(chars).padStart(8)} chars: ${ms.toFixed(0).padStart(6)} ms, ${out.text.length} chars out, ${out.includedIds.length} items in`,
  );
}
