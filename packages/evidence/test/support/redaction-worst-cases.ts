/**
 * For every built-in redaction rule, about 1 MB of the input that makes it work hardest (a backtracking regex would
 * go quadratic on these), and a secret that must still be caught when it sits at the end of that input.
 * Shared by the redaction test (must finish and be right) and `pnpm bench` (prints MB/s).
 */
export interface WorstCase {
  rule: string;
  /** ~1 MB of adversarial text. */
  text: string;
  /** Appended after `text`; its secret must be gone from the output. */
  tail: string;
  secret: string;
}

const MB = 1_000_000;
const fill = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length));

export const WORST_CASES: WorstCase[] = [
  // Each BEGIN header could start a key whose END never comes: the old lazy `[\s\S]{0,16384}?` rescanned 16 KB each.
  {
    rule: 'private-key',
    text: fill('-----BEGIN PRIVATE KEY-----'),
    tail: '\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBfake\n-----END PRIVATE KEY-----',
    secret: 'MIIEvQIBfake',
  },
  {
    rule: 'gcp-private-key-id',
    text: fill('"private_key_id": "0123456789abcdef0123456789abcdef0123456'),
    tail: '\n"private_key_id": "0123456789abcdef0123456789abcdef01234567"',
    secret: '0123456789abcdef0123456789abcdef01234567',
  },
  {
    rule: 'jwt',
    text: fill('eyJ-'),
    tail: ' eyJhbGciOiJub25lIn0.eyJzdWIiOiJmYWtlIn0.sig',
    secret: 'eyJzdWIiOiJmYWtlIn0',
  },
  {
    rule: 'github-token',
    text: fill('_ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'),
    tail: ' ghp_aBcD1234eFgH5678iJkL9012mNoP3456qRsT',
    secret: 'ghp_aBcD1234eFgH5678iJkL9012mNoP3456qRsT',
  },
  {
    rule: 'github-fine-grained',
    text: fill(' github_pat_short'),
    tail: ' github_pat_11AAAAAAA0abcdefghijkl_mnop',
    secret: 'github_pat_11AAAAAAA0abcdefghijkl_mnop',
  },
  {
    rule: 'gitlab-token',
    text: fill(' glpat-short'),
    tail: ' glpat-abcdefghij0123456789',
    secret: 'glpat-abcdefghij0123456789',
  },
  {
    rule: 'gcp-api-key',
    text: fill(' AIza' + 'a'.repeat(34)),
    tail: ' AIzaSyA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU-v',
    secret: 'AIzaSyA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU-v',
  },
  {
    rule: 'gcp-oauth-token',
    text: fill(' ya29.short'),
    tail: ' ya29.a0AfH6SMBfakefakefakefakefake',
    secret: 'ya29.a0AfH6SMBfakefakefakefakefake',
  },
  {
    rule: 'aws-access-key-id',
    text: fill(' AKIA' + 'A'.repeat(15)),
    tail: ' AKIAIOSFODNN7EXAMPLE',
    secret: 'AKIAIOSFODNN7EXAMPLE',
  },
  {
    rule: 'aws-secret-key',
    text: fill('aws_secret_access_key=' + 'a'.repeat(39) + ' '),
    tail: '\naws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  },
  {
    rule: 'stripe-key',
    text: fill(' sk_live_short'),
    tail: ' sk_live_4eC39HqLyjWDarjtT1zdp7dc',
    secret: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
  },
  {
    rule: 'openai-key',
    text: fill(' sk-' + 'a'.repeat(31) + '-'),
    tail: ' sk-proj-abcdefghijklmnopqrstuvwxyz012345',
    secret: 'sk-proj-abcdefghijklmnopqrstuvwxyz012345',
  },
  {
    rule: 'npm-token',
    text: fill(' npm_' + 'a'.repeat(35)),
    tail: ' npm_abcdefghijklmnopqrstuvwxyz0123456789',
    secret: 'npm_abcdefghijklmnopqrstuvwxyz0123456789',
  },
  {
    rule: 'slack-token',
    text: fill('xoxb-'),
    tail: ' xoxb-123456789012-1234567890123-AbCdEfGhIjKl',
    secret: 'xoxb-123456789012-1234567890123-AbCdEfGhIjKl',
  },
  {
    rule: 'slack-app-token',
    text: fill(' xapp-1-A'),
    tail: ' xapp-1-A0123456-1234567890-abcdef0123',
    secret: 'xapp-1-A0123456-1234567890-abcdef0123',
  },
  {
    rule: 'slack-webhook',
    text: fill('https://hooks.slack.com/services/'),
    tail: ' https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
    secret: 'T00000000/B00000000',
  },
  // Many scheme://user: starts, each followed by a long password-like run that never reaches an `@`.
  {
    rule: 'url-password',
    text: fill('a://b:' + 'c/'.repeat(60)),
    tail: ' redis://:s3cr3t/pw@cache:6379',
    secret: 's3cr3t/pw',
  },
  {
    rule: 'authorization',
    text: fill('authorization: bearer '),
    tail: '\nAuthorization: Bearer abcdef0123456789abcdef',
    secret: 'abcdef0123456789abcdef',
  },
  {
    rule: 'cookie',
    text: fill('Cookie: '),
    tail: '\nSet-Cookie: session=8f14e45fceea167a; Path=/',
    secret: '8f14e45fceea167a',
  },
  { rule: 'cli-flag', text: fill('--password --'), tail: '\nstarting with --password hunter2x', secret: 'hunter2x' },
  { rule: 'key-value', text: fill('token:"token:\'token:'), tail: '\nDB_PASS=hunter2x', secret: 'hunter2x' },
];
