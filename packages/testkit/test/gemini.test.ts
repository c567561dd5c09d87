import { ChatGoogleGenerativeAI } from '@langchain/google-genai';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { DiagnosisSchema } from '@aiops/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FORGED_EVIDENCE_ID,
  injectionPayloads,
  obeyInjectedInstructions,
  responders,
  startFakeGemini,
  type FakeGemini,
  type GeminiResponder,
} from '@aiops/testkit';

const KEY = 'test-key-123';
let fake: FakeGemini | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(responder?: GeminiResponder): Promise<FakeGemini> {
  fake = await startFakeGemini(responder ? { responder } : {});
  return fake;
}

function request(system: string, prompt: string) {
  return {
    systemInstruction: { role: 'system', parts: [{ text: system }] },
    contents: [{ role: 'user', parts: [{ text: prompt }] }],
    generationConfig: { responseMimeType: 'application/json', responseSchema: { type: 'object' } },
  };
}

async function post(
  server: FakeGemini,
  path: string,
  body: unknown,
  headers: Record<string, string> = { 'x-goog-api-key': KEY },
) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

const EVIDENCE = [
  'Evidence:',
  '- [f-panic] severity=critical side=canary-only hard=true :: panic: runtime error: invalid memory address or nil pointer dereference',
  '- [f-warn] severity=warning side=canary hard=false :: slow request warning',
  '- [f-both] severity=error side=both hard=false :: upstream timeout',
  '- [f-npe] severity=error side=canary hard=false :: NullPointerException in OrderService',
].join('\n');

describe('fake Gemini server, wire level', () => {
  it('answers generateContent with a real response body and records the request', async () => {
    const server = await start(responders.alwaysPromote);
    const res = await post(server, '/v1beta/models/gemini-2.5-flash:generateContent', request('be careful', 'hello'));
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      candidates: Array<{ content: { role: string; parts: Array<{ text: string }> }; finishReason: string }>;
      usageMetadata: { promptTokenCount: number; candidatesTokenCount: number; totalTokenCount: number };
    };
    const candidate = body.candidates[0];
    expect(candidate?.content.role).toBe('model');
    expect(candidate?.finishReason).toBe('STOP');
    expect(DiagnosisSchema.parse(JSON.parse(candidate?.content.parts[0]?.text ?? '')).promote).toBe(true);
    expect(body.usageMetadata.totalTokenCount).toBe(
      body.usageMetadata.promptTokenCount + body.usageMetadata.candidatesTokenCount,
    );
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      model: 'gemini-2.5-flash',
      method: 'generateContent',
      apiKey: KEY,
      system: 'be careful',
      prompt: 'hello',
      responseMimeType: 'application/json',
      responseSchema: { type: 'object' },
    });
  });

  it('streams server-sent events that concatenate to the answer', async () => {
    const server = await start(() => ({ json: { hello: 'world' } }));
    const res = await post(server, '/v1beta/models/m:streamGenerateContent?alt=sse', request('s', 'p'));
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = (await res.text())
      .split('\r\n\r\n')
      .filter((e) => e.startsWith('data: '))
      .map(
        (e) =>
          JSON.parse(e.slice('data: '.length)) as {
            candidates: Array<{ content: { parts: Array<{ text: string }> } }>;
          },
      );
    expect(events.length).toBeGreaterThan(1);
    const text = events.map((e) => e.candidates[0]?.content.parts[0]?.text ?? '').join('');
    expect(JSON.parse(text)).toEqual({ hello: 'world' });
  });

  it('sends Gemini error bodies, with RetryInfo on 429', async () => {
    const server = await start(responders.status(429, undefined, 12));
    const res = await post(server, '/v1beta/models/m:generateContent', request('s', 'p'));
    expect(res.status).toBe(429);
    expect(await res.json()).toEqual({
      error: {
        code: 429,
        message: expect.any(String) as unknown,
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' }],
      },
    });
    server.setResponder(responders.status(500));
    const res500 = await post(server, '/v1beta/models/m:generateContent', request('s', 'p'));
    expect(res500.status).toBe(500);
    expect(await res500.json()).toMatchObject({ error: { code: 500, status: 'INTERNAL' } });
  });

  it('rejects a request without an API key, an unknown path and a malformed body', async () => {
    const server = await start();
    expect((await post(server, '/v1beta/models/m:generateContent', request('s', 'p'), {})).status).toBe(403);
    expect((await post(server, '/v1/other', {})).status).toBe(404);
    expect((await post(server, '/v1beta/models/m:generateContent', { nothing: true })).status).toBe(400);
  });

  it('counts attempts over the server life and passes every turn', async () => {
    const seen: Array<{ attempt: number; turns: number }> = [];
    const server = await start((req) => {
      seen.push({ attempt: req.attempt, turns: req.turns.length });
      return { json: {} };
    });
    await post(server, '/v1beta/models/m:generateContent', request('s', 'p'));
    const repair = request('s', 'p');
    repair.contents.push({ role: 'model', parts: [{ text: '{}' }] }, { role: 'user', parts: [{ text: 'fix it' }] });
    await post(server, '/v1beta/models/m:generateContent', repair);
    expect(seen).toEqual([
      { attempt: 1, turns: 1 },
      { attempt: 2, turns: 3 },
    ]);
    expect(server.requests[1]?.prompt).toBe('p');
  });

  it('close() does not wait for a hung request', async () => {
    const server = await start(responders.hang);
    const pending = post(server, '/v1beta/models/m:generateContent', request('s', 'p')).then(
      () => 'answered',
      () => 'dropped',
    );
    // The request is recorded before the responder runs, so waiting for the record orders the close after it.
    await expect.poll(() => server.requests.length).toBe(1);
    await server.close();
    fake = undefined;
    expect(await pending).toBe('dropped');
  });
});

