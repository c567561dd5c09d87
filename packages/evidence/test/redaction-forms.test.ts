/**
 * The spellings each redaction rule must take (spacing, quoting, case, escapes) and which rule takes them, read
 * from the marker: written from the survivors of `pnpm mutation` on the redactor. Every value here is an invented
 * fake.
 */
import { describe, expect, it } from 'vitest';
import { createRedactor } from '@aiops/evidence';

const redactor = createRedactor();
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('private keys', () => {
  const begin = '-----BEGIN PRIVATE KEY-----';
  const end = '-----END PRIVATE KEY-----';

  it('a body of exactly the largest key size is taken through its END line; one character more is not', () => {
    // 16,384 characters between the header and the END line, newlines included.
    const body = `\n${'A'.repeat(16_382)}\n`;
    expect(redactor.redactWithCount(`${begin}${body}${end}\nnext`)).toEqual({
      text: '[REDACTED:private-key]\nnext',
      count: 1,
    });
    const longer = redactor.redact(`${begin}\nA${body}${end}\nnext`);
    expect(longer).toMatch(/^\[REDACTED:private-key\]A\n-----END PRIVATE KEY-----\nnext$/);
  });

  it('a key far into a long text is still taken through its own END line', () => {
    const before = `${'GET /api/items 200 in 3ms\n'.repeat(1000)}`;
    expect(redactor.redact(`${before}${begin}\nMIIfakeBody\n${end}\nafter`)).toBe(
      `${before}[REDACTED:private-key]\nafter`,
    );
  });

  it('an empty key block (END right after BEGIN) goes whole', () => {
    expect(redactor.redact(`key="${begin}${end}"`)).toBe('key="[REDACTED:private-key]"');
  });

  it('words about a private key without a key are left as they are', () => {
    expect(redactor.redactWithCount('rotating the private key of cart')).toEqual({
      text: 'rotating the private key of cart',
      count: 0,
    });
  });
});

describe('a GCP service account key id', () => {
  it('is taken with spaces around the colon', () => {
    expect(redactor.redact('{"private_key_id" : "0123456789abcdef0123456789abcdef01234567"}')).toBe(
      '{"private_key_id" : "[REDACTED:gcp-private-key-id]"}',
    );
  });
});

describe('an AWS secret access key is taken by its own rule, in every spelling', () => {
  it.each([
    [`AWS_SECRET_ACCESS_KEY=${AWS_SECRET} region=eu`, 'AWS_SECRET_ACCESS_KEY=[REDACTED:aws-secret-key] region=eu'],
    [`{"aws_secret_access_key": "${AWS_SECRET}"}`, '{"aws_secret_access_key": "[REDACTED:aws-secret-key]"}'],
    [`aws_secret_access_key : ${AWS_SECRET} ok`, 'aws_secret_access_key : [REDACTED:aws-secret-key] ok'],
    [`awssecretkey=${AWS_SECRET}`, 'awssecretkey=[REDACTED:aws-secret-key]'],
    [`secretaccesskey='${AWS_SECRET}'`, "secretaccesskey='[REDACTED:aws-secret-key]'"],
  ])('%s', (text, redacted) => {
    expect(redactor.redactWithCount(text)).toEqual({ text: redacted, count: 1 });
  });
});

describe('URLs', () => {
  it('a Slack webhook over plain http goes whole', () => {
    expect(
      redactor.redact('POST http://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX ok'),
    ).toBe('POST [REDACTED:slack-webhook] ok');
  });

  it('a password behind a two-letter scheme', () => {
    expect(redactor.redact('connect ws://app:S3cretPw@socket.internal/feed')).toBe(
      'connect ws://app:[REDACTED:url-password]@socket.internal/feed',
    );
  });

  it('a password that starts with digits is no port', () => {
    expect(redactor.redact('dsn postgres://app:2024Summer@db:5432/app')).toBe(
      'dsn postgres://app:[REDACTED:url-password]@db:5432/app',
    );
  });
});

describe('authorization', () => {
  it.each([
    ['authorization: Token abc123def456', 'authorization: Token [REDACTED:authorization]'],
    ['Proxy-Authorization: Digest abc123def456', 'Proxy-Authorization: Digest [REDACTED:authorization]'],
    ['{"authorization":"Token abc123def456"}', '{"authorization":"Token [REDACTED:authorization]"}'],
    ['Authorization : Negotiate abc123def456', 'Authorization : Negotiate [REDACTED:authorization]'],
    ['authorization=s3cr3t-t0ken-value', 'authorization=[REDACTED:authorization]'],
  ])('header %s keeps its scheme', (text, redacted) => {
    expect(redactor.redactWithCount(text)).toEqual({ text: redacted, count: 1 });
  });

  it('a bare Bearer or Basic credential, however many spaces follow the scheme', () => {
    expect(redactor.redact('sent Bearer abcdef0123456789 upstream')).toBe(
      'sent Bearer [REDACTED:authorization] upstream',
    );
    expect(redactor.redact('sent basic  dXNlcjpwYXNzd29yZA== upstream')).toBe(
      'sent basic  [REDACTED:authorization] upstream',
    );
  });

  it('a Basic credential after a tab or a line break', () => {
    expect(redactor.redact('sent basic\tdXNlcjpwYXNzd29yZA== upstream')).toBe(
      'sent basic\t[REDACTED:authorization] upstream',
    );
    expect(redactor.redact('Basic\ndXNlcjpwYXNzd29yZA==')).toBe('Basic\n[REDACTED:authorization]');
  });

  it('a scheme word before a marker another rule left is no credential, however many spaces between', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.c2lnbmF0dXJl';
    expect(redactor.redactWithCount(`Authorization: Bearer  ${jwt}`)).toEqual({
      text: 'Authorization: Bearer  [REDACTED:jwt]',
      count: 1,
    });
  });
});

describe('cookies and command-line flags', () => {
  it('a Cookie header with a space before the colon', () => {
    expect(redactor.redact('Cookie : session=8f14e45fceea167a')).toBe('Cookie : [REDACTED:cookie]');
  });

  it('a prefixed password flag, and one followed by several spaces', () => {
    expect(redactor.redact('pg --db-password hunter2 --x')).toBe('pg --db-password [REDACTED:cli-flag] --x');
    expect(redactor.redact('pg --password  hunter2 --x')).toBe('pg --password  [REDACTED:cli-flag] --x');
  });
});

describe('escapes and configured patterns', () => {
  it('a doubly escaped token character is decoded with all its backslashes', () => {
    expect(redactor.redact('msg="creds \\\\u0041KIAIOSFODNN7EXAMPLE"')).toBe(
      'msg="creds [REDACTED:aws-access-key-id]"',
    );
  });

  it('a configured RegExp keeps its flags (a case-insensitive one matches any case)', () => {
    const custom = createRedactor({ extraPatterns: [/acme-\d{6}/i] });
    expect(custom.redactWithCount('licence ACME-123456 and acme-654321')).toEqual({
      text: 'licence [REDACTED:custom] and [REDACTED:custom]',
      count: 2,
    });
  });
});
