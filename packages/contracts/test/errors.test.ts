import { describe, expect, it } from 'vitest';
import {
  DependencyError,
  InvalidRequestError,
  MAX_JSON_DEPTH,
  parseJsonBody,
  toA2aFailure,
  toHttpError,
  withoutAddresses,
} from '../src/index.js';

/** Messages as the adapters produced them against unreachable dependencies (captured from the built service). */
const CAPTURED = [
  {
    error: new DependencyError(
      'kubernetes',
      'list pods in shop failed (ECONNREFUSED): request to https://127.0.0.1:1/api/v1/namespaces/shop/pods?labelSelector=role%3Dcanary failed, reason: connect ECONNREFUSED 127.0.0.1:1',
    ),
    addresses: ['127.0.0.1', 'https://', '/api/v1'],
  },
  {
    error: new DependencyError(
      'kubernetes',
      'list pods in shop failed (ENOTFOUND): request to https://kube-api.corp.internal:6443/api/v1/namespaces/shop/pods?labelSelector=role%3Dcanary failed, reason: getaddrinfo ENOTFOUND kube-api.corp.internal',
    ),
    addresses: ['kube-api.corp.internal', '6443'],
  },
  {
    error: new DependencyError(
      'llm',
      'model call failed: [GoogleGenerativeAI Error]: Error fetching from http://gemini-proxy.corp.internal:8443/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse: fetch failed',
    ),
    addresses: ['gemini-proxy.corp.internal', '8443', 'http://'],
  },
  {
    error: new DependencyError(
      'prometheus',
      'cannot reach http://prometheus.monitoring.svc:9090/api/v1/query_range (ECONNREFUSED)',
    ),
    addresses: ['prometheus.monitoring.svc', '9090'],
  },
  {
    error: new DependencyError('kubernetes', 'read logs failed: connect ECONNREFUSED ::1:6443'),
    addresses: ['::1', '6443'],
  },
  {
    error: new DependencyError('kubernetes', 'read logs failed: connect ECONNREFUSED [fd00::10]:443'),
    addresses: ['fd00::10'],
  },
];

describe('503 bodies do not reveal internal addresses', () => {
  it.each(CAPTURED.map((c) => [c.error.message.slice(0, 60), c] as const))('%s…', (_name, { error, addresses }) => {
    const http = toHttpError(error);
    const a2a = toA2aFailure(error);
    expect(http.status).toBe(503);
    for (const address of addresses) {
      expect(http.body.error.message).not.toContain(address);
      expect(a2a.message).not.toContain(address);
    }
    // What failed stays readable; the full message stays on the error for the log.
    expect(http.body.error.message).toMatch(/^(kubernetes|llm|prometheus): /);
    expect(http.body.error.message).toContain('<address>');
    expect(error.message).toContain(addresses[0]);
  });

  it('keeps messages without addresses as they are, and 4xx messages untouched', () => {
    expect(withoutAddresses('kubernetes: TokenReview failed with HTTP 500')).toBe(
      'kubernetes: TokenReview failed with HTTP 500',
    );
    expect(toHttpError(new DependencyError('llm', 'no answer from the model within 30000 ms')).body.error.message).toBe(
      'llm: no answer from the model within 30000 ms',
    );
    const bad = new InvalidRequestError(
      'context.repoUrl',
      '"http://10.0.0.1/x" is not a repository URL like https://github.com/org/repo',
    );
    expect(toHttpError(bad).body.error.message).toBe(bad.message);
  });
});

describe('JSON bodies', () => {
  it('refuses 100k nested arrays with a 400 naming the problem, without overflowing the stack', () => {
    const deep = `{"context":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(() => parseJsonBody(deep)).toThrow(`body: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    let thrown: unknown;
    try {
      parseJsonBody(deep);
    } catch (err) {
      thrown = err;
    }
    expect(toHttpError(thrown)).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_json', field: 'body' } },
    });
  });

  it('counts brackets inside strings as text, and accepts nesting up to the limit', () => {
    expect(parseJsonBody(`{"a":"${'['.repeat(1000)}\\"${'{'.repeat(1000)}"}`)).toEqual({
      a: `${'['.repeat(1000)}"${'{'.repeat(1000)}`,
    });
    expect(() => parseJsonBody(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).not.toThrow();
    expect(() => parseJsonBody(`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`)).toThrow(
      /nested deeper/,
    );
  });

  it('names malformed JSON', () => {
    expect(() => parseJsonBody('{"a":')).toThrow(/^body: malformed JSON/);
  });
});
