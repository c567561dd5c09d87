/**
 * The threat model and the note on unhandled failures name, for each control, the test that breaks when the control
 * does (`file › test name`). A renamed, moved or deleted test would leave the document claiming a proof that no
 * longer exists, so every reference must resolve to a test title in a file of the repository.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [relative(ROOT, path)] : [];
  });
}
const ALL_TESTS = ['apps', 'packages', 'test'].flatMap((dir) => testFiles(join(ROOT, dir)));

interface Reference {
  file: string;
  title?: string;
}

/** `path › title`, `name.test.ts › title`, `… › title` (the file of the reference before) or a bare test file. */
function referencesIn(text: string): Reference[] {
  const found: Reference[] = [];
  let lastFile: string | undefined;
  for (const [, code] of text.matchAll(/`([^`]+)`/g)) {
    const [head, ...rest] = code!.split(' › ');
    const title = rest.length > 0 ? rest.join(' › ') : undefined;
    const file = head === '…' ? lastFile : head!.endsWith('.test.ts') ? head : undefined;
    // Other code spans (a path, a variable, the format itself: `file › test name`) are not references.
    if (file === undefined) continue;
    lastFile = file;
    found.push(title === undefined ? { file } : { file, title });
  }
  return found;
}

function resolveFile(file: string): string[] {
  if (file.includes('/')) return ALL_TESTS.filter((t) => t === file);
  return ALL_TESTS.filter((t) => basename(t) === file);
}

/** A title as written in the source: one string literal, `%s`/`%d` where it.each fills in a value. */
function titleOccursIn(source: string, title: string): boolean {
  const literal = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%[sdi]/g, '.*');
  const unescaped = source.replace(/\\(['"`])/g, '$1');
  return new RegExp(`(it|test|describe)(\\.each\\([^)]*\\))?\\(\\s*['"\`]${literal}['"\`]`, 's').test(
    unescaped.replace(/\)\)\(/g, ')('),
  );
}

describe.each(['docs/threat-model.md', 'docs/process-failures.md'])('%s', (doc) => {
  const references = referencesIn(readFileSync(join(ROOT, doc), 'utf8'));

  it('names tests', () => {
    expect(references.filter((r) => r.title !== undefined).length).toBeGreaterThan(doc.includes('threat') ? 20 : 2);
  });

  it('every test it names exists, under that title', () => {
    const missing: string[] = [];
    for (const { file, title } of references) {
      const candidates = resolveFile(file);
      if (candidates.length !== 1) {
        missing.push(`${file}: ${candidates.length === 0 ? 'no such test file' : 'names several files'}`);
        continue;
      }
      if (title === undefined) continue;
      const source = readFileSync(join(ROOT, candidates[0]!), 'utf8');
      if (!titleOccursIn(source, title)) missing.push(`${file} › ${title}`);
    }
    expect(missing).toEqual([]);
  });
});
