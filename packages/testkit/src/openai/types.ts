import type { FaultInjector } from '../http/fake-http.js';
import type { GeminiReply, GeminiResponderRequest } from '../gemini/types.js';

/** How the client asked for structured output, as the fake read it from the request. */
export type OpenAiStructuredMode = 'json_schema' | 'tools' | 'json_object' | 'text';

/** What the server supports: a request using an unsupported feature is refused with 400, like vLLM or Ollama do. */
export interface OpenAiCapabilities {
  /** `response_format: {type: "json_schema"}` (default true). */
  jsonSchema?: boolean;
  /** `tools` + `tool_choice` (default true). */
  tools?: boolean;
  /** `response_format: {type: "json_object"}` (default true). */
  jsonMode?: boolean;
}

/**
 * What a responder sees: the Gemini responder's fields (so `responders.heuristic` and friends answer both fakes)
 * plus how the client asked for the structure.
 */
export interface OpenAiResponderRequest extends GeminiResponderRequest {
  mode: OpenAiStructuredMode;
  stream: boolean;
  /** `max_tokens` or `max_completion_tokens`, if sent. */
  maxTokens?: number;
}

/**
 * The Gemini replies (json, text, status, hang), with an optional `finishReason` on json answers too
 * (`length`: the answer was cut off by the output-token limit).
 */
export type OpenAiReply = GeminiReply | { json: unknown; finishReason: string };

export type OpenAiResponder = (request: OpenAiResponderRequest) => OpenAiReply | Promise<OpenAiReply>;

export interface OpenAiRecordedRequest {
  model: string;
  mode: OpenAiStructuredMode;
  stream: boolean;
  /** The `Authorization` header, if any. */
  authorization?: string;
  system: string;
  prompt: string;
  /** The conversation without the system message (a repair is user, assistant, user). */
  turns: Array<{ role: string; text: string }>;
  maxTokens?: number;
  /** The decoded request body, verbatim. */
  body: Record<string, unknown>;
}

export interface FakeOpenAi {
  /** Base URL to pass as the client's `baseURL`: `http://127.0.0.1:<port>/v1`. */
  readonly url: string;
  readonly requests: OpenAiRecordedRequest[];
  /** Transport faults (HTML pages, cut answers, resets, 429 with headers, ...): see FaultSpec. */
  readonly faults: FaultInjector;
  readonly openRequests: number;
  setResponder(responder: OpenAiResponder): void;
  setCapabilities(capabilities: OpenAiCapabilities): void;
  close(): Promise<void>;
}
