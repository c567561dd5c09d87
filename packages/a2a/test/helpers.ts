/**
 * Test harness: a real fastify app on 127.0.0.1 with the plugin and a fake `analyze` that the test drives
 * (each call waits until the test completes, fails or the signal aborts it — no timers).
 */
import { EvidenceIds } from '@aiops/contracts';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  ClientFactory,
  ClientFactoryOptions,
  JsonRpcTransportFactory,
  RestTransportFactory,
  type Client,
} from '@a2a-js/sdk/client';
import { SendMessageRequest, type StreamResponse } from '@a2a-js/sdk';
import {
  CancelledError,
  type AnalysisOutcome,
  type AnalysisRequest,
  type AnalyzeFn,
  type ProgressEvent,
} from '@aiops/contracts';
import { a2aPlugin, type A2aPluginOptions } from '@aiops/a2a';

export interface AnalyzeCall {
  request: AnalysisRequest;
  signal: AbortSignal;
  /** Emits the remaining progress and resolves with the outcome. */
  complete(outcome?: AnalysisOutcome): void;
  fail(err: Error): void;
}

export function sampleOutcome(request?: Partial<AnalysisRequest>): AnalysisOutcome {
  const req: AnalysisRequest = {
    namespace: 'shop',
    rolloutName: 'checkout',
    stableSelector: 'role=stable',
    canarySelector: 'role=canary',
    ...request,
  };
  return {
    outcome: 'reject',
    answer: {
      analysis: 'canary panics on 12% of requests; stable is clean',
      rootCause: 'nil pointer dereference in checkout handler',
      remediation: 'guard the nil cart before reading items',
      promote: false,
      confidence: 92,
    },
    verdict: {
      outcome: 'reject',
      promote: false,
      confidence: 92,
      analysis: 'canary panics on 12% of requests; stable is clean',
      rootCause: 'nil pointer dereference in checkout handler',
      remediation: 'guard the nil cart before reading items',
      decidedBy: 'evidence-over-model',
      evidenceIds: ['log:f-panic-1'],
    },
    evidence: {
      request: req,
      collectedAt: '2025-01-01T00:00:00.000Z',
      pods: { canary: [], stable: [] },
      logs: {
        canaryLines: 100,
        stableLines: 100,
        omitted: 0,
        signatures: [
          {
            id: 'sig-1',
            template: 'panic: runtime error: invalid memory address or nil pointer dereference',
            severity: 'critical',
            errorLike: true,
            kind: 'panic',
            canary: { count: 12, perThousand: 120 },
            stable: { count: 0, perThousand: 0 },
            canaryOnly: true,
            examples: ['panic: runtime error: invalid memory address or nil pointer dereference'],
          },
        ],
      },
      events: [],
      metrics: { source: 'kubernetes', comparisons: [], notes: ['Prometheus is not configured'] },
      findings: [
        {
          id: EvidenceIds.logSignature('f-panic-1'),
          kind: 'panic',
          side: 'canary',
          severity: 'critical',
          hard: true,
          title: 'canary panics (nil pointer)',
        },
      ],
      notes: [],
    },
    durationMs: 1234,
  };
}

export class FakeAnalyze {
  readonly calls: AnalyzeCall[] = [];
  /** When set, every call completes at once with this outcome. */
  autoComplete: AnalysisOutcome | undefined;
  private waiters: Array<(call: AnalyzeCall) => void> = [];

  readonly analyze: AnalyzeFn = (request, { signal, onProgress }) =>
    new Promise<AnalysisOutcome>((resolve, reject) => {
      const emit = (agent: ProgressEvent['agent'], phase: ProgressEvent['phase']) => onProgress?.({ agent, phase });
      emit('log-fetcher', 'started');
      emit('metrics-analyst', 'started');
      let settled = false;
      const call: AnalyzeCall = {
        request,
        signal,
        complete: (outcome = sampleOutcome(request)) => {
          if (settled) return;
          settled = true;
          emit('log-fetcher', 'finished');
          emit('metrics-analyst', 'finished');
          emit('diagnosis', 'started');
          emit('diagnosis', 'finished');
          emit('policy', 'started');
          emit('policy', 'finished');
          emit('pr-author', 'skipped');
          resolve(outcome);
        },
        fail: (err) => {
          if (settled) return;
          settled = true;
          reject(err);
        },
      };
      signal.addEventListener('abort', () => call.fail(new CancelledError()), { once: true });
      this.calls.push(call);
      if (this.autoComplete) {
        // Completed at once: not one for nextCall() to hand out.
        this.taken = this.calls.length;
        call.complete(this.autoComplete);
        return;
      }
      const waiter = this.waiters.shift();
      if (waiter) waiter(call);
    });

  /** The next call to arrive (or the oldest one not yet taken). */
  nextCall(): Promise<AnalyzeCall> {
    const taken = this.taken;
    const pending = this.calls[taken];
    if (pending) {
      this.taken++;
      return Promise.resolve(pending);
    }
    return new Promise((resolve) =>
      this.waiters.push((call) => {
        this.taken++;
        resolve(call);
      }),
    );
  }
  private taken = 0;
}

export interface TestServer {
  app: FastifyInstance;
  baseUrl: string;
  fake: FakeAnalyze;
  close(): Promise<void>;
}

export async function startServer(options: Partial<A2aPluginOptions> = {}): Promise<TestServer> {
  const fake = new FakeAnalyze();
  const app = Fastify({ logger: false });
  await app.register(a2aPlugin, {
    analyze: fake.analyze,
    card: {
      name: 'aiops-agent',
      description: 'Decides whether an Argo Rollouts canary should be promoted.',
      version: '0.1.0',
    },
    heartbeatMs: 60_000,
    ...options,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    fake,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}

export type Binding = 'JSONRPC' | 'HTTP+JSON';

export function withBearer(token: string | undefined): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
}

export async function clientFor(baseUrl: string, binding: Binding, token?: string): Promise<Client> {
  const fetchImpl = withBearer(token);
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl }), new RestTransportFactory({ fetchImpl })],
      preferredTransports: [binding],
    }),
  );
  return factory.createFromUrl(baseUrl);
}

export function dataMessage(data: Record<string, unknown>, extra: Record<string, unknown> = {}): SendMessageRequest {
  return SendMessageRequest.fromJSON({
    message: {
      messageId: crypto.randomUUID(),
      role: 'ROLE_USER',
      parts: [{ data, mediaType: 'application/json' }],
      ...extra,
    },
  });
}

export function textMessage(text: string, extra: Record<string, unknown> = {}): SendMessageRequest {
  return SendMessageRequest.fromJSON({
    message: {
      messageId: crypto.randomUUID(),
      role: 'ROLE_USER',
      parts: [{ text, mediaType: 'text/plain' }],
      ...extra,
    },
  });
}

export async function collect(stream: AsyncGenerator<StreamResponse>): Promise<StreamResponse[]> {
  const events: StreamResponse[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** Raw HTTP, for what the SDK client would not send (bad versions, malformed bodies). */
export async function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'a2a-version': '1.0', ...headers },
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}
