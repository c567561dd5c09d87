import type { FaultInjector } from '../http/fake-http.js';

/** One turn of the conversation as the fake saw it (text parts joined). */
export interface GeminiTurn {
  role: string;
  text: string;
}

/** What a responder sees of a request. */
export interface GeminiResponderRequest {
  model: string;
  /** systemInstruction text ('' when absent). */
  system: string;
  /** The first user turn: the question as originally asked (a repair turn does not replace it). */
  prompt: string;
  /** Every turn, in order (a repair conversation is user, model, user). */
  turns: GeminiTurn[];
  responseSchema?: unknown;
  /** 1 for the first call this server received, 2 for the second, ... */
  attempt: number;
}

export type GeminiReply =
  /** Serialised as the text part of a normal answer. */
  | { json: unknown }
  /** Raw text part, e.g. garbage or truncated JSON. */
  | { text: string; finishReason?: string }
  /** An error answer with Gemini's error body; 429 carries a RetryInfo detail. */
  | { status: number; message?: string; retryAfterSeconds?: number }
  /** Never answers until the client disconnects. */
  | { hang: true };

export type GeminiResponder = (request: GeminiResponderRequest) => GeminiReply | Promise<GeminiReply>;

/** Every request the fake received, as recorded before answering. */
export interface GeminiRecordedRequest {
  model: string;
  method: 'generateContent' | 'streamGenerateContent';
  /** The `x-goog-api-key` header, if any. */
  apiKey?: string;
  system: string;
  prompt: string;
  turns: GeminiTurn[];
  generationConfig?: Record<string, unknown>;
  responseSchema?: unknown;
  responseMimeType?: string;
  /** The decoded request body, verbatim. */
  body: unknown;
}

export interface FakeGemini {
  /** Transport faults (HTML pages, cut or stalled streams, resets, ...): see FaultSpec. */
  readonly faults: FaultInjector;
  /** TCP connections open now (idle keep-alive ones included). */
  readonly openConnections: number;
  /** Base URL to pass as the client's `baseUrl` (no trailing slash). */
  readonly url: string;
  readonly requests: GeminiRecordedRequest[];
  /** Requests whose connection is still open (a hung request counts until the client aborts it). */
  readonly openRequests: number;
  setResponder(responder: GeminiResponder): void;
  /** Closes the server and drops open connections, including hung requests. */
  close(): Promise<void>;
}
