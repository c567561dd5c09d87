/**
 * The StructuredModel port over any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, Ollama, LiteLLM,
 * Azure OpenAI's v1 API), through @langchain/openai's ChatOpenAICompletions.
 *
 * Choices that matter:
 * - Non-streaming calls only. With `streaming: true`, @langchain/openai estimates token counts through a tiktoken
 *   file it downloads from the internet at run time; where that host is unreachable (every air-gapped cluster) each
 *   call then takes ~3 minutes. The non-streaming path takes usage from the server's `usage` field and passes our
 *   abort signal to the HTTP request, so no call reaches anything but the configured endpoint.
 * - ChatOpenAICompletions, not ChatOpenAI: ChatOpenAI may switch to the Responses API by model name, which
 *   OpenAI-compatible servers do not serve.
 * - Structured output by what the server supports (`structuredOutput`): `json_schema` (response_format with the
 *   schema), `tools` (one forced function call whose arguments are the answer), `json_mode` (response_format
 *   json_object, schema in the instructions) or `text` (schema in the instructions, the text parsed). Every answer
 *   is validated with zod here whatever the mode, with one repair turn.
 * - An answer that stopped at the output-token limit (finish_reason "length") is invalid, even when the part that
 *   arrived happens to parse: it is never half-read.
 * - `maxRetries: 0` and LangChain's own retries off: a failure surfaces at once as a typed DependencyError
 *   (with Retry-After on 429); the rate limiter and the caller decide about trying again.
 */
