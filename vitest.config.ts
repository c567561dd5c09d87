import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources, so unit and integration tests need no build.
// Black-box suites in test/ start the built service (apps/agent/dist) as a separate process.
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^@aiops\/(contracts|evidence|kube|metrics|llm|github|agents|a2a|testkit|history)$/,
        replacement: `${root}packages/$1/src/index.ts`,
      },
      { find: /^@aiops\/agent$/, replacement: `${root}apps/agent/src/index.ts` },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Sized for a loaded 2-core machine: polls wait for an event that will come, so a long ceiling costs nothing
    // when things are fast. A test that asserts nothing fails: it could not break when its claim breaks.
    expect: { poll: { timeout: 15_000, interval: 20 }, requireAssertions: true },
  },
});
