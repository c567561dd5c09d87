import { checkStructuredOutput } from '@aiops/llm';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const Schema = z.object({ promote: z.boolean(), confidence: z.number().int().min(0).max(100) });

describe('checkStructuredOutput', () => {
  it('accepts valid JSON, bare or in a code fence', () => {
    expect(checkStructuredOutput('{"promote":true,"confidence":5}', Schema)).toEqual({
      ok: true,
      value: { promote: true, confidence: 5 },
    });
    expect(checkStructuredOutput('```json\n{"promote":false,"confidence":0}\n```', Schema)).toEqual({
      ok: true,
      value: { promote: false, confidence: 0 },
    });
  });

  it('names what is wrong: empty, not JSON, or each schema violation with its path', () => {
    expect(checkStructuredOutput('  ', Schema)).toEqual({ ok: false, problem: 'the answer was empty' });
    const notJson = checkStructuredOutput('Sure! {promote: yes', Schema);
    expect(notJson.ok).toBe(false);
    expect(!notJson.ok && notJson.problem).toMatch(/not valid JSON/);
    const invalid = checkStructuredOutput('{"promote":"maybe","confidence":101}', Schema);
    expect(invalid.ok).toBe(false);
    expect(!invalid.ok && invalid.problem).toMatch(/promote/);
    expect(!invalid.ok && invalid.problem).toMatch(/confidence/);
  });
});
