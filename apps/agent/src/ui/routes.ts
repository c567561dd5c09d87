/**
 * GET /ui (recent analyses), /ui/analyses/:id (one analysis), /ui/assets/style.css. Read-only, server-rendered,
 * under a strict Content-Security-Policy (no script at all, styles from 'self' only), and behind the same bearer
 * auth as the A2A routes when that is on.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { BearerAuthenticator, type AuthOptions } from '@aiops/a2a';
import { InvalidRequestError, toHttpError, type AnalysisHistory } from '@aiops/contracts';
import { analysisPage, listPage, notFoundPage, type ListFilter } from './pages.js';
import { ICON_SVG, STYLE_CSS } from './style.js';

export const UI_CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export interface UiOptions {
  history: AnalysisHistory;
  /** Same tokens and reviewer as the A2A routes; absent when auth is off. */
  auth?: AuthOptions;
  /** Rows on the list page. */
  listLimit?: number;
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', UI_CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store');
}

function filterOf(query: unknown): ListFilter {
  const q = (query ?? {}) as Record<string, unknown>;
  const filter: ListFilter = {};
  const namespace = typeof q.namespace === 'string' ? q.namespace.trim() : '';
  if (namespace) {
    if (namespace.length > 253) throw new InvalidRequestError('namespace', 'is longer than 253 characters');
    filter.namespace = namespace;
  }
  const verdict = typeof q.verdict === 'string' ? q.verdict.trim() : '';
  if (verdict) {
    if (verdict !== 'promote' && verdict !== 'reject' && verdict !== 'inconclusive')
      throw new InvalidRequestError('verdict', 'must be promote, reject or inconclusive');
    filter.verdict = verdict;
  }
  return filter;
}

export async function uiRoutes(app: FastifyInstance, options: UiOptions): Promise<void> {
  const authenticator = options.auth ? new BearerAuthenticator(options.auth) : undefined;
  const limit = options.listLimit ?? 200;

  await app.register(async (scope) => {
    // The one mapping of errors to answers, also when this plugin is mounted on its own.
    scope.setErrorHandler((error, _request, reply) => {
      const answer = toHttpError(error);
      return reply.status(answer.status).headers(answer.headers).send(answer.body);
    });
    if (authenticator) {
      scope.addHook('onRequest', async (request, reply) => {
        const controller = new AbortController();
        reply.raw.once('close', () => controller.abort());
        let decision;
        try {
          decision = await authenticator.authenticate(request.headers.authorization, controller.signal);
        } catch (err) {
          const answer = toHttpError(err);
          return reply.status(answer.status).headers(answer.headers).send(answer.body);
        }
        if (decision.ok) return;
        const answer = toHttpError(new InvalidRequestError('authorization', decision.reason, 'unauthorized'));
        return reply
          .status(401)
          .header(
            'www-authenticate',
            request.headers.authorization
              ? 'Bearer realm="aiops-agent", error="invalid_token"'
              : 'Bearer realm="aiops-agent"',
          )
          .send(answer.body);
      });
    }

    scope.get('/ui', async (request, reply) => {
      const filter = filterOf(request.query);
      const signal = AbortSignal.timeout(10_000);
      const [rows, everything] = await Promise.all([
        options.history.list({ ...filter, limit }, { signal }),
        options.history.list({ limit: 1000 }, { signal }),
      ]);
      const namespaces = [...new Set(everything.map((r) => r.namespace))].sort();
      return secure(reply)
        .type('text/html; charset=utf-8')
        .send(listPage(rows, filter, namespaces));
    });

    scope.get<{ Params: { id: string } }>('/ui/analyses/:id', async (request, reply) => {
      const signal = AbortSignal.timeout(10_000);
      const record = await options.history.get(request.params.id, { signal });
      if (!record)
        return secure(reply).status(404).type('text/html; charset=utf-8').send(notFoundPage(request.params.id));
      const timeline = await options.history.list({ key: record.key, limit: 50 }, { signal });
      if (!timeline.some((t) => t.id === record.id)) timeline.push(record);
      return secure(reply).type('text/html; charset=utf-8').send(analysisPage(record, timeline));
    });

    scope.get('/ui/assets/icon.svg', async (_request, reply) =>
      secure(reply).type('image/svg+xml').header('cache-control', 'public, max-age=300').send(ICON_SVG),
    );
    scope.get('/ui/assets/style.css', async (_request, reply) =>
      secure(reply).type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(STYLE_CSS),
    );
  });
}
