#!/usr/bin/env node
// Prints the mutation score per module and every surviving mutant from Stryker's JSON report.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2] ?? 'reports/mutation/mutation.json', 'utf8'));
const rows = [];
const survivors = [];
for (const [file, { mutants, source }] of Object.entries(report.files)) {
  const count = (status) => mutants.filter((m) => m.status === status).length;
  const killed = count('Killed') + count('Timeout');
  // A known vitest-runner fault reports a mutant whose run completed no test as Survived: that is no measurement.
  const unmeasured = mutants.filter((m) => m.status === 'Survived' && m.testsCompleted === 0).length;
  const survived = count('Survived') - unmeasured;
  const noCoverage = count('NoCoverage');
  const valid = killed + survived + noCoverage;
  rows.push({ file, killed, survived, noCoverage, unmeasured, score: valid === 0 ? 100 : (100 * killed) / valid });
  const lines = source.split('\n');
  for (const m of mutants.filter(
    (x) => (x.status === 'Survived' && x.testsCompleted !== 0) || x.status === 'NoCoverage',
  )) {
    const { start, end } = m.location;
    // The replaced expression itself, not its whole line: `→ true` may stand for one operand of a condition.
    const original = lines
      .slice(start.line - 1, end.line)
      .map((text, i, all) =>
        text.slice(i === 0 ? start.column - 1 : 0, i === all.length - 1 ? end.column - 1 : undefined),
      )
      .join(' ');
    const short = (text) => String(text).replace(/\s+/g, ' ').trim().slice(0, 90);
    survivors.push(
      `${file}:${start.line}:${start.column} ${m.status === 'NoCoverage' ? 'no test covers' : 'survived'} ${m.mutatorName}: ` +
        `${short(original)}  →  ${short(m.replacement ?? '')}`,
    );
  }
}
const total = rows.reduce((a, r) => ({ k: a.k + r.killed, v: a.v + r.killed + r.survived + r.noCoverage }), {
  k: 0,
  v: 0,
});
console.log('\nSurviving mutants:');
for (const s of survivors) console.log(`  ${s}`);
console.log('\nMutation score per module (killed / (killed + survived + no coverage)):');
for (const r of rows.sort((a, b) => a.file.localeCompare(b.file)))
  console.log(
    `  ${r.score.toFixed(1).padStart(5)} %  ${r.file}  (${r.killed} killed, ${r.survived} survived, ${r.noCoverage} uncovered${r.unmeasured > 0 ? `, ${r.unmeasured} not measured: no test completed` : ''})`,
  );
console.log(`  ${((100 * total.k) / Math.max(1, total.v)).toFixed(1).padStart(5)} %  all (${total.k}/${total.v})`);
