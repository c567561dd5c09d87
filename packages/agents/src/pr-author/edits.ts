/**
 * The model's proposed edits and the checks they must pass before anything is committed: the file was shown to
 * the model and is not denylisted, each `search` occurs exactly once, brackets stay balanced outside strings and
 * comments, and the whole diff stays under the size limit.
 */
import { createTwoFilesPatch } from 'diff';
import { z } from 'zod';

export const FixProposalSchema = z.object({
  edits: z
    .array(
      z.object({
        file: z.string().min(1).max(500).describe('repository path of the file to change, exactly as given'),
        search: z.string().min(1).max(20_000).describe('text copied verbatim from the file; must occur exactly once'),
        replace: z.string().max(20_000).describe('the replacement text'),
        rationale: z.string().max(1000).describe('one sentence: why this fixes the failure'),
      }),
    )
    .max(5)
    .describe('the smallest set of edits that fixes the failure; empty when no safe fix is evident'),
});
export type FixProposal = z.infer<typeof FixProposalSchema>;
export type FixEdit = FixProposal['edits'][number];

/** Never edited by the agent: CI and automation, credentials, environment files, lockfiles, VCS internals. */
export const DEFAULT_PATH_DENYLIST: readonly RegExp[] = [
  /(^|\/)\.github\//,
  /(^|\/)\.git\//,
  /(^|\/)(\.gitlab-ci\.ya?ml|Jenkinsfile|\.travis\.ya?ml|azure-pipelines\.ya?ml|bitbucket-pipelines\.ya?ml|cloudbuild\.ya?ml)$/i,
  /(^|\/)(\.circleci|\.buildkite|\.drone)\//,
  /\.(pem|key|p12|pfx|jks|keystore|crt|cer|der|asc|gpg)$/i,
  /(^|\/)\.env(\.[^/]*)?$/,
  /(^|\/)(\.npmrc|\.pypirc|\.netrc|\.dockercfg|id_rsa|id_ed25519)$/,
  /(^|\/)(secrets?|credentials?)(\.[^/]*)?$/i,
  /(^|\/)(secrets?|credentials?)\//i,
  /(^|\/)[^/]*\.(sealed-)?secrets?\.ya?ml$/i,
  /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|pnpm-lock\.yaml|yarn\.lock|go\.sum|Cargo\.lock|poetry\.lock|Pipfile\.lock|Gemfile\.lock|composer\.lock|uv\.lock)$/,
];

export interface CheckedFix {
  files: Array<{ path: string; before: string; after: string }>;
  edits: FixEdit[];
  patch: string;
}

export type FixCheck = { ok: true; fix: CheckedFix } | { ok: false; reason: string };

type Dialect = 'c-like' | 'hash' | 'none';

function dialectOf(path: string): Dialect {
  if (/\.(go|java|kt|scala|js|mjs|cjs|ts|tsx|jsx|rs|cs|c|cc|cpp|h|hpp|swift|php)$/.test(path)) return 'c-like';
  if (/\.(py|rb|sh|ya?ml|toml)$/.test(path)) return 'hash';
  return 'none';
}

const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** Unclosed/unmatched brackets outside strings and comments, as a comparable string ('' = balanced). */
export function bracketResidue(source: string, path: string): string {
  const dialect = dialectOf(path);
  const stack: string[] = [];
  const unmatched: string[] = [];
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i] ?? '';
    const next = source[i + 1] ?? '';
    if (dialect === 'c-like' && c === '/' && next === '/') {
      while (i < n && source[i] !== '\n') i++;
      continue;
    }
    if (dialect === 'c-like' && c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (dialect === 'hash' && c === '#') {
      while (i < n && source[i] !== '\n') i++;
      continue;
    }
    if (dialect !== 'none' && (c === '"' || c === "'" || (c === '`' && dialect === 'c-like'))) {
      const triple = dialect === 'hash' && source.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      i += quote.length;
      while (i < n) {
        if (source[i] === '\\' && c !== '`') {
          i += 2;
          continue;
        }
        if (source.startsWith(quote, i)) {
          i += quote.length;
          break;
        }
        // An unterminated single-line string ends at the line end (e.g. a Go/Rust lifetime or apostrophe).
        if (!triple && c !== '`' && source[i] === '\n') break;
        i++;
      }
      continue;
    }
    if (c === '(' || c === '[' || c === '{') stack.push(c);
    else if (c === ')' || c === ']' || c === '}') {
      if (stack.at(-1) === CLOSERS[c]) stack.pop();
      else unmatched.push(c);
    }
    i++;
  }
  return unmatched.join('') + stack.join('');
}

function occurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) count++;
  return count;
}

export function isDenied(path: string, denylist: readonly RegExp[]): boolean {
  return denylist.some((re) => re.test(path));
}

export function checkFix(
  proposal: FixProposal,
  shown: ReadonlyMap<string, string>,
  limits: { maxEditBytes: number; denylist: readonly RegExp[] },
): FixCheck {
  if (proposal.edits.length === 0) return { ok: false, reason: 'the model proposed no edit' };
  const after = new Map<string, string>();
  for (const edit of proposal.edits) {
    const path = edit.file.replace(/^\.?\//, '');
    if (path.split('/').includes('..')) return { ok: false, reason: `edit refused: "${path}" is not a repository path` };
    if (isDenied(path, limits.denylist)) return { ok: false, reason: `edit refused: "${path}" is on the path denylist` };
    const current = after.get(path) ?? shown.get(path);
    if (current === undefined) return { ok: false, reason: `edit refused: "${path}" was not among the files the stack frames point at` };
    const count = occurrences(current, edit.search);
    if (count !== 1) return { ok: false, reason: `edit refused: the search text occurs ${count} times in ${path} (must be exactly once)` };
    after.set(path, current.replace(edit.search, () => edit.replace));
  }
  const files: CheckedFix['files'] = [];
  for (const [path, text] of after) {
    const before = shown.get(path) ?? '';
    if (text === before) continue;
    const residueBefore = bracketResidue(before, path);
    const residueAfter = bracketResidue(text, path);
    if (residueAfter !== '' && residueAfter !== residueBefore) {
      return { ok: false, reason: `edit refused: ${path} would have unbalanced brackets (${residueAfter})` };
    }
    files.push({ path, before, after: text });
  }
  if (files.length === 0) return { ok: false, reason: 'the proposed edits change nothing' };
  const patch = files.map((f) => createTwoFilesPatch(`a/${f.path}`, `b/${f.path}`, f.before, f.after, undefined, undefined, { context: 3 })).join('');
  const bytes = Buffer.byteLength(patch, 'utf8');
  if (bytes > limits.maxEditBytes) return { ok: false, reason: `edit refused: the diff is ${bytes} bytes, over the ${limits.maxEditBytes}-byte limit` };
  return { ok: true, fix: { files, edits: proposal.edits, patch } };
}
