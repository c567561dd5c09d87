/**
 * Checking a model's structured answer ourselves: neither real nor fake models guarantee that the JSON they
 * return matches the schema, so every answer is parsed and validated with zod before anyone sees it.
 */
import { z, type ZodType } from 'zod';

export type StructuredCheck<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Bounds what is sent back to the model and put into error messages. */
const MAX_PROBLEM_CHARS = 2_000;
const MAX_ECHO_CHARS = 8_000;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/** Tolerates a Markdown code fence around the JSON (some models add one even in JSON mode). */
function unfence(text: string): string {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i.exec(trimmed);
  return fenced?.[1] ?? trimmed;
}

export function checkStructuredOutput<T>(text: string, schema: ZodType<T>): StructuredCheck<T> {
  const body = unfence(text);
  if (body === '') return { ok: false, problem: 'the answer was empty' };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return { ok: false, problem: `the answer is not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problem: clip(z.prettifyError(result.error), MAX_PROBLEM_CHARS) };
}

/** The follow-up turn of the single repair attempt: what was wrong, and the bad answer for reference. */
export function repairInstruction(problem: string, badAnswer: string, schemaName: string): string {
  return [
    `Your previous answer is not a valid ${schemaName} object.`,
    'Problems found:',
    problem,
    '',
    'Your previous answer was:',
    clip(badAnswer, MAX_ECHO_CHARS),
    '',
    `Answer again with only one corrected JSON object that satisfies the ${schemaName} schema, and nothing else.`,
  ].join('\n');
}

export function describeProblem(problem: string): string {
  return clip(problem.replace(/\s+/g, ' ').trim(), 500);
}
