/**
 * The fastify app: health routes, Prometheus metrics and the metric-ai route (the service adds A2A). Errors become
 * answers in one place: the error handler below, through `toHttpError` from the contracts.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import {
  AbsentEvidenceError,
  AgentError,
  ForbiddenError,
  InvalidRequestError,
  asAgentError,
  parseJsonBody,
  toAnalysisRequest,
  toHttpError,
  toWebAnalysisRequest,
  toWebAnswer,
  rolloutReference,
  isFlaggerHook,
  toFlaggerAnswer,
  toFlaggerPayload,
  FLAGGER_HOOKS,
  type AnalysisRequest,
  type AnalyzeFn,
} from '@aiops/contracts';
import type { Telemetry } from './telemetry.js';
import type { FlaggerHooks } from './flagger.js';
import type { VerdictEvents } from './verdict-events.js';

export interface AppOptions {
  analyze: AnalyzeFn;
  telemetry: Telemetry;
  logger: FastifyBaseLogger;
  bodyLimitBytes: number;
  /** Longest a client may take to send a whole request (headers and body); the answer itself is not bounded by it. */
  requestTimeoutMs: number;
  /** Longest a client may take to send the request headers. */
  headersTimeoutMs: number;
  version: string;
  /** ANALYZE_NAMESPACES: the only namespaces /a2a/analyze reads (it has no credentials); absent: any. */
  analyzeNamespaces?: readonly string[];
  /** Verdicts as Events on the analysed Rollout (or Canary); none when absent. */
  events?: VerdictEvents;
  /** Flagger's webhooks (`POST /flagger/{hook}`); not served when absent. */
  flagger?: FlaggerHooks;
}

/** Maps fastify's own errors (body parsing, limits) to typed errors so the one handler answers them. */
function fromFastifyError(err: Error & { code?: string; statusCode?: number }): unknown {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new InvalidRequestError('body', 'is larger than BODY_LIMIT_BYTES', 'payload_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AgentError('unsupported_media_type', 'Content-Type must be application/json', {
        field: 'content-type',
      });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new InvalidRequestError('body', 'is empty; send a JSON object', 'invalid_json');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new InvalidRequestError('body', `malformed JSON (${err.message})`, 'invalid_json');
    default:
      if (err instanceof SyntaxError)
        return new InvalidRequestError('body', `malformed JSON (${err.message})`, 'invalid_json');
      return err;
  }
}

/** Aborted when the client gives up (or its timeout fires): the work it no longer waits for stops. */
function clientGone(reply: FastifyReply): AbortSignal {
  const disconnected = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) disconnected.abort(new AgentError('cancelled', 'client disconnected'));
  });
  return disconnected.signal;
}

