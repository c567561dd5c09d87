import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARS } from '../src/index.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it.each(ENV_VARS.map((v) => v.name))('documents %s in the configuration table', (name) => {
    expect(readme).toMatch(new RegExp(`\\| \`${name}\` \\|`));
  });
  it('starts with the install-and-demo and the test commands', () => {
    const firstBlock = readme.split('```')[1] ?? '';
    expect(firstBlock).toMatch(/install --frozen-lockfile && .*demo/);
    expect(firstBlock).toMatch(/install --frozen-lockfile && .*test/);
  });
});
