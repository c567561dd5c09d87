/**
 * Secret redaction for everything the workload prints before it reaches the model, an issue or a log.
 *
 * The rule set follows gitleaks' default rules (token prefixes and lengths) for the providers we must catch. The
 * maintained npm rule sets (secretlint's preset) were tried: their engine is asynchronous, works on whole files
 * and took minutes on a few MB of log text, while redaction here must be synchronous and run per render.
 * Each rule carries a cheap literal pre-check so that a 10 MB log only pays for the regexes that can match.
 */

export interface Redactor {
  redact(text: string): string;
  redactWithCount(text: string): { text: string; count: number };
}

export interface RedactorOptions {
  /** Extra patterns (RegExp or regex source strings); a match is replaced by `[REDACTED:custom]`. */
  extraPatterns?: Array<RegExp | string>;
}

interface Rule {
  kind: string;
  /** Lower-cased literals, one of which must occur for the rule to be tried. */
  hints: string[];
  pattern: RegExp;
  /** Builds the replacement from the match groups; default: the whole match becomes the marker. */
  replace?: (marker: string, ...groups: string[]) => string;
}

const mark = (kind: string): string => `[REDACTED:${kind}]`;

const RULES: Rule[] = [
  {
    kind: 'private-key',
    hints: ['private key'],
    // Multi-line PEM, or one line with literal \n as in a service-account JSON; an unterminated key to the end.
    pattern: /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----[\s\S]{0,16384}?(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
  },
  {
    kind: 'gcp-private-key-id',
    hints: ['private_key_id'],
    pattern: /("private_key_id"\s*:\s*")[0-9a-f]{40}(")/g,
    replace: (m, a = '', b = '') => `${a}${m}${b}`,
  },
  { kind: 'jwt', hints: ['eyj'], pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g },
  { kind: 'github-token', hints: ['ghp_', 'gho_', 'ghs_', 'ghu_', 'ghr_'], pattern: /\bgh[opsur]_[A-Za-z0-9]{36,255}\b/g },
  { kind: 'github-token', hints: ['github_pat_'], pattern: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g },
  { kind: 'gcp-api-key', hints: ['aiza'], pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g },
  { kind: 'aws-access-key-id', hints: ['akia', 'asia', 'abia', 'acca', 'a3t'], pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b/g },
  {
    kind: 'aws-secret-key',
    hints: ['secret'],
    pattern: /((?:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key)["']?\s*[:=]\s*["']?)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/gi,
    replace: (m, a = '') => `${a}${m}`,
  },
  { kind: 'npm-token', hints: ['npm_'], pattern: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { kind: 'slack-token', hints: ['xox'], pattern: /\bxox[baprs]-[A-Za-z0-9-]{10,250}/g },
  { kind: 'slack-token', hints: ['xapp-'], pattern: /\bxapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+/g },
  { kind: 'slack-webhook', hints: ['hooks.slack.com'], pattern: /https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,}/g },
  {
    kind: 'url-password',
    hints: ['://'],
    pattern: /\b([a-zA-Z][a-zA-Z0-9+.-]{1,20}:\/\/[^\s:@/?#"'<>]{1,256}:)[^\s@/"'<>]{1,256}(@)/g,
    replace: (m, a = '', b = '') => `${a}${m}${b}`,
  },
  {
    kind: 'authorization',
    hints: ['authorization', 'bearer', 'basic '],
    // The header (any case, JSON or HTTP form) keeps its scheme; the credential goes.
    pattern: /\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:bearer|basic|token|digest|negotiate)?\s*)[^\s"',;]{4,}|\b((?:bearer|basic)\s+)[A-Za-z0-9\-._~+/]{8,}=*/gi,
    replace: (m, a, b) => `${a ?? b ?? ''}${m}`,
  },
  {
    kind: 'key-value',
    hints: ['pass', 'pwd', 'secret', 'token', 'key', 'credential'],
    // `password=...`, `"client_secret": "..."`, `api-key: ...`: the key stays, the value goes.
    pattern: /((?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)["']?\s*[:=]\s*)("[^"\n]{1,512}"|'[^'\n]{1,512}'|[^\s,;&"'}\])]{1,512})/gi,
    replace: (m, a = '', value = '') => {
      if (value.includes('[REDACTED:')) return `${a}${value}`;
      const quote = value.startsWith('"') || value.startsWith("'") ? value[0] ?? '' : '';
      return `${a}${quote}${m}${quote}`;
    },
  },
];

function compileExtra(pattern: RegExp | string): RegExp {
  if (typeof pattern === 'string') return new RegExp(pattern, 'g');
  return pattern.global ? pattern : new RegExp(pattern.source, `${pattern.flags}g`);
}

export function createRedactor(options: RedactorOptions = {}): Redactor {
  const extras = (options.extraPatterns ?? []).map(compileExtra);
  const redactWithCount = (text: string): { text: string; count: number } => {
    let count = 0;
    let out = text;
    let lower: string | undefined;
    for (const rule of RULES) {
      lower ??= out.toLowerCase();
      const haystack = lower;
      if (!rule.hints.some((hint) => haystack.includes(hint))) continue;
      const marker = mark(rule.kind);
      const replaced = out.replace(rule.pattern, (...args: unknown[]) => {
        // args: match, ...groups, offset, input (and named groups, which we do not use).
        // What an earlier rule already redacted is left alone, so one secret counts once.
        if (typeof args[0] === 'string' && args[0].includes('[REDACTED:') && rule.kind !== 'key-value') return args[0];
        const groups = args.slice(1, -2).map((g) => (typeof g === 'string' ? g : undefined)) as string[];
        const replacement = rule.replace ? rule.replace(marker, ...groups) : marker;
        if (replacement !== args[0]) count++;
        return replacement;
      });
      if (replaced !== out) {
        out = replaced;
        lower = undefined;
      }
    }
    for (const pattern of extras) {
      out = out.replace(pattern, () => {
        count++;
        return mark('custom');
      });
    }
    return { text: out, count };
  };
  return { redact: (text: string) => redactWithCount(text).text, redactWithCount };
}
