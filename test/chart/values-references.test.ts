import { describe, expect, it } from 'vitest';
import {
  defaultValues,
  leafPaths,
  lookup,
  readChartFile,
  schemaAt,
  templateFiles,
  valuesReferences,
  valuesSchema,
} from './chart-files.js';

const references = templateFiles().flatMap((file) =>
  valuesReferences(readChartFile(file)).map((path) => ({ file, path })),
);
const referencedPaths = [...new Set(references.map((r) => r.path))];

describe('values used by the templates', () => {
  it('finds references to check', () => {
    expect(referencedPaths.length).toBeGreaterThan(50);
  });

  it('every .Values path a template reads exists in values.yaml', () => {
    const missing = references
      .filter((r) => !lookup(defaultValues(), r.path).found)
      .map((r) => `${r.file}: .Values.${r.path}`);
    expect(missing).toEqual([]);
  });

  it('every .Values path a template reads is described by values.schema.json', () => {
    const missing = references
      .filter((r) => schemaAt(valuesSchema(), r.path) === undefined)
      .map((r) => `${r.file}: .Values.${r.path}`);
    expect(missing).toEqual([]);
  });

  it('every value in values.yaml is read by a template (itself or through a parent passed on whole)', () => {
    // `global` is only there so the chart can be a subchart; nothing reads it.
    const documentedUnused = new Set(['global']);
    const unused = leafPaths(defaultValues()).filter(
      (leaf) =>
        !documentedUnused.has(leaf) && !referencedPaths.some((path) => leaf === path || leaf.startsWith(`${path}.`)),
    );
    expect(unused).toEqual([]);
  });

  it('every value in values.yaml is described by values.schema.json', () => {
    const undescribed = leafPaths(defaultValues()).filter((leaf) => schemaAt(valuesSchema(), leaf) === undefined);
    expect(undescribed).toEqual([]);
  });
});
