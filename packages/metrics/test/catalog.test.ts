import { describe, expect, it } from 'vitest';
import { presetQueries, promqlProblem, UserQueriesSchema } from '@aiops/metrics';

const userQuery = (query: string) => [{ name: 'checkout_errors', query, direction: 'increase' }];

describe('PromQL check of query templates', () => {
  it.each(['istio', 'nginx', 'pod'] as const)('passes every %s preset query', (preset) => {
    for (const { name, query } of presetQueries(preset))
      expect({ name, problem: promqlProblem(query) }).toEqual({ name });
  });

  it('passes a template whose placeholders make it valid PromQL', () => {
    expect(
      promqlProblem(
        'sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{podRegex}}",code=~"5.."}[{{window}}])) or vector(0)',
      ),
    ).toBeUndefined();
  });

  it.each([
    [
      'an unclosed label set',
      'sum(rate(x{namespace="{{namespace}}"[{{window}}]))',
      /unexpected text after "sum\(rate\(x\{namespace="shop"" \(at "\[60s\]\)\)"\)/,
    ],
    ['a missing parenthesis', 'sum(rate(x{{{selector}}}[{{window}}])', /it ends too early after ".*\[60s\]\)"$/],
    ['two expressions side by side', 'up foo', /unexpected text after "up " \(at "foo"\)/],
    [
      'the first of two errors',
      'sum(rate(x{job="a"[{{window}}])) + (',
      /unexpected text after "sum\(rate\(x\{job="a"" \(at "\[60s\]\)\) \+ \("\)$/,
    ],
    ['an unknown placeholder', 'sum(rate(x{pod=~"{{pods}}"}[{{window}}]))', /^unknown placeholder \{\{pods\}\}$/],
  ])('names %s', (_name, template, message) => {
    expect(promqlProblem(template)).toMatch(message);
  });

  it('refuses an operator query file with an invalid query, naming the query field', () => {
    const parsed = UserQueriesSchema.safeParse(userQuery('sum(rate(x{pod=~"{{podRegex}}"[{{window}}]))'));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([
      expect.objectContaining({ path: [0, 'query'], message: expect.stringMatching(/^not valid PromQL: /) as unknown }),
    ]);
    expect(UserQueriesSchema.safeParse(userQuery('sum(rate(x{pod=~"{{podRegex}}"}[{{window}}]))')).success).toBe(true);
  });
});
