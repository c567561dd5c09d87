#!/usr/bin/env node
// Runs every benchmark (packages/*/bench/*.bench.ts) against the TypeScript sources; each prints its own figures.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const files = readdirSync('packages')
  .flatMap((pkg) => {
    const dir = `packages/${pkg}/bench`;
    return existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.bench.ts'))
          .map((f) => `${dir}/${f}`)
      : [];
  })
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n== ${file}`);
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', file], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
