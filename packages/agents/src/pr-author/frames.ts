/**
 * Stack frames in log lines → source files of the repository. Frames name container paths (/app/...), Java
 * class names, or bare file names; the repository tree is matched by path suffix.
 */
import type { CodeHostTreeEntry } from '@aiops/contracts';

export interface StackFrame {
  /** As printed: an absolute container path, a package-derived path, or a bare file name. */
  path: string;
  line: number;
}

export interface CandidateFile {
  path: string;
  lines: number[];
  /** Matching path segments; more is a stronger match. */
  score: number;
}

const SOURCE_EXT = 'go|py|js|mjs|cjs|ts|tsx|jsx|java|kt|scala|rb|rs|cs|php|c|cc|cpp|h|hpp|swift';
const PYTHON_FRAME = /File "([^"]+\.py)", line (\d+)/g;
const JAVA_FRAME = /at ((?:[A-Za-z_$][\w$]*\.)+)[A-Za-z_$<>][\w$<>]*\(([\w$]+\.(?:java|kt|scala)):(\d+)\)/g;
const PATH_LINE = new RegExp(`((?:[\\w.@-]+)?(?:/[\\w.@-]+)*\\.(?:${SOURCE_EXT})):(\\d+)`, 'g');

/** Runtime, vendored and third-party code: a fix never belongs there. */
const FOREIGN =
  /(^|\/)(node_modules|site-packages|dist-packages|vendor|third_party)\/|^\/usr\/|^\/opt\/|^node:|\/go\/src\/runtime\//;

export function extractFrames(text: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const m of text.matchAll(PYTHON_FRAME)) frames.push({ path: m[1] ?? '', line: Number(m[2]) });
  for (const m of text.matchAll(JAVA_FRAME)) {
    // com.acme.checkout.PriceService$Inner. → com/acme/checkout/ + PriceService.java
    const packagePath = (m[1] ?? '').split('.').slice(0, -2).join('/');
    const file = m[2] ?? '';
    frames.push({ path: packagePath ? `${packagePath}/${file}` : file, line: Number(m[3]) });
  }
  for (const m of text.matchAll(PATH_LINE)) {
    const path = m[1] ?? '';
    if (path.endsWith('.py') && text.includes(`File "${path}"`)) continue; // already taken as a Python frame
    if (/\.(java|kt|scala)$/.test(path) && !path.includes('/')) continue; // taken with its package above
    frames.push({ path, line: Number(m[2]) });
  }
  return frames.filter((f) => f.path && Number.isInteger(f.line) && f.line > 0 && !FOREIGN.test(f.path));
}

/** Number of trailing path segments the two paths share. */
function sharedSuffix(a: string, b: string): number {
  const x = a.split('/').filter(Boolean).reverse();
  const y = b.split('/').filter(Boolean).reverse();
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  return n;
}

/**
 * Repository files the frames point at, best first. A frame matches a file when one path ends with the other
 * (container prefixes like /app differ; Java frames carry only the package path). A bare file name must match a
 * single file to count.
 */
export function candidateFiles(frames: StackFrame[], tree: CodeHostTreeEntry[], limit: number): CandidateFile[] {
  const blobs = tree.filter((e) => e.type === 'blob');
  const byPath = new Map<string, CandidateFile>();
  for (const frame of frames) {
    const frameSegments = frame.path.split('/').filter(Boolean).length;
    const scored = blobs
      .map((b) => ({ path: b.path, score: sharedSuffix(frame.path, b.path), size: b.path.split('/').length }))
      .filter((c) => c.score > 0 && (c.score === c.size || c.score === frameSegments));
    if (scored.length === 0) continue;
    const best = Math.max(...scored.map((c) => c.score));
    const top = scored.filter((c) => c.score === best);
    if (best === 1 && top.length > 1) continue; // an ambiguous bare file name
    for (const c of top) {
      const existing = byPath.get(c.path) ?? { path: c.path, lines: [], score: 0 };
      if (!existing.lines.includes(frame.line)) existing.lines.push(frame.line);
      existing.score = Math.max(existing.score, best) + 0.01; // more frames in the same file rank it higher
      byPath.set(c.path, existing);
    }
  }
  return [...byPath.values()].sort((a, b) => b.score - a.score || a.path.localeCompare(b.path)).slice(0, limit);
}
