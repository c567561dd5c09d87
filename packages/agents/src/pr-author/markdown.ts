/**
 * Escaping for text we do not control (model prose, log lines, events) before it goes into a GitHub issue or PR:
 * no @-mentions or #-references that would notify people or cross-link, no raw HTML, no links or images (which
 * could load trackers), and no way to close a code fence.
 */
const ZERO_WIDTH_SPACE = '\u200b';

/** Bare URLs and www. names are autolinked by GitHub; a zero-width space keeps them as text. */
function neutraliseLinks(text: string): string {
  return text
    .replace(/:\/\//g, `:${ZERO_WIDTH_SPACE}//`)
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}${ZERO_WIDTH_SPACE}.`);
}

/** No mention notifies, no issue reference cross-links. */
function neutraliseReferences(text: string): string {
  return text.replace(/@(?=[A-Za-z0-9_-])/g, `@${ZERO_WIDTH_SPACE}`).replace(/#(?=\d)/g, `#${ZERO_WIDTH_SPACE}`);
}

/** Inline prose: safe in paragraphs, lists and table cells. */
export function escapeProse(text: string, maxLength = 2000): string {
  const clipped = text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
  return neutraliseLinks(
    neutraliseReferences(clipped.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')),
  )
    .replace(/[[\]|*_~`\\]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ');
}

/** A fenced block whose fence is longer than any backtick run inside, so the content cannot close it. */
export function codeBlock(lines: string[], language = 'text'): string {
  const body = lines.join('\n');
  const longestRun = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longestRun + 1);
  return `${fence}${language}\n${body}\n${fence}`;
}

/** Inline code span for short identifiers (templates, paths). */
export function inlineCode(text: string, maxLength = 300): string {
  const clipped = (text.length > maxLength ? `${text.slice(0, maxLength)}…` : text).replace(/\r?\n/g, ' ');
  const longestRun = Math.max(0, ...[...clipped.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longestRun + 1);
  return `${ticks} ${clipped} ${ticks}`;
}

/**
 * Titles and commit messages are plain text, but mentions and references still notify and URLs still link. Angle
 * brackets become look-alike quotes: no tag survives into any view that might render it.
 */
export function escapeTitle(text: string, maxLength = 200): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const clipped = oneLine.length > maxLength ? `${oneLine.slice(0, maxLength - 1)}…` : oneLine;
  return neutraliseLinks(neutraliseReferences(clipped.replace(/</g, '\u2039').replace(/>/g, '\u203a')));
}