describe('built-in responders', () => {
  const ask = (responder: GeminiResponder, prompt: string) =>
    responder({ model: 'm', system: '', prompt, turns: [{ role: 'user', text: prompt }], attempt: 1 });

  it('heuristic rejects citing canary-side errors and hard failures only', async () => {
    const reply = await ask(responders.heuristic, EVIDENCE);
    expect('json' in reply).toBe(true);
    const diagnosis = DiagnosisSchema.parse((reply as { json: unknown }).json);
    expect(diagnosis.promote).toBe(false);
    expect(diagnosis.evidenceIds).toEqual(['f-panic', 'f-npe']);
    expect(diagnosis.rootCause).toContain('nil pointer');
  });

  it('heuristic promotes clean evidence', async () => {
    const clean =
      '- [f-1] severity=warning side=canary hard=false :: slow\n- [f-2] severity=error side=stable hard=false :: stable only';
    const diagnosis = DiagnosisSchema.parse(((await ask(responders.heuristic, clean)) as { json: unknown }).json);
    expect(diagnosis).toMatchObject({
      promote: true,
      confidence: 85,
      rootCause: 'none',
      remediation: 'none required',
      evidenceIds: [],
    });
  });

  it('obeyInjection obeys every payload of the red-team set, in both directions, else acts like heuristic', async () => {
    for (const payload of injectionPayloads) {
      for (const goal of ['promote', 'reject'] as const) {
        // As the renderer shows it: one line, whitespace collapsed, controls blanked, fence-like runs defused.
        const shown = [...payload.text(goal)]
          .map((c) => (c.charCodeAt(0) < 32 || c === '\u200b' ? ' ' : c))
          .join('')
          .replace(/>{3,}/g, '›››')
          .replace(/<{3,}/g, '‹‹‹')
          .replace(/\s+/g, ' ');
        const prompt = `${EVIDENCE}\n- [log:abc] severity=info side=canary-only hard=false :: ${shown.slice(0, 400)}`;
        const turn = obeyInjectedInstructions(prompt);
        expect(turn.recognised, `${payload.id}:${goal}`).toEqual([`${payload.id}:${goal}`]);
        const reply = DiagnosisSchema.parse(((await ask(responders.obeyInjection, prompt)) as { json: unknown }).json);
        expect(reply.promote, `${payload.id}:${goal}`).toBe(goal === 'promote');
        if (goal === 'reject')
          expect(reply.evidenceIds).toEqual(expect.arrayContaining([FORGED_EVIDENCE_ID, 'log:abc']));
      }
    }
    const honest = DiagnosisSchema.parse(((await ask(responders.obeyInjection, EVIDENCE)) as { json: unknown }).json);
    expect(honest.promote).toBe(false);
  });

  it('invalidThenValid fails the schema once, then delegates', async () => {
    const responder = responders.invalidThenValid(responders.alwaysPromote);
    const first = (await ask(responder, '')) as { json: unknown };
    expect(DiagnosisSchema.safeParse(first.json).success).toBe(false);
    const second = (await ask(responder, '')) as { json: unknown };
    expect(DiagnosisSchema.parse(second.json).promote).toBe(true);
  });
});

describe('fake Gemini server driven by the real ChatGoogleGenerativeAI', () => {
  it('returns structured output the client parses, over generateContent and streaming', async () => {
    const server = await start(responders.heuristic);
    for (const streaming of [false, true]) {
      const model = new ChatGoogleGenerativeAI({
        model: 'gemini-2.5-flash',
        apiKey: KEY,
        baseUrl: server.url,
        maxRetries: 0,
        streaming,
      });
      const structured = model.withStructuredOutput(DiagnosisSchema, { name: 'Diagnosis', method: 'jsonSchema' });
      const diagnosis = await structured.invoke([new SystemMessage('You judge canaries.'), new HumanMessage(EVIDENCE)]);
      expect(diagnosis.promote).toBe(false);
      expect(diagnosis.evidenceIds).toEqual(['f-panic', 'f-npe']);
    }
    expect(server.requests.map((r) => r.method)).toEqual(['generateContent', 'streamGenerateContent']);
    expect(
      server.requests.every(
        (r) => r.apiKey === KEY && r.system === 'You judge canaries.' && r.responseSchema !== undefined,
      ),
    ).toBe(true);
  });
});
