import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTION_RULE_IDS } from '@aiops/evidence';
import { WORST_CASES } from './support/redaction-worst-cases.js';

// Invented, well-formed fakes: none of these is a real credential.
const FAKE_JWT =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImZha2UifQ.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoiZmFrZSJ9.c2lnbmF0dXJlLWZha2UtZmFrZS1mYWtlLWZha2U';
const PEM = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAfakefakefakefakefakefakefakefakefakefakefake',
  'ZmFrZWZha2VmYWtlZmFrZWZha2VmYWtlZmFrZWZha2VmYWtl',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

const SECRETS: Array<[string, string, string]> = [
  [
    'bearer header',
    'GET /api Authorization: Bearer abcdef0123456789abcdef0123456789',
    'abcdef0123456789abcdef0123456789',
  ],
  [
    'github classic',
    'cloning with ghp_aBcD1234eFgH5678iJkL9012mNoP3456qRsT ok',
    'ghp_aBcD1234eFgH5678iJkL9012mNoP3456qRsT',
  ],
  ['github oauth', 'token gho_ZyXw9876vUtS5432rQpO1098nMlK7654jIhG', 'gho_ZyXw9876vUtS5432rQpO1098nMlK7654jIhG'],
  [
    'github server',
    'GITHUB ghs_0123456789abcdefghijABCDEFGHIJ0123456 used',
    'ghs_0123456789abcdefghijABCDEFGHIJ0123456',
  ],
  [
    'github fine-grained',
    'pat github_pat_11AAAAAAA0abcdefghijkl_mnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcd',
    'github_pat_11AAAAAAA0abcdefghijkl',
  ],
  [
    'gcp api key',
    'calling maps with key AIzaSyA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU-v',
    'AIzaSyA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU-v',
  ],
  [
    'gcp service account',
    '{"type":"service_account","private_key_id":"0123456789abcdef0123456789abcdef01234567","private_key":"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqfake\\n-----END PRIVATE KEY-----\\n"}',
    'MIIEvQIBADANBgkqfake',
  ],
  [
    'gcp service account key id',
    '{"private_key_id":"0123456789abcdef0123456789abcdef01234567"}',
    '0123456789abcdef0123456789abcdef01234567',
  ],
  ['aws access key id', 'using AKIAIOSFODNN7EXAMPLE for s3', 'AKIAIOSFODNN7EXAMPLE'],
  [
    'aws secret key',
    'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  ],
  [
    'npm token',
    '//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789',
    'npm_abcdefghijklmnopqrstuvwxyz0123456789',
  ],
  ['slack token', 'slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', 'xoxb-123456789012'],
  [
    'slack webhook',
    'POST https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
    'T00000000/B00000000',
  ],
  ['jwt', `service account token ${FAKE_JWT}`, 'eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoiZmFrZSJ9'],
  ['pem', `loaded key\n${PEM}\nnext line`, 'MIIEowIBAAKCAQEAfakefake'],
  ['url password', 'connecting to postgres://cart:s3cr3t-P4ss@db.internal:5432/cart', 's3cr3t-P4ss'],
  ['password kv', 'login failed password=hunter2 user=bob', 'hunter2'],
  ['secret json', '{"client_secret": "very-secret-value", "user": "bob"}', 'very-secret-value'],
  ['token kv', 'refresh access_token=abc.def.ghi ok', 'abc.def.ghi'],
  ['api key kv', 'X-Api-Key: 9d8c7b6a5f4e3d2c', '9d8c7b6a5f4e3d2c'],
  // Gaps found in review (issue 11).
  ['DB_PASS env', 'env DB_PASS=Tr0ub4dor&3 loaded', 'Tr0ub4dor'],
  ['SECRET_KEY env', 'SECRET_KEY=django-insecure-9x#k2!fake', 'django-insecure'],
  ['*_TOKEN env', 'GITLAB_RUNNER_TOKEN=abc123def456 PAYMENT_API_TOKEN: "tok-998877"', 'abc123def456'],
  ['*_TOKEN env quoted', 'PAYMENT_API_TOKEN: "tok-998877"', 'tok-998877'],
  ['url password, empty user', 'connecting to redis://:R3d1sPw@cache.internal:6379/0', 'R3d1sPw'],
  ['url password with slash', 'dsn=postgres://app:ab/cd+ef@db:5432/app', 'ab/cd+ef'],
  ['cli --password', 'exec: pg_dump --host db --password Sup3rS3cret --dbname app', 'Sup3rS3cret'],
  ['passphrase', 'ssh-agent passphrase: correct horse battery', 'correct'],
  ['cookie header', 'GET /cart Cookie: session=8f14e45fceea167a; theme=dark', '8f14e45fceea167a'],
  ['set-cookie header', '{"headers":{"set-cookie":"sid=s%3A9aZ.fakeSig; Path=/; HttpOnly"}}', 's%3A9aZ.fakeSig'],
  ['stripe live key', 'charge failed with key sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
  ['stripe restricted key', 'rk_live_51H8fakefakefakefake0000 rejected', 'rk_live_51H8fakefakefakefake0000'],
  [
    'gitlab token',
    'git clone https://oauth2@gitlab.example.com glpat-xZ9_yW8vU7tS6rQ5pO4n',
    'glpat-xZ9_yW8vU7tS6rQ5pO4n',
  ],
  [
    'openai project key',
    'OpenAI error for key sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z-_Ab3dEf6h',
    'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z',
  ],
  [
    'openai legacy key',
    'using sk-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb3dEf6hIj9kLm2n',
    'sk-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z',
  ],
  [
    'google oauth token',
    'GET /drive ya29.a0AfH6SMBx-fakeFakeFake_fakeFakeFake123',
    'ya29.a0AfH6SMBx-fakeFakeFake_fakeFakeFake123',
  ],
  ['slack user token', 'xoxp-2222222222-3333333333-abcdefabcdef', 'xoxp-2222222222-3333333333'],
  ['slack app-level token in text', 'posting as xoxa-2-1234567890-abcdefghij', 'xoxa-2-1234567890'],
  ['token glued to a prefix', 'TOKEN_ghp_aBcD1234eFgH5678iJkL9012mNoP3456qRsT', 'aBcD1234eFgH5678iJkL9012mNoP3456qRsT'],
  ['JSON-escaped key id', '{"msg":"creds \\u0041KIAIOSFODNN7EXAMPLE loaded"}', 'KIAIOSFODNN7EXAMPLE'],
  ['double-escaped key id', 'msg="creds \\\\u0041KIAIOSFODNN7EXAMPLE"', 'KIAIOSFODNN7EXAMPLE'],
  ['logfmt-escaped JSON secret', 'level=info msg="config {\\"client_secret\\": \\"hunter two\\"}"', 'hunter two'],
];

describe('createRedactor', () => {
  const redactor = createRedactor();

  it.each(SECRETS)('redacts %s', (_name, text, secret) => {
    const { text: out, count } = redactor.redactWithCount(text);
    expect(out).not.toContain(secret);
    expect(out).toMatch(/\[REDACTED:[a-z-]+\]/);
    expect(count).toBeGreaterThan(0);
  });

  it('keeps what is not secret around the secret', () => {
    expect(redactor.redact('connecting to postgres://cart:s3cr3t@db.internal:5432/cart')).toBe(
      'connecting to postgres://cart:[REDACTED:url-password]@db.internal:5432/cart',
    );
    expect(redactor.redact('Authorization: Bearer abcdef0123456789abcdef')).toBe(
      'Authorization: Bearer [REDACTED:authorization]',
    );
    expect(redactor.redact('login failed password="hunter 2" user=bob')).toBe(
      'login failed password="[REDACTED:key-value]" user=bob',
    );
    expect(redactor.redact(`a\n${PEM}\nb`)).toBe('a\n[REDACTED:private-key]\nb');
  });

  it('counts one secret once', () => {
    expect(redactor.redactWithCount(`Authorization: Bearer ${FAKE_JWT}`).count).toBe(1);
  });

  it('leaves evidence that only looks random untouched', () => {
    const benign = [
      'request id 3f2b8c4e-9a1d-4e5f-8b7c-6d5e4f3a2b1c finished in 12ms',
      'deployed commit 4b825dc642cb6eb9a060e54bf8d69288fbee4904',
      'image ghcr.io/acme/cart@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'x-request-id=a1b2c3d4e5f6 trace_id=0af7651916cd43dd8448eb211c80319c span_id=b7ad6b7169203331',
      'max_tokens=512 tokens: 1200 token_count=4 secretName: cart-tls keyspace=cart',
      'GET https://api.example.com/v1/carts/42?page=2 200',
      "KeyError: 'items' at app/handlers.py:31",
    ];
    for (const line of benign) expect(redactor.redact(line)).toBe(line);
  });

  it('keeps names and structure around the new rules', () => {
    expect(redactor.redact('redis://:R3d1sPw@cache:6379')).toBe('redis://:[REDACTED:url-password]@cache:6379');
    expect(redactor.redact('pg_dump --password Sup3rS3cret --dbname app')).toBe(
      'pg_dump --password [REDACTED:cli-flag] --dbname app',
    );
    expect(redactor.redact('DB_PASS=hunter2 DB_USER=app')).toBe('DB_PASS=[REDACTED:key-value] DB_USER=app');
    expect(redactor.redact('Cookie: session=8f14e45fceea167a\nnext')).toBe('Cookie: [REDACTED:cookie]\nnext');
    expect(redactor.redact('level=info msg="{\\"token\\": \\"abc def\\"}"')).toBe(
      'level=info msg="{\\"token\\": \\"[REDACTED:key-value]\\"}"',
    );
    expect(redactor.redact('TOKEN_ghp_aBcD1234eFgH5678iJkL9012mNoP3456qRsT')).toBe('TOKEN_[REDACTED:github-token]');
  });

  it('does not take a host:port and path for a password', () => {
    for (const line of [
      'GET https://registry.npmjs.org:443/@scope/pkg 200',
      'proxy to http://10.0.0.7:8080/api/users/@me ok',
      'bypass=true compass: north',
      'task-runner sk-cluster-node-pool-europe-west1 ready',
      'PUT /v1/keys/app --passes 3',
    ])
      expect(redactor.redact(line)).toBe(line);
  });

  it('keeps escaped characters that cannot be part of a token', () => {
    const line = '{"msg":"\\u003cb\\u003e \\u0022quoted\\u0022"}';
    expect(redactor.redact(line)).toBe(line);
  });

  it('has a worst case for every rule', () => {
    expect(WORST_CASES.map((c) => c.rule).sort()).toEqual([...REDACTION_RULE_IDS].sort());
  });

  // No timing assertion (the bench prints MB/s): a rule that goes quadratic here does not finish within the timeout.
  it.each(WORST_CASES.map((c) => [c.rule, c] as const))(
    'stays linear on 1 MB of the worst case for %s',
    (_rule, worst) => {
      const { text, count } = redactor.redactWithCount(worst.text + worst.tail);
      expect(text).not.toContain(worst.secret);
      expect(count).toBeGreaterThan(0);
    },
    20_000,
  );

  it('applies configurable patterns', () => {
    const custom = createRedactor({ extraPatterns: [/ACME-[0-9]{6}/, 'internal-[a-z]+-key'] });
    expect(custom.redact('licence ACME-123456 and internal-billing-key')).toBe(
      'licence [REDACTED:custom] and [REDACTED:custom]',
    );
  });

  it('removes every private key in a text, each through its own END line, and counts them', () => {
    const key = (body: string) => `-----BEGIN EC PRIVATE KEY-----\n${body}\n-----END EC PRIVATE KEY-----`;
    const { text, count } = redactor.redactWithCount(
      `first\n${key('MHcCAQEEfakeOne')}\nmiddle\n${key('MHcCAQEEfakeTwo')}\nlast`,
    );
    expect(text).toBe('first\n[REDACTED:private-key]\nmiddle\n[REDACTED:private-key]\nlast');
    expect(count).toBe(2);
  });

  it('removes an unterminated key through its base64 body and keeps the next line', () => {
    const line = '{"level":"info","msg":"next"}';
    expect(redactor.redact(`a\n-----BEGIN PRIVATE KEY-----\nMIIEvQIB+fake/==\nABCDEF012345\n${line}`)).toBe(
      `a\n[REDACTED:private-key]\n${line}`,
    );
    // Two unterminated keys: neither swallows the line between them.
    expect(
      redactor.redactWithCount(
        `-----BEGIN PRIVATE KEY-----\nMIIfakeA\n${line}\n-----BEGIN RSA PRIVATE KEY-----\nMIIfakeB\n${line}`,
      ),
    ).toEqual({ text: `[REDACTED:private-key]\n${line}\n[REDACTED:private-key]\n${line}`, count: 2 });
  });

  it("does not take an END line further than a key's size for the key's own", () => {
    const far = `${'log line with text; '.repeat(1000)}\n-----END PRIVATE KEY-----`;
    const out = redactor.redact(`-----BEGIN PRIVATE KEY-----\nMIIfakeBody\n;${far}`);
    expect(out).toBe(`[REDACTED:private-key]\n;${far}`);
  });

  it('takes one END for headers repeated before it, then finds the next key after it', () => {
    const text =
      '-----BEGIN PRIVATE KEY-----\n-----BEGIN PRIVATE KEY-----\nMIIfakeA\n-----END PRIVATE KEY-----\nkept\n' +
      '-----BEGIN PRIVATE KEY-----\nMIIfakeB\n-----END PRIVATE KEY-----';
    expect(redactor.redactWithCount(text)).toEqual({
      text: '[REDACTED:private-key]\nkept\n[REDACTED:private-key]',
      count: 2,
    });
  });

  it('counts each secret once, across rules, and not a marker that was already in the text', () => {
    const line =
      'already [REDACTED:key-value] here; password=hunter2 token=abc123 key AKIAIOSFODNN7EXAMPLE and AKIAIOSFODNN7EXAMPL2';
    const { text, count } = redactor.redactWithCount(line);
    expect(count).toBe(4);
    expect(text).toBe(
      'already [REDACTED:key-value] here; password=[REDACTED:key-value] token=[REDACTED:key-value] key [REDACTED:aws-access-key-id] and [REDACTED:aws-access-key-id]',
    );
    expect(redactor.redactWithCount('nothing secret here')).toEqual({ text: 'nothing secret here', count: 0 });
  });

  it('finds every kind of secret in a long text (over 4 KB), wherever each one sits', () => {
    const filler = 'GET /api/items 200 in 3ms\n'.repeat(200);
    const secrets = [
      'ghp_aBcD1234eFgH5678iJkL9012mNoP3456qRsT',
      'AKIAIOSFODNN7EXAMPLE',
      'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
      'glpat-xZ9_yW8vU7tS6rQ5pO4n',
    ];
    const text = `${filler}${secrets[0]}\n${filler}${secrets[1]}\n${secrets[2]} ${filler}${secrets[3]}\n${secrets[0]}`;
    expect(text.length).toBeGreaterThan(4096);
    const out = redactor.redactWithCount(text);
    for (const secret of secrets) expect(out.text).not.toContain(secret);
    expect(out.count).toBe(5);
    expect(out.text.length).toBeLessThan(text.length);
  });

  it('decodes \\xNN escapes of token characters before matching', () => {
    expect(redactor.redact('creds \\x41KIAIOSFODNN7EXAMPLE loaded')).toBe('creds [REDACTED:aws-access-key-id] loaded');
    expect(redactor.redact('a \\x3c tag')).toBe('a \\x3c tag');
  });

  it('applies configurable patterns everywhere in the text and counts each match', () => {
    const custom = createRedactor({ extraPatterns: [/ACME-[0-9]{6}/, /TEAM-[a-z]+/g, 'internal-[a-z]+-key'] });
    expect(custom.redactWithCount('ACME-123456 ACME-654321 TEAM-red TEAM-blue internal-a-key internal-b-key')).toEqual({
      text: '[REDACTED:custom] [REDACTED:custom] [REDACTED:custom] [REDACTED:custom] [REDACTED:custom] [REDACTED:custom]',
      count: 6,
    });
    expect(custom.redactWithCount('password=hunter2 ACME-123456').count).toBe(2);
  });
});
