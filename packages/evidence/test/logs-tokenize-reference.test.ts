import { describe, expect, it } from 'vitest';
import { tokenize, WILDCARD } from '@aiops/evidence';

/**
 * The masking rules as one leftmost-first regex of every shape, the way tokenize worked before it learned to try
 * shapes only where they can begin: tokenize must split every message into exactly the same tokens.
 */
const SHAPES: readonly { pattern: string; needs: readonly string[] }[] = [
  {
    needs: ['digit', ':'],
    pattern: String.raw`\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2},? \d\d:\d\d:\d\d(?: \d{4})?\b`,
  },
  {
    needs: ['digit', ':', '-'],
    pattern: String.raw`\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?`,
  },
  {
    needs: ['digit', '-'],
    pattern: String.raw`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`,
  },
  { needs: ['://'], pattern: String.raw`\b[a-zA-Z][a-zA-Z0-9+.-]{1,15}://[^\s"'<>]+` },
  { needs: ['@', '.'], pattern: String.raw`\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b` },
  { needs: ['digit', '.'], pattern: String.raw`\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b` },
  { needs: ['digit', ':'], pattern: String.raw`(?<![^\s(\[])[A-Za-z0-9][\w-]*(?:\.[\w-]+)*:\d{1,5}(?![^\s)\],;])` },
  {
    needs: ['.'],
    pattern: String.raw`\b(?:[a-z0-9-]+\.)+(?:com|net|org|edu|gov|mil|int|io|info|biz|cn|hk|uk|de|jp|fr|ru|local|internal|lan|cluster)\b(?![.\w-])`,
  },
  {
    needs: ['digit'],
    pattern: String.raw`(?<![\w.])[(<]?[-+]?\d+(?:\.\d+)? ?(?:[kKMGTP]i?B|bytes?|sec|secs|seconds?|mins?|minutes?|hours?|days?)\b\)?`,
  },
  {
    needs: ['"'],
    pattern: String.raw`(?<![\w])("(?:GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS|CONNECT|TRACE) )[^"\n]{0,256}(")`,
  },
  { needs: ['"'], pattern: String.raw`(?<![\w])"[^"\n]{0,256}"` },
  { needs: ["'"], pattern: String.raw`(?<![\w])'[^'\n]{0,256}'(?![\w])` },
  { needs: ['digit'], pattern: String.raw`\b0x[0-9a-fA-F]+\b` },
  { needs: ['digit'], pattern: String.raw`\b(?=[a-fA-F]*\d)[0-9a-fA-F]{8,}\b` },
  {
    needs: ['digit'],
    pattern: String.raw`(?<![A-Za-z0-9.])[-+]?\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|%|[kKMG]i?B)?(?![\w.])`,
  },
];

const has = (message: string, feature: string): boolean =>
  feature === 'digit' ? /\d/.test(message) : message.includes(feature);

function referenceTokenize(message: string): string[] {
  const shapes = SHAPES.filter((shape) => shape.needs.every((f) => has(message, f)));
  const masked =
    shapes.length === 0
      ? message
      : message.replace(
          new RegExp(shapes.map((shape) => shape.pattern).join('|'), 'g'),
          has(message, '"') ? `$1${WILDCARD}$2` : WILDCARD,
        );
  const tokens: string[] = [];
  const push = (token: string): void => {
    if (token === '') return;
    const variable = /\d/.test(token)
      ? !(
          /^[([]?[A-Za-z]{2,}\d{1,2}(?:[A-Za-z]+\d?)*[)\]]?[:.,;]?$/.test(token) ||
          (/^[A-Za-z_]\w*(?:[.$][A-Za-z_]\w*)+$/.test(token) &&
            token.split(/[.$]/).every((part) => !/\d/.test(part) || /^[A-Za-z]+\d{1,2}[A-Za-z]*$/.test(part)))
        )
      : token.includes(WILDCARD)
        ? !/^[A-Za-z_][\w.-]*[=:][^\w\s]{0,2}<\*>[^\w\s]{0,2}$/.test(token)
        : token.length <= 3 && /^(?:\(\)|\[\]|\{\}|""|'')[,;:.]?$/.test(token);
    if (variable && tokens[tokens.length - 1] === WILDCARD) return;
    tokens.push(variable ? WILDCARD : token);
  };
  for (const word of masked.split(/\s+/)) {
    const comma = word.indexOf(',');
    if (comma === -1 || comma === word.length - 1) push(word);
    else for (const field of word.split(/(?<=,)/)) push(field);
  }
  return tokens;
}

