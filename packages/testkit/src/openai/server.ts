/**
 * A fake OpenAI-compatible chat-completions server (what vLLM, Ollama, LiteLLM and Azure OpenAI's v1 API serve) on
 * loopback: `POST /v1/chat/completions` streaming and not, `response_format` (json_schema, json_object), tools,
 * usage, 429 with Retry-After, and the shared fault API. Driven by the real `@langchain/openai` client.
 */
import type { ServerResponse } from 'node:http';
import { startFakeHttpServer, type RecordedRequest } from '../http/fake-http.js';
import { responders } from '../gemini/responders.js';
import type {
  FakeOpenAi,
  OpenAiCapabilities,
  OpenAiRecordedRequest,
  OpenAiReply,
  OpenAiResponder,
  OpenAiStructuredMode,
} from './types.js';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_exceeded',
  500: 'server_error',
  503: 'server_error',
};

function errorBody(status: number, message: string, param?: string): unknown {
  return { error: { message, type: ERROR_TYPES[status] ?? 'server_error', param: param ?? null, code: null } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/** Message content: a string, or an array of `{type: "text", text}` parts. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p: unknown) => (isRecord(p) && typeof p.text === 'string' ? p.text : ''))
    .filter((t) => t !== '')
    .join('\n');
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function modeOf(body: Record<string, unknown>): OpenAiStructuredMode {
  if (Array.isArray(body.tools) && body.tools.length > 0) return 'tools';
  const format = isRecord(body.response_format) ? body.response_format.type : undefined;
  if (format === 'json_schema') return 'json_schema';
  if (format === 'json_object') return 'json_object';
  return 'text';
}

/** The refusal a server without the feature gives (vLLM and Ollama answer 400 naming the parameter). */
function unsupported(mode: OpenAiStructuredMode, capabilities: Required<OpenAiCapabilities>): string | undefined {
  if (mode === 'json_schema' && !capabilities.jsonSchema) return 'response_format';
  if (mode === 'json_object' && !capabilities.jsonMode) return 'response_format';
  if (mode === 'tools' && !capabilities.tools) return 'tools';
  return undefined;
}

function toolName(body: Record<string, unknown>): string {
  const choice = body.tool_choice;
  if (isRecord(choice) && isRecord(choice.function) && typeof choice.function.name === 'string')
    return choice.function.name;
  const first = Array.isArray(body.tools) ? (body.tools[0] as unknown) : undefined;
  if (isRecord(first) && isRecord(first.function) && typeof first.function.name === 'string')
    return first.function.name;
  return 'answer';
}

interface Answer {
  text: string;
  finishReason: string;
  promptTokens: number;
  mode: OpenAiStructuredMode;
  tool: string;
  model: string;
}

let nextId = 0;

function message(answer: Answer): Record<string, unknown> {
  if (answer.mode !== 'tools') return { role: 'assistant', content: answer.text };
  return {
    role: 'assistant',
    content: null,
    tool_calls: [{ id: `call_${++nextId}`, type: 'function', function: { name: answer.tool, arguments: answer.text } }],
  };
}

function usage(answer: Answer): Record<string, number> {
  const completion = estimateTokens(answer.text);
  return {
    prompt_tokens: answer.promptTokens,
    completion_tokens: completion,
    total_tokens: answer.promptTokens + completion,
  };
}

function sendAnswer(res: ServerResponse, answer: Answer, stream: boolean, includeUsage: boolean): void {
  const id = `chatcmpl-fake-${++nextId}`;
  const created = Math.floor(Date.now() / 1000);
  if (!stream) {
    sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model: answer.model,
      choices: [{ index: 0, message: message(answer), finish_reason: answer.finishReason, logprobs: null }],
      usage: usage(answer),
    });
    return;
  }
  // Two content deltas, then the finish reason, then (when asked) the usage chunk, then [DONE].
  const cut = Math.floor(answer.text.length / 2);
  const delta = (text: string, first: boolean): Record<string, unknown> =>
    answer.mode === 'tools'
      ? {
          ...(first ? { role: 'assistant' } : {}),
          tool_calls: [
            {
              index: 0,
              ...(first ? { id: `call_${++nextId}`, type: 'function' } : {}),
              function: { ...(first ? { name: answer.tool } : {}), arguments: text },
            },
          ],
        }
      : { ...(first ? { role: 'assistant' } : {}), content: text };
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: answer.model, choices, ...extra })}\n\n`;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write(chunk([{ index: 0, delta: delta(answer.text.slice(0, cut), true), finish_reason: null }]));
  res.write(chunk([{ index: 0, delta: delta(answer.text.slice(cut), false), finish_reason: null }]));
  res.write(chunk([{ index: 0, delta: {}, finish_reason: answer.finishReason }]));
  if (includeUsage) res.write(chunk([], { usage: usage(answer) }));
  res.end('data: [DONE]\n\n');
}

export async function startFakeOpenAi(
  options: { responder?: OpenAiResponder; capabilities?: OpenAiCapabilities; apiKey?: string } = {},
): Promise<FakeOpenAi> {
  let responder: OpenAiResponder = options.responder ?? responders.heuristic;
  const capabilities: Required<OpenAiCapabilities> = { jsonSchema: true, tools: true, jsonMode: true };
  const setCapabilities = (c: OpenAiCapabilities) => Object.assign(capabilities, c);
  if (options.capabilities) setCapabilities(options.capabilities);
  let attempts = 0;
  const requests: OpenAiRecordedRequest[] = [];

  async function handle(request: RecordedRequest, res: ServerResponse): Promise<void> {
    if (request.method === 'GET' && request.path === '/v1/models') {
      sendJson(res, 200, { object: 'list', data: [{ id: 'fake-model', object: 'model', owned_by: 'fake' }] });
      return;
    }
    if (request.method !== 'POST' || request.path !== '/v1/chat/completions') {
      sendJson(res, 404, errorBody(404, `Unknown request URL: ${request.method} ${request.path}`));
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      sendJson(res, 400, errorBody(400, 'We could not parse the JSON body of your request.'));
      return;
    }
    if (!isRecord(body) || !Array.isArray(body.messages) || typeof body.model !== 'string') {
      sendJson(res, 400, errorBody(400, "'messages' and 'model' are required properties", 'messages'));
      return;
    }
    const turns = body.messages.map((m: unknown) => ({
      role: isRecord(m) && typeof m.role === 'string' ? m.role : 'user',
      text: isRecord(m) ? textOf(m.content) : '',
    }));
    const system = turns
      .filter((t) => t.role === 'system' || t.role === 'developer')
      .map((t) => t.text)
      .join('\n');
    const conversation = turns.filter((t) => t.role !== 'system' && t.role !== 'developer');
    const prompt = conversation.find((t) => t.role === 'user')?.text ?? '';
    const mode = modeOf(body);
    const stream = body.stream === true;
    const maxTokens =
      typeof body.max_tokens === 'number'
        ? body.max_tokens
        : typeof body.max_completion_tokens === 'number'
          ? body.max_completion_tokens
          : undefined;
    const authorization = request.headers.authorization;
    const record: OpenAiRecordedRequest = {
      model: body.model,
      mode,
      stream,
      system,
      prompt,
      turns: conversation,
      body,
    };
    if (typeof authorization === 'string') record.authorization = authorization;
    if (maxTokens !== undefined) record.maxTokens = maxTokens;
    requests.push(record);

    if (options.apiKey !== undefined && authorization !== `Bearer ${options.apiKey}`) {
      sendJson(res, 401, errorBody(401, 'Incorrect API key provided.'));
      return;
    }
    const refused = unsupported(mode, capabilities);
    if (refused !== undefined) {
      sendJson(res, 400, errorBody(400, `this server does not support ${mode} (${refused})`, refused));
      return;
    }

    attempts += 1;
    let reply: OpenAiReply;
    try {
      reply = await responder({
        model: body.model,
        system,
        prompt,
        turns: conversation,
        responseSchema: isRecord(body.response_format) ? body.response_format.json_schema : undefined,
        attempt: attempts,
        mode,
        stream,
        ...(maxTokens !== undefined ? { maxTokens } : {}),
      });
    } catch (err) {
      sendJson(res, 500, errorBody(500, `fake responder failed: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    if ('hang' in reply) return; // open until the client aborts or close() drops it
    if ('status' in reply) {
      sendJson(
        res,
        reply.status,
        errorBody(reply.status, reply.message ?? `fake error ${reply.status}`),
        reply.retryAfterSeconds !== undefined ? { 'retry-after': String(reply.retryAfterSeconds) } : {},
      );
      return;
    }
    const text = 'json' in reply ? JSON.stringify(reply.json) : reply.text;
    const finishReason =
      'finishReason' in reply && reply.finishReason !== undefined
        ? reply.finishReason
        : mode === 'tools'
          ? 'tool_calls'
          : 'stop';
    const includeUsage = isRecord(body.stream_options) && body.stream_options.include_usage === true;
    sendAnswer(
      res,
      {
        text,
        finishReason,
        promptTokens: estimateTokens(turns.map((t) => t.text).join('')),
        mode,
        tool: toolName(body),
        model: body.model,
      },
      stream,
      includeUsage,
    );
  }

  const server = await startFakeHttpServer({
    handle,
    errorBody: (status) => errorBody(status, `fake error ${status}`),
    // One valid answer whose content is `bytes` long: a model that rambles, not a broken answer.
    hugeBody: (bytes) => ({
      contentType: 'application/json',
      body: JSON.stringify({
        id: 'chatcmpl-huge',
        object: 'chat.completion',
        created: 0,
        model: 'fake',
        choices: [{ index: 0, message: { role: 'assistant', content: 'x'.repeat(bytes) }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }),
    }),
  });

  return {
    url: `${server.url}/v1`,
    requests,
    faults: server.faults,
    get openRequests() {
      return server.openRequests;
    },
    setResponder(next) {
      responder = next;
    },
    setCapabilities,
    close: () => server.close(),
  };
}
