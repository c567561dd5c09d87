import { defineConfig } from 'vitest/config';
import base from './vitest.config';

// The unit tests of the code under mutation (pure code: no fake servers, no built service), for `pnpm mutation`.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'packages/evidence/test/**/*.test.ts',
      'packages/agents/test/pr-author*.test.ts',
      'packages/agents/test/red-flags.test.ts',
    ],
    // 100,000-value samples: minutes per run under instrumentation; the smaller cases cover the same paths.
    exclude: [...(base.test?.exclude ?? []), 'packages/evidence/test/judge-scale.test.ts'],
  },
});
