import { describe, expect, it } from 'vitest';
import type { CodeHostTreeEntry } from '@aiops/contracts';
import {
  DEFAULT_PATH_DENYLIST,
  bracketResidue,
  candidateFiles,
  checkFix,
  extractFrames,
} from '../src/pr-author/index.js';
import { PLANTED_BUGS, SEED_REPOS } from '@aiops/testkit';

const treeOf = (files: Record<string, string>): CodeHostTreeEntry[] =>
  Object.keys(files).map((path) => ({ path, type: 'blob', sha: path, mode: '100644' }));
const limits = { maxEditBytes: 4_000, denylist: DEFAULT_PATH_DENYLIST };

describe('stack frames → repository files', () => {
  it.each(PLANTED_BUGS.map((b) => [b.frame, b] as const))('%s', (_frame, bug) => {
    const seed = SEED_REPOS.find((r) => r.repo === bug.repo);
    const frames = extractFrames(`Traceback or panic\n    ${bug.frame}\n    at /usr/local/go/src/runtime/panic.go:770`);
    expect(frames.map((f) => f.line)).toContain(bug.line);
    expect(candidateFiles(frames, treeOf(seed?.files ?? {}), 3)).toEqual([
      expect.objectContaining({ path: bug.path, lines: [bug.line] }),
    ]);
  });

  it('ignores runtime and third-party frames, and ambiguous bare file names', () => {
    const tree = treeOf({ 'a/util.js': '', 'b/util.js': '', 'node_modules/x/index.js': '' });
    expect(extractFrames('at f (/app/node_modules/x/index.js:1:2)\nat node:internal/process:3:4')).toEqual([]);
    expect(candidateFiles([{ path: 'util.js', line: 3 }], tree, 3)).toEqual([]);
  });
});

describe('checks on proposed edits', () => {
  const shown = new Map([['src/a.js', 'function f(x) {\n  return x.y; // note: ) in a comment\n}\n']]);

  it('accepts a balanced minimal edit and renders a unified diff', () => {
    const result = checkFix(
      {
        edits: [
          {
            file: 'src/a.js',
            search: '  return x.y;',
            replace: '  if (!x) return undefined;\n  return x.y;',
            rationale: 'guard',
          },
        ],
      },
      shown,
      limits,
    );
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.fix.patch).toContain('+  if (!x) return undefined;');
  });

  it.each([
    ['unbalanced brackets', { file: 'src/a.js', search: 'return', replace: 'return (', rationale: '' }, /unbalanced/],
    ['search not found', { file: 'src/a.js', search: 'missing', replace: 'x', rationale: '' }, /occurs 0 times/],
    ['search ambiguous', { file: 'src/a.js', search: 'x', replace: 'z', rationale: '' }, /occurs 2 times/],
    ['file not shown', { file: 'src/other.js', search: 'x', replace: 'z', rationale: '' }, /not among the files/],
    ['path traversal', { file: '../etc/passwd', search: 'x', replace: 'z', rationale: '' }, /not a repository path/],
    ['denylisted path', { file: '.github/workflows/ci.yml', search: 'x', replace: 'z', rationale: '' }, /denylist/],
    [
      'diff too large',
      { file: 'src/a.js', search: '  return x.y;', replace: `  return x.y;${' '.repeat(5_000)}`, rationale: '' },
      /over the 4000-byte limit/,
    ],
  ])('refuses: %s', (_label, edit, reason) => {
    const result = checkFix({ edits: [edit] }, shown, limits);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('denies CI, credentials, env files and lockfiles, not ordinary sources', () => {
    const denied = [
      '.github/workflows/ci.yml',
      '.gitlab-ci.yml',
      'certs/tls.pem',
      '.env',
      'config/.env.production',
      'secrets/db.yaml',
      'pnpm-lock.yaml',
      'go.sum',
      'Jenkinsfile',
    ];
    const allowed = ['src/server.js', 'internal/auth/token_service.go', 'app/handlers.py', 'README.md'];
    for (const p of denied)
      expect(
        DEFAULT_PATH_DENYLIST.some((re) => re.test(p)),
        p,
      ).toBe(true);
    for (const p of allowed)
      expect(
        DEFAULT_PATH_DENYLIST.some((re) => re.test(p)),
        p,
      ).toBe(false);
  });

  it('counts brackets outside strings and comments, per language', () => {
    expect(bracketResidue('s := "(" // {\nx := `[`\n', 'a.go')).toBe('');
    expect(bracketResidue('x = "{"  # (\ny = """\n[\n"""\n', 'a.py')).toBe('');
    expect(bracketResidue('if (a) {', 'a.java')).toBe('{');
    for (const seed of SEED_REPOS)
      for (const [path, text] of Object.entries(seed.files)) expect(bracketResidue(text, path), path).toBe('');
  });
});