import { ChatOpenAICompletions } from '@langchain/openai';
import type { AIMessage } from '@langchain/core/messages';
import { HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import {
  DependencyError,
  InvalidRequestError,
  callDependency,
  type CallOptions,
  type StructuredGeneration,
  type StructuredModel,
  type TokenUsage,
} from '@aiops/contracts';
import { z, type ZodType } from 'zod';
import { toLlmError } from './errors.js';
import { estimateCallTokens, unlimited, type ProviderLimiter } from './rate-limit.js';
import { generateWithRepair, type RawAnswer } from './structured-output.js';

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

export const STRUCTURED_OUTPUT_MODES = ['json_schema', 'tools', 'json_mode', 'text'] as const;
export type StructuredOutputMode = (typeof STRUCTURED_OUTPUT_MODES)[number];

export interface OpenAiModelOptions {
  /** e.g. `qwen3-8b`, `llama3.1:8b`, an Azure deployment name; also the StructuredModel's `name`. */
  model: string;
  /** `https://api.openai.com/v1`, `http://vllm:8000/v1`, `http://ollama:11434/v1`, ... */
  baseUrl?: string;
  /** Optional for local servers that take none. */
  apiKey?: string;
  /** Per HTTP call: the first answer and the repair answer each get this long. */
  timeoutMs: number;
  structuredOutput?: StructuredOutputMode;
  /** The answer's output-token limit (max_tokens). */
  maxOutputTokens?: number;
  temperature?: number;
  /** Called with the tokens of every answer the endpoint sent (repair turns and invalid answers included). */
  onUsage?: (usage: TokenUsage) => void;
  /** The provider's rate limit, shared by every model of the provider (default: none, Retry-After still honoured). */
  limiter?: ProviderLimiter;
}

/** Longest answer taken as a diagnosis (see gemini.ts). */
const MAX_ANSWER_CHARS = 256 * 1024;

function checkOptions(options: OpenAiModelOptions): void {
  if (options.model.trim() === '') throw new InvalidRequestError('model', 'is required (e.g. qwen3-8b)');
  if (!Number.isInteger(options.timeoutMs) || options.timeoutMs <= 0)
    throw new InvalidRequestError('timeoutMs', `must be a positive integer, got ${options.timeoutMs}`);
  if (options.baseUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(options.baseUrl))
    throw new InvalidRequestError('baseUrl', 'must be an http(s) URL');
  if (
    options.maxOutputTokens !== undefined &&
    (!Number.isInteger(options.maxOutputTokens) || options.maxOutputTokens <= 0)
  )
    throw new InvalidRequestError('maxOutputTokens', `must be a positive integer, got ${options.maxOutputTokens}`);
}

/** The JSON schema of a zod schema, as the server and the instructions see it. */
function jsonSchemaOf(schema: ZodType): Record<string, unknown> {
  const { $schema: _dropped, ...rest } = z.toJSONSchema(schema) as Record<string, unknown>;
  return rest;
}

/** For servers without structured output: the schema goes into the instructions. */
function schemaInstruction(schema: ZodType, schemaName: string): string {
  return [
    `Answer with exactly one JSON object (no prose, no code fence) named ${schemaName} that satisfies this JSON schema:`,
    JSON.stringify(jsonSchemaOf(schema)),
  ].join('\n');
}

interface ToolCallLike {
  function?: { arguments?: unknown };
}

/** The answer text: the message content, or the forced function call's arguments in `tools` mode. */
function answerText(message: AIMessage, mode: StructuredOutputMode): string {
  if (mode === 'tools') {
    const raw = (message.additional_kwargs?.tool_calls as ToolCallLike[] | undefined)?.[0]?.function?.arguments;
    if (typeof raw === 'string') return raw;
    const parsed = message.tool_calls?.[0]?.args;
    if (parsed !== undefined) return JSON.stringify(parsed);
  }
  return typeof message.content === 'string' ? message.content : message.text;
}

function finishReasonOf(message: AIMessage): string | undefined {
  const meta = message.response_metadata as { finish_reason?: unknown } | undefined;
  return typeof meta?.finish_reason === 'string' ? meta.finish_reason : undefined;
}

const NO_USAGE = { inputTokens: 0, outputTokens: 0 };

/** The OpenAI SDK's LengthFinishReasonError (thrown when it parses a json_schema answer that hit the limit). */
function isLengthFinish(err: unknown): boolean {
  return (
    err instanceof Error && (err.name === 'LengthFinishReasonError' || /length limit was reached/.test(err.message))
  );
}

export function createOpenAiModel(options: OpenAiModelOptions): StructuredModel {
  checkOptions(options);
  const { model, timeoutMs } = options;
  const mode = options.structuredOutput ?? 'json_schema';
  const apiKey = options.apiKey?.trim() ? options.apiKey : undefined;
  // Kept in this closure only, so the key is not reachable from the returned object (and not logged with it).
  const chat = new ChatOpenAICompletions({
    model,
    // Local servers take any key; the client refuses to start without one.
    apiKey: apiKey ?? 'no-key',
    // Always explicit: otherwise the client would take OPENAI_BASE_URL (or api.openai.com) from the environment.
    configuration: { baseURL: (options.baseUrl ?? DEFAULT_OPENAI_BASE_URL).replace(/\/+$/, '') },
    streaming: false,
    maxRetries: 0,
    timeout: timeoutMs,
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.maxOutputTokens === undefined ? {} : { maxTokens: options.maxOutputTokens }),
  });
  const secrets = apiKey ? [apiKey] : [];
  const limiter = options.limiter ?? unlimited();

  return {
    name: model,
    async generate<T>(
      request: { system: string; prompt: string; schema: ZodType<T>; schemaName: string },
      { signal }: CallOptions,
    ): Promise<StructuredGeneration<T>> {
      const { schema, schemaName } = request;
      const system =
        mode === 'json_mode' || mode === 'text'
          ? `${request.system}\n\n${schemaInstruction(schema, schemaName)}`
          : request.system;
      const parameters = jsonSchemaOf(schema);
      const callOptions =
        mode === 'json_schema'
          ? { response_format: { type: 'json_schema' as const, json_schema: { name: schemaName, schema: parameters } } }
          : mode === 'json_mode'
            ? { response_format: { type: 'json_object' as const } }
            : mode === 'tools'
              ? {
                  tools: [
                    {
                      type: 'function' as const,
                      function: { name: schemaName, description: `Report the ${schemaName}.`, parameters },
                    },
                  ],
                  tool_choice: { type: 'function' as const, function: { name: schemaName } },
                }
              : {};

      const ask = (conversation: BaseMessage[]): Promise<RawAnswer> =>
        limiter.run(
          estimateCallTokens(
            conversation.map((m) => m.text),
            options.maxOutputTokens,
          ),
          signal,
          () =>
            callDependency({ dependency: 'llm', what: 'model call', signal, timeoutMs }, async (callSignal) => {
              let message: AIMessage;
              try {
                message = await chat.invoke(conversation, { ...callOptions, signal: callSignal });
              } catch (err) {
                // In json_schema mode the OpenAI SDK itself refuses an answer cut off by the limit: invalid, like any other.
                if (!callSignal.aborted && isLengthFinish(err)) return { text: '', usage: NO_USAGE, cutOff: true };
                throw callSignal.aborted ? err : toLlmError(err, secrets);
              }
              const text = answerText(message, mode);
              if (text.length > MAX_ANSWER_CHARS) {
                throw new DependencyError(
                  'llm',
                  `answer of ${text.length} characters is too large to be a diagnosis (limit ${MAX_ANSWER_CHARS})`,
                );
              }
              const usage = message.usage_metadata;
              const tokens = { inputTokens: usage?.input_tokens ?? 0, outputTokens: usage?.output_tokens ?? 0 };
              options.onUsage?.(tokens);
              return {
                text,
                usage: tokens,
                cutOff: finishReasonOf(message) === 'length',
              };
            }),
        );

      return generateWithRepair(ask, {
        conversation: [new SystemMessage(system), new HumanMessage(request.prompt)],
        schema,
        schemaName,
        ...(options.maxOutputTokens !== undefined ? { maxOutputTokens: options.maxOutputTokens } : {}),
      });
    },
  };
}
