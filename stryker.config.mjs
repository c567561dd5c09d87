// Mutation testing of the code that decides and protects (`pnpm mutation`; not part of `pnpm test`: too slow).
// Runs in place: the workspace's packages resolve through pnpm's per-package links, which a sandbox copy lacks.
// Stryker restores every file it mutated when it ends, also on Ctrl-C; never commit while it runs.
const modules = (process.env.MUTATE ?? '').split(',').filter(Boolean);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  inPlace: true,
  // Vitest does not type-check, and in place a `// @ts-nocheck` on every file would be left behind by a killed run.
  disableTypeChecks: false,
  mutate:
    modules.length > 0
      ? modules
      : [
          'packages/evidence/src/policy/{assess,confidence,decide,explain}.ts',
          'packages/evidence/src/judge/{classify,mann-whitney,proportions,score}.ts',
          'packages/evidence/src/redaction/index.ts',
          'packages/evidence/src/findings/{access-log,containers,pod-health,log-evidence}.ts',
          'packages/evidence/src/logs/diff.ts',
          'packages/agents/src/pr-author/{key,edits}.ts',
        ],
  // Explanation text is not a decision: a changed sentence in an answer is no behaviour a test should pin.
  mutator: { excludedMutations: ['StringLiteral'] },
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 20_000,
  reporters: ['progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  thresholds: { high: 85, low: 75, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
