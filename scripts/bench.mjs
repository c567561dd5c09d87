#!/usr/bin/env node
// Runs every benchmark (packages/*/bench/*.bench.ts) against the TypeScript sources; each prints its own figures.
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const files = globSync('packages/*/bench/*.bench.ts').sort();
let failed = 0;
for (const file of files) {
  console.log(`\n== ${file}`);
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', file], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
