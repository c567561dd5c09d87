/**
 * A fake Gemini API (generativelanguage.googleapis.com v1beta) on loopback, answering `generateContent` and
 * `streamGenerateContent` with the bodies the real service sends, so the real `@langchain/google-genai` client
 * can be driven against it.
 */
import type { ServerResponse } from 'node:http';
import { startFakeHttpServer, type RecordedRequest } from '../http/fake-http.js';
import { responders } from './responders.js';
import type { FakeGemini, GeminiRecordedRequest, GeminiReply, GeminiResponder, GeminiTurn } from './types.js';

const ROUTE = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

/** google.rpc.Code names, as Gemini puts them in `error.status`. */
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const DEFAULT_MESSAGES: Record<number, string> = {
  429: 'Resource has been exhausted (e.g. check quota).',
  500: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  503: 'The model is overloaded. Please try again later.',
};

interface Part {
  text?: unknown;
}
interface Content {
  role?: unknown;
  parts?: unknown;
}

function textOf(content: unknown): string {
  const parts = (content as Content | undefined)?.parts;
  if (!Array.isArray(parts)) return '';
  return parts
    .map((p: Part) => (typeof p?.text === 'string' ? p.text : ''))
    .filter((t) => t !== '')
    .join('\n');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

function errorBody(status: number, message: string, retryAfterSeconds?: number): unknown {
  const error: Record<string, unknown> = { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN' };
  if (status === 429) {
    error.details = [
      {
        '@type': 'type.googleapis.com/google.rpc.RetryInfo',
        retryDelay: `${retryAfterSeconds ?? 7}s`,
      },
    ];
  }
  return { error };
}

interface Answer {
  text: string;
  finishReason: string;
  promptTokens: number;
}

function candidateChunk(text: string, finishReason: string | undefined, usage: Record<string, number>): unknown {
  const candidate: Record<string, unknown> = { content: { role: 'model', parts: [{ text }] }, index: 0 };
  if (finishReason !== undefined) candidate.finishReason = finishReason;
  return { candidates: [candidate], usageMetadata: usage, modelVersion: 'fake-gemini' };
}

function fullUsage(answer: Answer): Record<string, number> {
  const output = estimateTokens(answer.text);
  return {
    promptTokenCount: answer.promptTokens,
    candidatesTokenCount: output,
    totalTokenCount: answer.promptTokens + output,
  };
}

function sendAnswer(res: ServerResponse, answer: Answer, stream: boolean, sse: boolean): void {
  if (!stream) {
    sendJson(res, 200, candidateChunk(answer.text, answer.finishReason, fullUsage(answer)));
    return;
  }
  // The real service streams several chunks; splitting the text in two exercises the client's concatenation.
  const cut = Math.floor(answer.text.length / 2);
  const chunks = [
    candidateChunk(answer.text.slice(0, cut), undefined, {
      promptTokenCount: answer.promptTokens,
      totalTokenCount: answer.promptTokens,
    }),
    candidateChunk(answer.text.slice(cut), answer.finishReason, fullUsage(answer)),
  ];
  if (sse) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const chunk of chunks) res.write(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
    res.end();
  } else {
    sendJson(res, 200, chunks);
  }
}

export async function startFakeGemini(options: { responder?: GeminiResponder } = {}): Promise<FakeGemini> {
  let responder: GeminiResponder = options.responder ?? responders.heuristic;
  let attempts = 0;
  const requests: GeminiRecordedRequest[] = [];

  async function handle(request: RecordedRequest, res: ServerResponse): Promise<void> {
    const route = ROUTE.exec(request.path);
    if (request.method !== 'POST' || !route) {
      sendJson(res, 404, errorBody(404, `Path ${request.path} was not found.`));
      return;
    }
    const [, model = '', method] = route;
    const stream = method === 'streamGenerateContent';
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      sendJson(res, 400, errorBody(400, 'Invalid JSON payload received.'));
      return;
    }
    if (!isRecord(body) || !Array.isArray(body.contents)) {
      sendJson(res, 400, errorBody(400, '* GenerateContentRequest.contents: contents is not specified'));
      return;
    }
    const apiKeyHeader = request.headers['x-goog-api-key'];
    const apiKey = Array.isArray(apiKeyHeader) ? apiKeyHeader[0] : apiKeyHeader;
    const turns: GeminiTurn[] = body.contents.map((c: unknown) => ({
      role: typeof (c as Content)?.role === 'string' ? ((c as Content).role as string) : 'user',
      text: textOf(c),
    }));
    const system = textOf(body.systemInstruction);
    const prompt = turns.find((t) => t.role === 'user')?.text ?? '';
    const generationConfig = isRecord(body.generationConfig) ? body.generationConfig : undefined;
    const record: GeminiRecordedRequest = {
      model,
      method: stream ? 'streamGenerateContent' : 'generateContent',
      system,
      prompt,
      turns,
      body,
    };
    if (apiKey !== undefined) record.apiKey = apiKey;
    if (generationConfig !== undefined) {
      record.generationConfig = generationConfig;
      if (generationConfig.responseSchema !== undefined) record.responseSchema = generationConfig.responseSchema;
      if (typeof generationConfig.responseMimeType === 'string')
        record.responseMimeType = generationConfig.responseMimeType;
    }
    requests.push(record);

    if (!apiKey) {
      sendJson(
        res,
        403,
        errorBody(
          403,
          "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        ),
      );
      return;
    }

    attempts += 1;
    let reply: GeminiReply;
    try {
      reply = await responder({
        model,
        system,
        prompt,
        turns,
        responseSchema: record.responseSchema,
        attempt: attempts,
      });
    } catch (err) {
      sendJson(res, 500, errorBody(500, `fake responder failed: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }

    if ('hang' in reply) return; // the socket stays open until the client aborts or close() drops it
    if ('status' in reply) {
      sendJson(
        res,
        reply.status,
        errorBody(
          reply.status,
          reply.message ?? DEFAULT_MESSAGES[reply.status] ?? `fake error ${reply.status}`,
          reply.retryAfterSeconds,
        ),
      );
      return;
    }
    const text = 'json' in reply ? JSON.stringify(reply.json) : reply.text;
    const finishReason = 'text' in reply && reply.finishReason !== undefined ? reply.finishReason : 'STOP';
    const promptTokens = estimateTokens(system + turns.map((t) => t.text).join(''));
    sendAnswer(res, { text, finishReason, promptTokens }, stream, request.query.alt === 'sse');
  }

  const server = await startFakeHttpServer({
    handle,
    errorBody: (status) => errorBody(status, DEFAULT_MESSAGES[status] ?? `fake error ${status}`),
    // One valid event whose text is `bytes` long: a model that rambles, not a broken stream.
    hugeBody: (bytes) => ({
      contentType: 'text/event-stream',
      body: `data: ${JSON.stringify(candidateChunk('x'.repeat(bytes), 'STOP', { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 }))}\r\n\r\n`,
    }),
  });

  return {
    url: server.url,
    requests,
    faults: server.faults,
    get openRequests() {
      return server.openRequests;
    },
    get openConnections() {
      return server.openConnections;
    },
    setResponder(next) {
      responder = next;
    },
    close: () => server.close(),
  };
}
