/**
 * The model's proposed edits and the checks they must pass before anything is committed: the file was shown to
 * the model and is not denylisted, each `search` occurs exactly once (in the redacted text the model saw and in the
 * repository's own), touches no redacted secret, brackets stay balanced outside strings and comments, and the whole
 * diff stays under the size limit.
 */
import { createTwoFilesPatch } from 'diff';
import { z } from 'zod';
import { isDenied, isRepositoryPath } from './access.js';

export { DEFAULT_PATH_DENYLIST, isDenied } from './access.js';

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

export interface CheckedFix {
  /** Repository contents (secrets and all, as committed) before and after the edits. */
  files: Array<{ path: string; before: string; after: string }>;
  edits: FixEdit[];
  /** Unified diff of the redacted view the model saw: the only form shown in issues, answers and logs. */
  patch: string;
}

export type FixCheck = { ok: true; fix: CheckedFix } | { ok: false; reason: string };

export interface FixLimits {
  maxEditBytes: number;
  denylist: readonly RegExp[];
  /**
   * Repository contents of the shown files when what the model saw was redacted. Edits are checked against the
   * shown text, then replayed on these; without it the shown text is the repository content.
   */
  originals?: ReadonlyMap<string, string>;
}

/** What the redactor leaves in place of a secret: `[REDACTED:kind]` (or `[REDACTED]`). */
const REDACTION_MARK = /\[REDACTED(?::[\w-]+)?\]/g;

/** Whether [start, end) overlaps a redaction mark of the text. */
function touchesRedaction(text: string, start: number, end: number): boolean {
  for (const m of text.matchAll(REDACTION_MARK)) {
    if (m.index < end && m.index + m[0].length > start) return true;
  }
  return false;
}

type Dialect = 'c-like' | 'hash' | 'none';

function dialectOf(path: string): Dialect {
  if (/\.(go|java|kt|scala|js|mjs|cjs|ts|tsx|jsx|rs|cs|c|cc|cpp|h|hpp|swift|php)$/.test(path)) return 'c-like';
  if (/\.(py|rb|sh|ya?ml|toml)$/.test(path)) return 'hash';
  return 'none';
}

const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/**
 * Raw strings, in which a backslash escapes nothing and quotes may appear: Rust's `r"…"`, `r#"…"#` (and `b`/`c`
 * prefixes), C++'s `R"delim(…)delim"` (and `u8`/`u`/`U`/`L` prefixes), C#'s verbatim `@"…"` (a doubled quote is
 * a quote). Each opener is followed by its closer; a prefix must not continue an identifier.
 */
