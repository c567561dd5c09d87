/**
 * Checking a model's structured answer ourselves: neither real nor fake models guarantee that the JSON they
 * return matches the schema, so every answer is parsed and validated with zod before anyone sees it.
 */
import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { DependencyError, type StructuredGeneration, type TokenUsage } from '@aiops/contracts';
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

/** One model answer as an adapter received it. */
export interface RawAnswer {
  text: string;
  usage: TokenUsage;
  /** The answer stopped at the output-token limit (OpenAI finish_reason "length", Gemini MAX_TOKENS). */
  cutOff?: boolean;
}

function addUsage(total: TokenUsage, more: TokenUsage): TokenUsage {
  return { inputTokens: total.inputTokens + more.inputTokens, outputTokens: total.outputTokens + more.outputTokens };
}

/** An answer cut off by the output limit is invalid even when what arrived parses: it is never half-read. */
function checkAnswer<T>(answer: RawAnswer, schema: ZodType<T>, maxOutputTokens?: number): StructuredCheck<T> {
  if (answer.cutOff) {
    const limit = maxOutputTokens === undefined ? 'the output-token limit' : `the limit of ${maxOutputTokens} tokens`;
    return {
      ok: false,
      problem: `the answer was cut off at ${limit} (finish reason "length"); answer again, more briefly`,
    };
  }
  return checkStructuredOutput(answer.text, schema);
}

/**
 * The structured-output loop every adapter shares: ask, validate with zod, and on a bad answer one repair turn in
 * the same conversation (the bad answer and what is wrong with it); a second bad answer is a DependencyError.
 */
export async function generateWithRepair<T>(
  ask: (conversation: BaseMessage[]) => Promise<RawAnswer>,
  request: { conversation: BaseMessage[]; schema: ZodType<T>; schemaName: string; maxOutputTokens?: number },
): Promise<StructuredGeneration<T>> {
  const { schema, schemaName, maxOutputTokens } = request;
  const conversation = [...request.conversation];
  const first = await ask(conversation);
  const firstCheck = checkAnswer(first, schema, maxOutputTokens);
  if (firstCheck.ok) return { value: firstCheck.value, attempts: 1, usage: first.usage, raw: first.text };

  conversation.push(
    new AIMessage(first.text),
    new HumanMessage(repairInstruction(firstCheck.problem, first.text, schemaName)),
  );
  const second = await ask(conversation);
  const usage = addUsage(first.usage, second.usage);
  const secondCheck = checkAnswer(second, schema, maxOutputTokens);
  if (secondCheck.ok) return { value: secondCheck.value, attempts: 2, usage, raw: second.text };
  throw new DependencyError(
    'llm',
    `invalid structured output: ${describeProblem(secondCheck.problem)} (after 2 attempts)`,
  );
}
