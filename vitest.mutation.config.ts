import { defineConfig } from 'vitest/config';
import base from './vitest.config';

// `MUTATION_TESTS=<glob>,<glob>` narrows the run to the test files of the module under mutation: vitest collects
// every included file for every mutant, and the fake-server and render suites cost seconds each time.
const narrowed = (process.env.MUTATION_TESTS ?? '')
  .split(',')
  .map((glob) => glob.trim())
  .filter(Boolean);

// The unit tests of the code under mutation (pure code: no fake servers, no built service), for `pnpm mutation`.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include:
      narrowed.length > 0
        ? narrowed
        : [
            'packages/evidence/test/**/*.test.ts',
            'packages/agents/test/pr-author*.test.ts',
            'packages/agents/test/red-flags.test.ts',
          ],
    // 100,000-value samples: minutes per run under instrumentation; the smaller cases cover the same paths.
    exclude: [...(base.test?.exclude ?? []), 'packages/evidence/test/judge-scale.test.ts'],
  },
});
