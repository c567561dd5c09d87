import { describe, expect, it } from 'vitest';
import { createRedactor } from '@aiops/evidence';

// Invented, well-formed fakes: none of these is a real credential.
const FAKE_JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImZha2UifQ.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoiZmFrZSJ9.c2lnbmF0dXJlLWZha2UtZmFrZS1mYWtlLWZha2U';
const PEM = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEAfakefakefakefakefakefakefakefakefakefakefake', 'ZmFrZWZha2VmYWtlZmFrZWZha2VmYWtlZmFrZWZha2VmYWtl', '-----END RSA PRIVATE KEY-----'].join('\n');

const SECRETS: Array<[string, string, string]> = [
  ['bearer header', 'GET /api Authorization: Bearer abcdef0123456789abcdef0123456789', 'abcdef0123456789abcdef0123456789'],
  ['github classic', 'cloning with ghp_aBcD1234eFgH5678iJkL9012mNoP3456qRsT ok', 'ghp_aBcD1234eFgH5678iJkL9012mNoP3456qRsT'],
  ['github oauth', 'token gho_ZyXw9876vUtS5432rQpO1098nMlK7654jIhG', 'gho_ZyXw9876vUtS5432rQpO1098nMlK7654jIhG'],
  ['github server', 'GITHUB ghs_0123456789abcdefghijABCDEFGHIJ0123456 used', 'ghs_0123456789abcdefghijABCDEFGHIJ0123456'],
  ['github fine-grained', 'pat github_pat_11AAAAAAA0abcdefghijkl_mnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcd', 'github_pat_11AAAAAAA0abcdefghijkl'],
  ['gcp api key', 'calling maps with key AIzaSyA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU-v', 'AIzaSyA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU-v'],
  ['gcp service account', '{"type":"service_account","private_key_id":"0123456789abcdef0123456789abcdef01234567","private_key":"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqfake\\n-----END PRIVATE KEY-----\\n"}', 'MIIEvQIBADANBgkqfake'],
  ['gcp service account key id', '{"private_key_id":"0123456789abcdef0123456789abcdef01234567"}', '0123456789abcdef0123456789abcdef01234567'],
  ['aws access key id', 'using AKIAIOSFODNN7EXAMPLE for s3', 'AKIAIOSFODNN7EXAMPLE'],
  ['aws secret key', 'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  ['npm token', '//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789', 'npm_abcdefghijklmnopqrstuvwxyz0123456789'],
  ['slack token', 'slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', 'xoxb-123456789012'],
  ['slack webhook', 'POST https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX', 'T00000000/B00000000'],
  ['jwt', `service account token ${FAKE_JWT}`, 'eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoiZmFrZSJ9'],
  ['pem', `loaded key\n${PEM}\nnext line`, 'MIIEowIBAAKCAQEAfakefake'],
  ['url password', 'connecting to postgres://cart:s3cr3t-P4ss@db.internal:5432/cart', 's3cr3t-P4ss'],
  ['password kv', 'login failed password=hunter2 user=bob', 'hunter2'],
  ['secret json', '{"client_secret": "very-secret-value", "user": "bob"}', 'very-secret-value'],
  ['token kv', 'refresh access_token=abc.def.ghi ok', 'abc.def.ghi'],
  ['api key kv', 'X-Api-Key: 9d8c7b6a5f4e3d2c', '9d8c7b6a5f4e3d2c'],
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
    expect(redactor.redact('connecting to postgres://cart:s3cr3t@db.internal:5432/cart')).toBe('connecting to postgres://cart:[REDACTED:url-password]@db.internal:5432/cart');
    expect(redactor.redact('Authorization: Bearer abcdef0123456789abcdef')).toBe('Authorization: Bearer [REDACTED:authorization]');
    expect(redactor.redact('login failed password="hunter 2" user=bob')).toBe('login failed password="[REDACTED:key-value]" user=bob');
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

  it('applies configurable patterns', () => {
    const custom = createRedactor({ extraPatterns: [/ACME-[0-9]{6}/, 'internal-[a-z]+-key'] });
    expect(custom.redact('licence ACME-123456 and internal-billing-key')).toBe('licence [REDACTED:custom] and [REDACTED:custom]');
  });
});
