/**
 * The StructuredModel port over Gemini, through @langchain/google-genai's ChatGoogleGenerativeAI.
 *
 * Choices that matter:
 * - Structured output uses `withStructuredOutput(schema, { method: 'jsonSchema', includeRaw: true })`, which sends
 *   the zod schema as `generationConfig.responseSchema` with `responseMimeType: application/json`. We keep the raw
 *   message and validate its text with zod ourselves (the library's own parse is not trusted), then repair once.
 * - `streaming: true`: in @langchain/google-genai 2.3 only the streaming path hands the abort signal to the HTTP
 *   request; on the non-streaming path an aborted `invoke` neither rejects nor closes its socket (checked against
 *   the fake server: it waits for the answer however long it takes).
 * - Every promise the client creates is owned here (`ownStreamResponses`): a broken stream is this call's
 *   DependencyError and nothing else.
 * - `maxRetries: 0`: LangChain's retry loop would repeat 429/5xx calls with backoff inside our timeout budget and
 *   hide the upstream status. A failure surfaces at once as a typed DependencyError (with Retry-After on 429) and
 *   the caller (the workflow, or Argo's next analysis interval) decides whether to try again.
 */
import { ChatGoogleGenerativeAI } from '@langchain/google-genai';
import type { AIMessage } from '@langchain/core/messages';
import { HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import type { InteropZodType } from '@langchain/core/utils/types';
import {
  DependencyError,
  InvalidRequestError,
  callDependency,
  type CallOptions,
  type StructuredGeneration,
  type StructuredModel,
  type TokenUsage,
} from '@aiops/contracts';
import type { ZodType } from 'zod';
import { toLlmError } from './errors.js';
import { estimateCallTokens, unlimited, type ProviderLimiter } from './rate-limit.js';
import { generateWithRepair, type RawAnswer } from './structured-output.js';

export const DEFAULT_GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com';

export interface GeminiModelOptions {
  apiKey: string;
  /** e.g. `gemini-2.5-flash`; also the StructuredModel's `name`. */
  model: string;
  /** Endpoint override (proxies, gateways, the fake server in tests). */
  baseUrl?: string;
  /** Per HTTP call: the first answer and the repair answer each get this long. */
  timeoutMs: number;
  temperature?: number;
  maxOutputTokens?: number;
  /** Called with the tokens of every answer the endpoint sent (repair turns and invalid answers included). */
  onUsage?: (usage: TokenUsage) => void;
  /** The provider's rate limit, shared by every model of the provider (default: none, Retry-After still honoured). */
  limiter?: ProviderLimiter;
}

function checkOptions(options: GeminiModelOptions): void {
  if (options.apiKey.trim() === '') throw new InvalidRequestError('apiKey', 'is required for the Gemini model');
  if (options.model.trim() === '') throw new InvalidRequestError('model', 'is required (e.g. gemini-2.5-flash)');
  if (!Number.isInteger(options.timeoutMs) || options.timeoutMs <= 0) {
    throw new InvalidRequestError('timeoutMs', `must be a positive integer, got ${options.timeoutMs}`);
  }
  if (options.baseUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(options.baseUrl)) {
    throw new InvalidRequestError('baseUrl', 'must be an http(s) URL');
  }
}

/**
 * Longest answer taken as a diagnosis. A structured diagnosis is a few KB; anything near this is a model (or a
 * proxy) gone wrong, and sending it back in a repair turn would only double the damage.
 */
const MAX_ANSWER_CHARS = 256 * 1024;

/**
 * @google/generative-ai's `generateContentStream` returns `{ stream, response }`: two readers of one tee'd body,
 * where `response` is a promise already running in the background. LangChain reads `stream` and drops `response`.
 * When the body is not a valid SSE stream (an HTML page behind a 200, a cut or reset connection, an abort), both
 * readers fail: `stream` reaches LangChain and us, while `response` rejected with nobody listening, an
 * unhandled rejection that ended the whole process. The failure is the same one `stream` reports, so owning
 * `response` loses nothing. LangChain gives no hook for it, so its (TypeScript-private) client is wrapped here;
 * if an upgrade moves it, construction fails loudly instead of the process failing later.
 */
interface StreamingClient {
  generateContentStream(...args: unknown[]): Promise<{ stream: unknown; response: Promise<unknown> }>;
}

function ownStreamResponses(chat: ChatGoogleGenerativeAI): void {
  const client = (chat as unknown as { client?: Partial<StreamingClient> }).client;
  const original = client?.generateContentStream;
  if (!client || typeof original !== 'function') {
    throw new Error(
      '@langchain/google-genai no longer exposes client.generateContentStream: review ownStreamResponses',
    );
  }
  client.generateContentStream = async (...args: unknown[]) => {
    const result = await original.apply(client, args);
    result.response.catch(() => undefined);
    return result;
  };
}

export function createGeminiModel(options: GeminiModelOptions): StructuredModel {
  checkOptions(options);
  const { apiKey, model, timeoutMs } = options;
  // Kept in this closure only, so the key is not reachable from the returned object (and not logged with it).
  const chat = new ChatGoogleGenerativeAI({
    model,
    apiKey,
    // Always explicit: without it LangChain may route to a gateway named by the environment.
    baseUrl: (options.baseUrl ?? DEFAULT_GEMINI_BASE_URL).replace(/\/+$/, ''),
    maxRetries: 0,
    streaming: true,
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.maxOutputTokens === undefined ? {} : { maxOutputTokens: options.maxOutputTokens }),
  });
  ownStreamResponses(chat);
  const limiter = options.limiter ?? unlimited();

  /** One model call through the shared dependency-call helper; SDK errors are typed (and the key removed) in here. */
  function call(messages: BaseMessage[], schema: ZodType, schemaName: string, caller: AbortSignal): Promise<RawAnswer> {
    const structured = chat.withStructuredOutput(schema as unknown as InteropZodType<Record<string, unknown>>, {
      name: schemaName,
      method: 'jsonSchema',
      includeRaw: true,
    });
    const estimate = estimateCallTokens(
      messages.map((m) => m.text),
      options.maxOutputTokens,
    );
    return limiter.run(estimate, caller, () =>
      callDependency({ dependency: 'llm', what: 'model call', signal: caller, timeoutMs }, async (signal) => {
        let raw: BaseMessage;
        try {
          ({ raw } = await structured.invoke(messages, { signal }));
        } catch (err) {
          throw signal.aborted ? err : toLlmError(err, [apiKey]);
        }
        // An abort while the answer streams in ends the stream early instead of throwing: never use a partial answer.
        if (signal.aborted) throw new Error('aborted while the answer was streaming');
        if (raw.text.length > MAX_ANSWER_CHARS) {
          throw new DependencyError(
            'llm',
            `answer of ${raw.text.length} characters is too large to be a diagnosis (limit ${MAX_ANSWER_CHARS})`,
          );
        }
        const usage = (raw as AIMessage).usage_metadata;
        const finishReason = (raw.response_metadata as { finishReason?: unknown } | undefined)?.finishReason;
        const tokens = { inputTokens: usage?.input_tokens ?? 0, outputTokens: usage?.output_tokens ?? 0 };
        options.onUsage?.(tokens);
        return {
          text: raw.text,
          usage: tokens,
          cutOff: finishReason === 'MAX_TOKENS',
        };
      }),
    );
  }

  return {
    name: model,
    async generate<T>(
      request: { system: string; prompt: string; schema: ZodType<T>; schemaName: string },
      { signal }: CallOptions,
    ): Promise<StructuredGeneration<T>> {
      const { system, prompt, schema, schemaName } = request;
      const conversation: BaseMessage[] = [new SystemMessage(system), new HumanMessage(prompt)];

      return generateWithRepair((turns) => call(turns, schema, schemaName, signal), {
        conversation,
        schema,
        schemaName,
        ...(options.maxOutputTokens !== undefined ? { maxOutputTokens: options.maxOutputTokens } : {}),
      });
    },
  };
}
