import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderEnvTable } from '../src/index.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('has the configuration table rendered from the settings table (paste renderEnvTable() when it changes)', () => {
    const table = readme.slice(readme.indexOf('| variable | default | meaning |'));
    expect(table.slice(0, table.indexOf('\n\n'))).toBe(renderEnvTable());
  });
  it('starts with the install-and-demo and the test commands', () => {
    const firstBlock = readme.split('```')[1] ?? '';
    expect(firstBlock).toMatch(/install --frozen-lockfile && .*demo/);
    expect(firstBlock).toMatch(/install --frozen-lockfile && .*test/);
  });
});
