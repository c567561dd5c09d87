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

describe('checks on proposed edits: redaction, originals and bounds', () => {
  const edit = (search: string, replace: string, file = 'src/a.js') => ({ file, search, replace, rationale: '' });
  const refusal = (result: ReturnType<typeof checkFix>): string => (result.ok ? 'accepted' : result.reason);
  const shown = new Map([['src/a.js', 'const url = "[REDACTED:url-password]";\nconst n = 1;\n']]);
  const originals = new Map([['src/a.js', 'const url = "postgres://u:hunter2@db";\nconst n = 1;\n']]);

  it('refuses a search text that overlaps a redacted span by one character at either end', () => {
    expect(refusal(checkFix({ edits: [edit('url = "[', 'url = "[')] }, shown, { ...limits, originals }))).toMatch(
      /touches a redacted secret/,
    );
    expect(refusal(checkFix({ edits: [edit(']";', ']"; ')] }, shown, { ...limits, originals }))).toMatch(
      /touches a redacted secret/,
    );
    // Ends right before the mark: it touches nothing secret (and then has to be found in the repository text).
    expect(refusal(checkFix({ edits: [edit('const url = "', 'let url = "')] }, shown, { ...limits, originals }))).toBe(
      'accepted',
    );
    // Starts right after the mark: likewise.
    expect(
      refusal(checkFix({ edits: [edit('";\nconst n = 1;', '";\nconst n = 2;')] }, shown, { ...limits, originals })),
    ).toBe('accepted');
  });

  it('refuses a replacement that writes a redaction mark, with or without a kind', () => {
    for (const mark of ['[REDACTED]', '[REDACTED:github-token]'])
      expect(refusal(checkFix({ edits: [edit('const n = 1;', `const n = "${mark}";`)] }, shown, limits))).toMatch(
        /contains a redaction mark/,
      );
  });

  it('commits the repository text: the edit is replayed on the originals, the patch shows the redacted view', () => {
    const result = checkFix({ edits: [edit('const n = 1;', 'const n = 2;')] }, shown, { ...limits, originals });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.fix.files).toEqual([
      {
        path: 'src/a.js',
        before: originals.get('src/a.js'),
        after: 'const url = "postgres://u:hunter2@db";\nconst n = 2;\n',
      },
    ]);
    expect(result.fix.patch).not.toContain('hunter2');
    expect(result.fix.patch).toContain('[REDACTED:url-password]');
    expect(result.fix.patch).toContain('+const n = 2;');
  });

  it('shows the change as a unified diff of the shown text with three lines of context', () => {
    const lines = Array.from({ length: 9 }, (_, i) => `const v${i + 1} = ${i + 1};`);
    const file = new Map([['src/c.js', `${lines.join('\n')}\n`]]);
    const result = checkFix({ edits: [edit('const v5 = 5;', 'const v5 = 50;', 'src/c.js')] }, file, limits);
    expect(result.ok && result.fix.patch.split('\n').slice(1)).toEqual([
      '--- a/src/c.js',
      '+++ b/src/c.js',
      '@@ -2,7 +2,7 @@',
      ' const v2 = 2;',
      ' const v3 = 3;',
      ' const v4 = 4;',
      '-const v5 = 5;',
      '+const v5 = 50;',
      ' const v6 = 6;',
      ' const v7 = 7;',
      ' const v8 = 8;',
      '',
    ]);
  });

  it('refuses an edit whose search text is not in the repository text exactly once', () => {
    const drifted = new Map([['src/a.js', 'const url = "x";\nconst n = 1;\nconst n = 1;\n']]);
    expect(
      refusal(checkFix({ edits: [edit('const n = 1;', 'const n = 2;')] }, shown, { ...limits, originals: drifted })),
    ).toMatch(/occurs 2 times/);
  });

  it('counts overlapping occurrences of the search text', () => {
    const text = new Map([['src/a.js', 'x = "aaa";\n']]);
    expect(refusal(checkFix({ edits: [edit('aa', 'bb')] }, text, limits))).toMatch(/occurs 2 times/);
  });

  it('applies several edits to one file in order, and accepts ./ or / before a path', () => {
    const text = new Map([['src/a.js', 'let a = 1;\nlet b = 2;\n']]);
    const result = checkFix(
      {
        edits: [edit('let a = 1;', 'let a = 10;', './src/a.js'), edit('a = 10;\nlet b', 'a = 11;\nlet b', '/src/a.js')],
      },
      text,
      limits,
    );
    expect(result.ok && result.fix.files).toEqual([
      { path: 'src/a.js', before: 'let a = 1;\nlet b = 2;\n', after: 'let a = 11;\nlet b = 2;\n' },
    ]);
  });

  it('refuses no edits at all, and edits that change nothing', () => {
    expect(refusal(checkFix({ edits: [] }, shown, limits))).toBe('the model proposed no edit');
    expect(refusal(checkFix({ edits: [edit('const n = 1;', 'const n = 1;')] }, shown, limits))).toBe(
      'the proposed edits change nothing',
    );
  });

  it('allows a diff of exactly the byte limit', () => {
    const proposal = { edits: [edit('const n = 1;', 'const n = 2;')] };
    const ok = checkFix(proposal, shown, limits);
    expect(ok.ok).toBe(true);
    if (!ok.ok) return;
    const bytes = Buffer.byteLength(ok.fix.patch, 'utf8');
    expect(checkFix(proposal, shown, { ...limits, maxEditBytes: bytes }).ok).toBe(true);
    expect(refusal(checkFix(proposal, shown, { ...limits, maxEditBytes: bytes - 1 }))).toMatch(/over the/);
  });

  it('accepts an edit to an already unbalanced file that leaves the imbalance as it was, or fixes it', () => {
    const broken = new Map([['src/b.js', 'function f() {\n  return 1;\n']]);
    expect(refusal(checkFix({ edits: [edit('return 1;', 'return 2;', 'src/b.js')] }, broken, limits))).toBe('accepted');
    expect(refusal(checkFix({ edits: [edit('return 1;\n', 'return 1;\n}\n', 'src/b.js')] }, broken, limits))).toBe(
      'accepted',
    );
    expect(refusal(checkFix({ edits: [edit('return 1;', 'return [1;', 'src/b.js')] }, broken, limits))).toMatch(
      /unbalanced brackets \(\{\[\)/,
    );
  });
});

describe('bracketResidue', () => {
  it.each([
    ['c-like line and block comments', 'a.ts', 'f(); // )\n/* ] } */ g();', ''],
    ['an unterminated block comment ends the file', 'a.c', 'f(); /* ( [', ''],
    ['escaped quotes inside strings', 'a.js', String.raw`x = "\"(" + '\'[';`, ''],
    ['a template literal over lines', 'a.ts', 'x = `\n(\n`;', ''],
    ['a backtick is no string in Python', 'a.py', 'x = `(`', '('],
    ['hash comments', 'a.yaml', 'a: 1 # {\nb: [1]', ''],
    ['triple-quoted strings over lines', 'a.py', "x = '''\n(\n'''", ''],
    ['an unterminated single-line string ends at the line end', 'a.py', "x = 'oops (\ny = (1", '('],
    ['no comment syntax for unknown files', 'notes.txt', '# (\n// [', '(['],
    ['a stray closer, then what stays open', 'a.go', ') func f() { [', '){['],
    ['a closer of the wrong kind', 'a.java', 'f(]', ']('],
    ['a line comment that ends the file', 'a.ts', 'f(); // )', ''],
    ['a hash comment that ends the file', 'a.py', 'x = 1 # (', ''],
    ['code after a closed block comment', 'a.c', '/* x */ f(', '('],
    ['a block comment is not closed by the star of its own opening', 'a.c', 'f(); /*/ ( */', ''],
    ['an escaped quote inside a string', 'a.js', String.raw`x = "a\"(";`, ''],
    ['.yml is YAML', 'a.yml', 'a: 1 # {\nb: [1]', ''],
    ['/* is no comment in YAML', 'a.yaml', 'glob: src/*\nlist: [1', '['],
    ['an extension counts at the end of the name only (c-like)', 'app.config', '# (\n// [', '(['],
    ['an extension counts at the end of the name only (hash)', 'page.shtml', '# (\n// [', '(['],
    ['no strings in unknown files', 'notes.txt', "don't (", '('],
    ['a Java text block over lines', 'Query.java', 'String q = """\n  select count(*\n  """;', ''],
    ['a Kotlin raw string over lines', 'Q.kt', 'val q = """\n  ]\n"""', ''],
    ['an escaped backtick inside a template literal', 'a.ts', 'x = `a \\` (`;', ''],
    ['a Go raw string has no escapes', 'a.go', 'p := `C:\\dir\\`; f(', '('],
    ['but a Go interpreted string has', 'a.go', 's := "\\")"', ''],
    ['code on the line after a hash comment', 'a.py', 'x = 1 # (\ny = (', '('],
    ['a Rust raw string holds quotes and brackets', 'a.rs', 'let p = r#"say "(" [ "#; f(', '('],
    ['a Rust raw string has no escapes', 'a.rs', String.raw`let p = r"C:\dir\"; f(`, '('],
    ['a Rust byte raw string', 'a.rs', 'let b = br#"a "{" b"#; f(', '('],
    ['an unterminated raw string ends the file', 'a.rs', 'let s = r#"abc ( "', ''],
    ['an r that ends an identifier opens no raw string', 'a.rs', String.raw`let bar"\"(";`, ''],
    ['a C++ raw string with a delimiter', 'a.cpp', 'auto s = R"x(")" [)x"; f(', '('],
    ['a doubled closer ends a C++ raw string (only C# doubles its quotes)', 'a.cpp', 's = R"x(a)x")x" (', ')'],
    ['a C++ raw string in a header, with a prefix', 'a.h', 'auto s = u8R"(a "[" b)"; g(', '('],
    ['a C# verbatim string has no escapes', 'A.cs', String.raw`var p = @"C:\dir\" + f(`, '('],
    ['in a C# verbatim string a doubled quote is a quote', 'A.cs', String.raw`var q = @"a ""\"" b"; f(`, '('],
    ['an r-prefixed string is an ordinary one outside Rust', 'a.go', String.raw`s := r"\")"`, ''],
    ['raw strings go by the last extension only (Rust)', 'a.rs.ts', String.raw`s = r"\")"`, ''],
    ['raw strings go by the last extension only (C++)', 'a.cpp.ts', 's = R"(a"b)" + (', ')'],
    ['raw strings go by the last extension only (C#)', 'A.cs.ts', String.raw`s = @"\")"`, ''],
  ])('%s', (_label, path, source, residue) => {
    expect(bracketResidue(source, path)).toBe(residue);
  });
});
