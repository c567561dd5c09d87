/**
 * Read-only access to the Helm chart's files for the static chart checks (there is no helm binary here; upstream
 * CI runs helm lint, helm template + kubeconform and a kind install).
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const chartDir = join(repoRoot, 'charts', 'aiops-agent');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readChartFile(relativePath: string): string {
  return readFileSync(join(chartDir, relativePath), 'utf8');
}

export function readYaml(relativePath: string): Json {
  return parse(readChartFile(relativePath)) as Json;
}

export const defaultValues = (): JsonObject => {
  const values = readYaml('values.yaml');
  if (!isObject(values)) throw new Error('values.yaml is not a map');
  return values;
};

export const valuesSchema = (): JsonObject => JSON.parse(readChartFile('values.schema.json')) as JsonObject;

export function ciValuesFiles(): string[] {
  return readdirSync(join(chartDir, 'ci'))
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name) => `ci/${name}`);
}

export function templateFiles(): string[] {
  return readdirSync(join(chartDir, 'templates'))
    .filter((name) => /\.(yaml|tpl|txt)$/.test(name))
    .sort()
    .map((name) => `templates/${name}`);
}

export function rootReadme(): string | undefined {
  const path = join(repoRoot, 'README.md');
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** Helm's merge of user values over the defaults: maps merge key by key, everything else is replaced. */
export function mergeValues(base: Json, override: Json): Json {
  if (!isObject(base) || !isObject(override)) return override;
  const merged: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override))
    merged[key] = key in base ? mergeValues(base[key] ?? null, value) : value;
  return merged;
}

/** Every `.Values.a.b.c` path a template refers to (also `$.Values...` and `$root.Values...`). */
export function valuesReferences(templateText: string): string[] {
  const paths = new Set<string>();
  for (const match of templateText.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) paths.add(match[1]!.slice(1));
  return [...paths].sort();
}

/** Leaf paths of a values tree. Empty maps and lists are leaves too (they are settable as a whole). */
export function leafPaths(value: Json, prefix = ''): string[] {
  if (isObject(value) && Object.keys(value).length > 0) {
    return Object.entries(value).flatMap(([key, child]) => leafPaths(child, prefix === '' ? key : `${prefix}.${key}`));
  }
  return [prefix];
}

export function lookup(value: Json, path: string): { found: boolean; value?: Json } {
  let current: Json = value;
  for (const key of path.split('.')) {
    if (!isObject(current) || !(key in current)) return { found: false };
    current = current[key] ?? null;
  }
  return { found: true, value: current };
}

/** The schema node that describes a values path, following `properties` only. */
export function schemaAt(schema: JsonObject, path: string): JsonObject | undefined {
  let node: JsonObject | undefined = schema;
  for (const key of path.split('.')) {
    const properties: Json | undefined = node?.properties;
    const next: Json | undefined = isObject(properties) ? properties[key] : undefined;
    node = isObject(next) ? next : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/**
 * The YAML skeleton of a template: directives that fill whole lines (if/range/with/end/include ... | nindent)
 * are dropped and inline ones become the placeholder `TPL`. This is not a renderer: it only shows the fixed
 * structure the template writes, which is what the checks below are about.
 */
export function templateSkeleton(relativePath: string): JsonObject[] {
  const text = readChartFile(relativePath);
  let output = '';
  let cursor = 0;
  for (const match of text.matchAll(/\{\{[\s\S]*?\}\}/g)) {
    const start = match.index;
    const end = start + match[0].length;
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const lineEndIndex = text.indexOf('\n', end);
    const lineEnd = lineEndIndex === -1 ? text.length : lineEndIndex;
    const before = text.slice(lineStart, start);
    const after = text.slice(end, lineEnd);
    const fillsLine = before.trim() === '' && after.trim() === '';
    if (fillsLine) {
      output += text.slice(cursor, lineStart);
      cursor = Math.min(lineEnd + 1, text.length);
    } else if (start >= cursor) {
      output += text.slice(cursor, start) + 'TPL';
      cursor = end;
    }
  }
  output += text.slice(cursor);
  return parseAllDocuments(output)
    .map((document) => {
      if (document.errors.length > 0)
        throw new Error(`${relativePath}: ${document.errors.map((e) => e.message).join('; ')}`);
      return document.toJS() as Json;
    })
    .filter(isObject);
}
