import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through their `source` export condition (the one
// `tsc --customConditions source` uses for typecheck), so unit and integration tests need no build. Black-box
// suites in test/ start the built service (apps/agent/dist) as a separate process. Vite's defaults follow
// `source`: setting conditions replaces them.
const serverConditions = ['source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions: serverConditions },
  ssr: { resolve: { conditions: serverConditions } },
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