// Pieces that begin, end, break or border every shape: words, digits, separators, quotes, units, non-ASCII spaces.
const PIECES = [
  'Mon',
  'Tue,',
  'Sat',
  'Jan',
  'Dec ',
  ' 1',
  '12',
  '2024',
  '2024-05-01',
  '2024-05-01T10:00:00',
  'T',
  ' 10:00:00',
  '10:00:00',
  '.123',
  ',5',
  'Z',
  '+02:00',
  '-0700',
  '3f2b8c4e-9a1d-4e5f-8b7c-6d5e4f3a2b1c',
  '3f2b8c4e',
  '-9a1d',
  'deadbeef',
  'DEADBEEF1',
  'cafe',
  'abc',
  'x',
  'Ab',
  'http://',
  'https://x.y/z?a=1',
  'git+ssh://h',
  'a@b.com',
  'user.name+tag@example.org',
  '@',
  '10.0.0.1',
  '127.0.0.1:8080',
  ':8080',
  ':',
  '::1',
  'host',
  'db.internal',
  'svc.cluster.local',
  'com',
  'io',
  'cluster',
  '.',
  '..',
  '-',
  '--',
  '_',
  '__',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '<',
  '>',
  '"',
  "'",
  '"GET ',
  'POST /api HTTP/1.1"',
  '"x"',
  "'y'",
  "don't",
  '0x1f',
  '0x',
  '1.16 KB',
  '(1.16 KB)',
  '<1 sec',
  '403 bytes',
  '5 secs',
  '3 minutes',
  '2 days',
  '12ms',
  '7µs',
  '1.5s',
  '90%',
  '4GiB',
  '-3',
  '+4',
  '1e5',
  ',',
  ',,',
  ';',
  '=',
  'id=',
  'key:',
  '/',
  '\\',
  ' ',
  '  ',
  '\t',
  '\n',
  '\u00a0',
  '\u2028',
  'é',
  'µ',
  'eth0',
  'SOCKS5',
  'org.apache.v2.App',
  'Slf4jLogger',
  WILDCARD,
  '()',
  '[]',
  '""',
  "''",
  'ready=true,policy=3',
  'a1b2c3d4e5f6',
  // whole shapes behind each kind of character before them
  '\tdb:5432',
  '\u00a0db:5432',
  '\u3000db:5432',
  '(db:5432',
  '[db:5432]',
  ' db:5432,',
  'x(db:5432',
  '.db:5432',
  'Mon Jan 12 10:00:00 2024',
  ' Fri, Dec  4 04:47:44',
  'api.io',
  'a-b.com',
  '-x.org',
  '_42',
  'x_1.5s',
  'v2.3',
  'id_7ms',
  '=2024-05-01 10:00:00,123',
  'x2024-05-01T10:00:00Z',
  '_3f2b8c4e-9a1d-4e5f-8b7c-6d5e4f3a2b1c',
  '.5 KB',
  '_(3 KB)',
];

/** A small deterministic generator (mulberry32), so a failure names a reproducible message. */
function randomMessages(seed: number, count: number): string[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => {
    const length = 1 + Math.floor(next() * 14);
    let message = '';
    for (let i = 0; i < length; i++) message += PIECES[Math.floor(next() * PIECES.length)] ?? '';
    return message;
  });
}

describe('tokenize: the same tokens as one regex of every shape', () => {
  it('agrees on log lines of many formats', () => {
    const lines = [
      '[2025-06-01T07:15:09.396Z] "GET /api/orders/20364 HTTP/1.1" 404 - via_upstream - "-" 0 3406 32 31 "10.244.3.24" "Go-http-client/1.1" "c66b503e-e424-4fcf-a618-3e75b895e2da" "checkout.svc.cluster.local:8080" inbound|8080|| 127.0.0.6:40027',
      '1 --- [accounts] [nio-8080-exec-9] c.a.accounts.web.AccessLogFilter      : GET /actuator/health status=200 duration=42ms requestId=35ac44f2-3eec-475e-bc63-6098f52f97d1',
      'Retrying GET http://inventory.shop.svc.cluster.local:8080/v1/stock/47028 after 503 Service Unavailable (attempt 1/3)',
      'Sun Dec 04 04:47:44 2005 workerEnv.init() ok /etc/httpd/conf/workers2.properties',
      'proxy.cse.cuhk.edu.hk:5070 close, 1190 bytes (1.16 KB) sent, 0 bytes received, lifetime <1 sec',
      "Connection from 10.0.0.1 port 22 for user 'root' at mail@example.com took 0x1f ms, id deadbeef42",
    ];
    for (const line of lines) expect(tokenize(line), line).toEqual(referenceTokenize(line));
  });

  it('agrees on 20,000 random messages built from pieces that border every shape', () => {
    const differ = randomMessages(12, 20_000).filter(
      (m) => JSON.stringify(tokenize(m)) !== JSON.stringify(referenceTokenize(m)),
    );
    expect(differ.slice(0, 5)).toEqual([]);
  });
});
