#!/usr/bin/env node
// Runs vitest once and ends with the plain line CI reads: "N passed, N failed".
// A run that executed no test prints "0 passed, 0 failed" and fails.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const report = '.vitest-report.json';
rmSync(report, { force: true });
// Started with this very node binary, so it works whether pnpm is installed globally or run through npx.
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const args = [
  vitest,
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
];
const child = spawn(process.execPath, args, {
  stdio: 'inherit',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
});
child.on('exit', (code) => {
  let passed = 0;
  let failed = 0;
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed = json.numPassedTests ?? 0;
    // A file that fails to load has no test results of its own: count it as one failure.
    const brokenFiles = (json.testResults ?? []).filter(
      (r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0,
    ).length;
    failed = (json.numFailedTests ?? 0) + brokenFiles;
  } catch {
    failed = 1;
  }
  if (code !== 0 && failed === 0) failed = 1;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(passed > 0 && failed === 0 && code === 0 ? 0 : 1);
});