interface RawString {
  files: RegExp;
  opener: RegExp;
  closer: (m: RegExpExecArray) => string;
  /** A doubled closer stands for itself (C#'s `""`). */
  doubledIsLiteral?: boolean;
}
const RAW_STRINGS: readonly RawString[] = [
  { files: /\.rs$/, opener: /[bc]?r(#*)"/y, closer: (m) => `"${m[1]}` },
  { files: /\.(c|cc|cpp|h|hpp)$/, opener: /(?:u8|u|U|L)?R"([^()\\\s]{0,16})\(/y, closer: (m) => `)${m[1]}"` },
  { files: /\.cs$/, opener: /\$?@\$?"/y, closer: () => '"', doubledIsLiteral: true },
];
const IDENTIFIER_CHAR = /[\w$]/;

/** Where a raw string of the file's kinds that starts at `i` ends (past its closer), or -1 when none starts there. */
function rawStringEnd(source: string, kinds: readonly RawString[], i: number): number {
  if (kinds.length === 0 || (i > 0 && IDENTIFIER_CHAR.test(source[i - 1] ?? ''))) return -1;
  for (const raw of kinds) {
    raw.opener.lastIndex = i;
    const m = raw.opener.exec(source);
    if (m === null) continue;
    const closer = raw.closer(m);
    let end = source.indexOf(closer, i + m[0].length);
    while (raw.doubledIsLiteral && end >= 0 && source.startsWith(closer, end + closer.length))
      end = source.indexOf(closer, end + 2 * closer.length);
    return end < 0 ? source.length : end + closer.length;
  }
  return -1;
}

/** Unclosed/unmatched brackets outside strings and comments, as a comparable string ('' = balanced). */
export function bracketResidue(source: string, path: string): string {
  const dialect = dialectOf(path);
  // Go's backtick strings are raw (no escapes); JavaScript's template literals take backslash escapes.
  const rawBackticks = path.endsWith('.go');
  const rawKinds = dialect === 'c-like' ? RAW_STRINGS.filter((raw) => raw.files.test(path)) : [];
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
    const rawEnd = rawStringEnd(source, rawKinds, i);
    if (rawEnd >= 0) {
      i = rawEnd;
      continue;
    }
    if (dialect !== 'none' && (c === '"' || c === "'" || (c === '`' && dialect === 'c-like'))) {
      // Python's ''' and """, and the """ text blocks of Java, Kotlin, Scala, Swift and C#, span lines.
      const triple = (dialect === 'hash' || c === '"') && source.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      i += quote.length;
      while (i < n) {
        if (source[i] === '\\' && !(c === '`' && rawBackticks)) {
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

/** Applies the edits in order; the search text must occur exactly once in the text it is applied to. */
function applyEdits(
  edits: readonly FixEdit[],
  base: ReadonlyMap<string, string>,
  check: (edit: FixEdit, path: string, current: string, at: number) => string | undefined,
): { ok: true; after: Map<string, string> } | { ok: false; reason: string } {
  const after = new Map<string, string>();
  for (const edit of edits) {
    const path = normalise(edit.file);
    const current = after.get(path) ?? base.get(path);
    if (current === undefined)
      return { ok: false, reason: `edit refused: "${path}" was not among the files the stack frames point at` };
    const count = occurrences(current, edit.search);
    if (count !== 1)
      return {
        ok: false,
        reason: `edit refused: the search text occurs ${count} times in ${path} (must be exactly once)`,
      };
    const at = current.indexOf(edit.search);
    const refusal = check(edit, path, current, at);
    if (refusal) return { ok: false, reason: refusal };
    after.set(path, current.slice(0, at) + edit.replace + current.slice(at + edit.search.length));
  }
  return { ok: true, after };
}

const normalise = (file: string): string => file.replace(/^\.?\//, '');

export function checkFix(proposal: FixProposal, shown: ReadonlyMap<string, string>, limits: FixLimits): FixCheck {
  if (proposal.edits.length === 0) return { ok: false, reason: 'the model proposed no edit' };
  for (const edit of proposal.edits) {
    const path = normalise(edit.file);
    if (!isRepositoryPath(path)) return { ok: false, reason: `edit refused: "${path}" is not a repository path` };
    if (isDenied(path, limits.denylist))
      return { ok: false, reason: `edit refused: "${path}" is on the path denylist` };
  }
  // First on what the model saw: an edit may not touch a redacted span, nor write a redaction mark.
  const onShown = applyEdits(proposal.edits, shown, (edit, path, current, at) => {
    if (touchesRedaction(current, at, at + edit.search.length))
      return `edit refused: its search text in ${path} touches a redacted secret`;
    if (new RegExp(REDACTION_MARK.source).test(edit.replace))
      return `edit refused: its replacement for ${path} contains a redaction mark`;
    return undefined;
  });
  if (!onShown.ok) return onShown;
  // Then on the repository's own text, which is what gets committed.
  const originals = limits.originals ?? shown;
  const onOriginal = applyEdits(proposal.edits, originals, () => undefined);
  if (!onOriginal.ok) return onOriginal;

  const files: CheckedFix['files'] = [];
  const shownPairs: Array<{ path: string; before: string; after: string }> = [];
  for (const [path, text] of onOriginal.after) {
    const before = originals.get(path) ?? '';
    if (text === before) continue;
    const residueBefore = bracketResidue(before, path);
    const residueAfter = bracketResidue(text, path);
    if (residueAfter !== '' && residueAfter !== residueBefore) {
      return { ok: false, reason: `edit refused: ${path} would have unbalanced brackets (${residueAfter})` };
    }
    files.push({ path, before, after: text });
    shownPairs.push({ path, before: shown.get(path) ?? '', after: onShown.after.get(path) ?? '' });
  }
  if (files.length === 0) return { ok: false, reason: 'the proposed edits change nothing' };
  const patch = shownPairs
    .map((f) =>
      createTwoFilesPatch(`a/${f.path}`, `b/${f.path}`, f.before, f.after, undefined, undefined, { context: 3 }),
    )
    .join('');
  const bytes = Buffer.byteLength(patch, 'utf8');
  if (bytes > limits.maxEditBytes)
    return {
      ok: false,
      reason: `edit refused: the diff is ${bytes} bytes, over the ${limits.maxEditBytes}-byte limit`,
    };
  return { ok: true, fix: { files, edits: proposal.edits, patch } };
}
