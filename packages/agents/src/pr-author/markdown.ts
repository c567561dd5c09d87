/**
 * Escaping for text we do not control (model prose, log lines, events) before it goes into a GitHub issue or PR:
 * no @-mentions or #-references that would notify people or cross-link, no raw HTML, no links or images (which
 * could load trackers), and no way to close a code fence.
 */
const ZERO_WIDTH_SPACE = '\u200b';

/** Inline prose: safe in paragraphs, lists and table cells. */
export function escapeProse(text: string, maxLength = 2000): string {
  const clipped = text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
  return clipped
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(?=[A-Za-z0-9_-])/g, `@${ZERO_WIDTH_SPACE}`)
    .replace(/#(?=\d)/g, `#${ZERO_WIDTH_SPACE}`)
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

/** Titles are not rendered as markdown, but mentions and references still notify. */
export function escapeTitle(text: string, maxLength = 200): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const clipped = oneLine.length > maxLength ? `${oneLine.slice(0, maxLength - 1)}…` : oneLine;
  return clipped.replace(/@(?=[A-Za-z0-9_-])/g, `@${ZERO_WIDTH_SPACE}`).replace(/#(?=\d)/g, `#${ZERO_WIDTH_SPACE}`);
}