export async function buildApp(
  options: AppOptions,
): Promise<{ app: FastifyInstance; setDraining: (draining: boolean) => void }> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimitBytes,
    routerOptions: { ignoreTrailingSlash: true },
    // Probes and scrapes would flood the log; analyses log their own verdict line.
    logController: new LogController({ disableRequestLogging: true }),
    // Slow clients (a body trickling in byte by byte) are cut off with 408. These bound receiving the request only:
    // the plugin waits up to 5 minutes for the answer, and the analysis deadline is what bounds that.
    requestTimeout: options.requestTimeoutMs,
    // Node checks the timeouts every connectionsCheckingInterval (30 s by default, longer than the timeouts).
    http: {
      headersTimeout: options.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, options.headersTimeoutMs),
    },
  });
  let draining = false;

  // While draining, answers close their connection: a keep-alive socket that turns idle after close() began
  // would otherwise hold the shutdown until the keep-alive timeout.
  app.addHook('onSend', async (_request, reply) => {
    if (draining) void reply.header('connection', 'close');
  });

  app.setErrorHandler((error, request, reply) => {
    const typed = fromFastifyError(error as Error & { code?: string });
    const answer = toHttpError(typed);
    // The log keeps the whole message (with the addresses the answer leaves out).
    if (answer.status >= 500)
      request.log.warn(
        { code: answer.body.error.code, dependency: answer.body.error.dependency, err: asAgentError(typed).message },
        'request failed',
      );
    return reply.status(answer.status).headers(answer.headers).send(answer.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const answer = toHttpError(
      new AgentError('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`),
    );
    return reply.status(answer.status).send(answer.body);
  });

  // The plugin's health check: any status counts as up, so a plain 200 is enough.
  app.get('/', async () => ({ name: 'aiops-agent', version: options.version, status: 'ok' }));
  app.get('/a2a/health', async () => ({ status: 'ok' }));
  app.get('/healthz', async () => ({ status: 'ok' }));
  // Readiness is not gated on the model (the evidence can decide without it); it drops while shutting down.
  app.get('/readyz', async (_request, reply) =>
    draining ? reply.status(503).send({ status: 'draining' }) : { status: 'ready' },
  );
  app.get('/metrics', async (_request, reply) =>
    reply.type(options.telemetry.registry.contentType).send(await options.telemetry.registry.metrics()),
  );

  /** The routes without credentials analyse only the namespaces ANALYZE_NAMESPACES lists (any when unset). */
  const admit = (namespace: string): void => {
    if (options.analyzeNamespaces && !options.analyzeNamespaces.includes(namespace))
      throw new ForbiddenError(namespace);
  };
  const admitted = (request: AnalysisRequest): AnalysisRequest => {
    admit(request.namespace);
    return request;
  };

  await app.register(async (scope) => {
    // A2A routes have their own parsers; this scope keeps the metric-ai parser to itself. Only application/json
    // (what the plugin sends): a text/plain or type-less POST is a "simple" cross-site request a web page could
    // send without a CORS preflight, and fastify answers any other type 415.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '')
        return done(new InvalidRequestError('body', 'is empty; send a JSON object', 'invalid_json'), undefined);
      try {
        done(null, parseJsonBody(text));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
    scope.post('/a2a/analyze', async (request, reply) => {
      const analysisRequest = admitted(toAnalysisRequest(request.body));
      const outcome = await options.analyze(analysisRequest, { signal: clientGone(reply) });
      options.events?.record(rolloutReference(analysisRequest), outcome);
      // The plugin knows only promote and reject: absent evidence is a non-200 (an Error it measures again).
      if (outcome.absent) throw new AbsentEvidenceError(outcome.absent);
      return reply.status(200).send(outcome.answer);
    });
    // Argo Rollouts' built-in `web` metric provider: the verdict in words an AnalysisTemplate's conditions read,
    // Inconclusive included; only a failure to reach a verdict (a dependency, the deadline) is a non-200.
    scope.post('/web/analyze', async (request, reply) => {
      const analysisRequest = admitted(toWebAnalysisRequest(request.body));
      const outcome = await options.analyze(analysisRequest, { signal: clientGone(reply) });
      options.events?.record(rolloutReference(analysisRequest), outcome);
      return reply.status(200).send(toWebAnswer(outcome));
    });
    // Flagger's webhooks: the status code is the answer (above 202 fails the check), the body one line of why.
    const flagger = options.flagger;
    if (flagger)
      scope.post<{ Params: { hook: string } }>('/flagger/:hook', async (request, reply) => {
        const { hook } = request.params;
        if (!isFlaggerHook(hook))
          throw new AgentError(
            'not_found',
            `no Flagger hook "${hook}" here; the analysis serves ${FLAGGER_HOOKS.join(', ')}`,
          );
        const payload = toFlaggerPayload(request.body);
        admit(payload.namespace);
        const answer = toFlaggerAnswer(hook, await flagger.state(payload, clientGone(reply)));
        return reply
          .status(answer.status)
          .header('aiops-verdict', answer.verdict)
          .type('text/plain; charset=utf-8')
          .send(`${answer.text}\n`);
      });
  });

  return { app, setDraining: (value) => (draining = value) };
}
