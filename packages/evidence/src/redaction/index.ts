/**
 * Secret redaction for everything the workload prints before it reaches the model, an issue or a log.
 *
 * The rule set follows gitleaks' default rules (token prefixes and lengths) for the providers we must catch. The
 * maintained npm rule sets were tried and set aside: secretlint's preset runs an asynchronous engine over whole files
 * and took minutes on a few MB of log text, while redaction here must be synchronous and run per render.
 *
 * Every rule must stay linear on adversarial input (a workload controls what it prints, and redaction runs on the
 * request path): token rules start only at the beginning of a run of token characters (a lookbehind, so a long run is
 * scanned once, not once per position), repetitions are bounded, and the PEM rule is a scan rather than a lazy
 * `[\s\S]*?` (which cost ~5 s per MB of repeated BEGIN lines). `pnpm bench` prints MB/s for each rule's worst case.
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

interface PatternRule {
  /** Unique name of the rule (several rules may share a marker kind). */
  id: string;
  kind: string;
  /** Lower-cased literals, one of which must occur for the rule to be tried. */
  hints: string[];
  pattern: RegExp;
  /**
   * Replacement string (`$1` for groups, `{m}` for the marker); default: the whole match becomes the marker. A string
   * rather than a callback: a callback per match costs more than the match on text that is full of near-secrets.
   */
  replaceWith?: string;
}

interface ScanRule {
  id: string;
  kind: string;
  hints: string[];
  scan: (text: string, marker: string) => { text: string; count: number };
}

type Rule = PatternRule | ScanRule;

const mark = (kind: string): string => `[REDACTED:${kind}]`;

/**
 * A token that starts where a run of token characters starts (or after `_`, as in `TOKEN_ghp_…`). The lookbehind
 * sits after the literal prefix so the engine can still skip ahead to the prefix instead of testing every position.
 */
function startOfRun(prefix: string, body: string, notBefore = 'A-Za-z0-9'): RegExp {
  return new RegExp(`${prefix}(?<![${notBefore}]${prefix})${body}`, 'g');
}
/** A quoted value is left alone when an earlier rule already put a marker inside it. */
const notRedacted = (charClass: string): string => `(?!${charClass}{0,512}\\[REDACTED:)`;

// Private keys: BEGIN header, then through the matching END line when one follows within a key's size, else through
// the base64 body (an unterminated or truncated key). One forward pass: the END search never rescans text it has
// already searched, so 37,000 BEGIN lines without an END cost one scan, not 37,000.
const PEM_BEGIN = /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END = /-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_BODY = /[A-Za-z0-9+/=\s\\]*/y;
const PEM_MAX_BODY = 16_384;
const WHITESPACE = /\s/;

function scanPrivateKeys(text: string, marker: string): { text: string; count: number } {
  PEM_BEGIN.lastIndex = 0;
  const out: string[] = [];
  let copied = 0;
  let count = 0;
  let endAt = -1; // start of the next END header found so far
  let endLength = 0;
  let searchedTo = 0; // no END header starts in [.., searchedTo) beyond endAt
  let noMoreEnds = false;
  for (let begin = PEM_BEGIN.exec(text); begin; begin = PEM_BEGIN.exec(text)) {
    const bodyStart = begin.index + begin[0].length;
    if (endAt < bodyStart && !noMoreEnds) {
      PEM_END.lastIndex = Math.max(bodyStart, searchedTo);
      const end = PEM_END.exec(text);
      if (end) {
        endAt = end.index;
        endLength = end[0].length;
      } else noMoreEnds = true;
      searchedTo = end ? end.index : text.length;
    }
    let stop: number;
    if (!noMoreEnds && endAt >= bodyStart && endAt - bodyStart <= PEM_MAX_BODY) stop = endAt + endLength;
    else {
      PEM_BODY.lastIndex = bodyStart;
      PEM_BODY.exec(text);
      stop = Math.min(PEM_BODY.lastIndex, bodyStart + PEM_MAX_BODY);
      // Keep the line break that ended the body, so the next line stays a line.
      while (stop > bodyStart && WHITESPACE.test(text[stop - 1] ?? '')) stop--;
    }
    out.push(text.slice(copied, begin.index), marker);
    copied = stop;
    count++;
    PEM_BEGIN.lastIndex = stop;
  }
  if (count === 0) return { text, count };
  out.push(text.slice(copied));
  return { text: out.join(''), count };
}

// Names whose value is a secret: `password`, `DB_PASS`, `SECRET_KEY`, `GITHUB_TOKEN`, `"client_secret"`,
// `passphrase`, `api-key`. `pass` alone needs a non-letter before it (`bypass=true` is not a password); names that
// only contain a word (`max_tokens`, `token_count`, `secretName`, `keyspace`) are not secrets.
// Factored by first letter: the engine tries one branch per position instead of every name.
const SECRET_NAME =
  '(?:p(?:assw(?:or)?d|assphrase|wd|rivate[_.-]?key)|(?<![a-z])pass|s(?:ecret(?:[_.-]?key)?|igning[_.-]?key)|token|credentials?|a(?:pi[_-]?key|pikey|ccess[_.-]?key|uth[_.-]?key)|(?:client|encryption|master)[_.-]?key)';
// A quote around the name or value may itself be escaped (`{\"token\": \"...\"}` inside a logfmt or JSON string).
const Q = `(?:\\\\{1,3}["']|["'])`;

const RULES: Rule[] = [
  { id: 'private-key', kind: 'private-key', hints: ['private key'], scan: scanPrivateKeys },
  {
    id: 'gcp-private-key-id',
    kind: 'gcp-private-key-id',
    hints: ['private_key_id'],
    pattern: /("private_key_id"\s{0,8}:\s{0,8}")[0-9a-f]{40}(")/g,
    replaceWith: '$1{m}$2',
  },
  {
    id: 'jwt',
    kind: 'jwt',
    hints: ['eyj'],
    pattern: startOfRun('eyJ', '[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*', 'A-Za-z0-9_-'),
  },
  // Token rules start where a run of token characters starts, or after `_` (`TOKEN_ghp_…` glued to a name).
  {
    id: 'github-token',
    kind: 'github-token',
    hints: ['ghp_', 'gho_', 'ghs_', 'ghu_', 'ghr_'],
    pattern: startOfRun('gh[opsur]_', '[A-Za-z0-9]{36,255}(?![A-Za-z0-9])'),
  },
  {
    id: 'github-fine-grained',
    kind: 'github-token',
    hints: ['github_pat_'],
    pattern: startOfRun('github_pat_', '[A-Za-z0-9_]{22,255}'),
  },
  {
    id: 'gitlab-token',
    kind: 'gitlab-token',
    hints: ['glpat-'],
    pattern: startOfRun('glpat-', '[A-Za-z0-9_-]{20,255}'),
  },
  {
    id: 'gcp-api-key',
    kind: 'gcp-api-key',
    hints: ['aiza'],
    pattern: startOfRun('AIza', '[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])'),
  },
  {
    id: 'gcp-oauth-token',
    kind: 'gcp-oauth-token',
    hints: ['ya29.'],
    pattern: startOfRun('ya29\\.', '[0-9A-Za-z_-]{20,2048}'),
  },
  {
    id: 'aws-access-key-id',
    kind: 'aws-access-key-id',
    hints: ['akia', 'asia', 'abia', 'acca', 'a3t'],
    pattern: startOfRun('A(?:KIA|SIA|BIA|CCA|3T[A-Z0-9])', '[A-Z0-9]{16}(?![A-Za-z0-9])'),
  },
  {
    id: 'aws-secret-key',
    kind: 'aws-secret-key',
    hints: ['secret'],
    pattern:
      /((?:aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key)["']?\s{0,8}[:=]\s{0,8}["']?)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])/gi,
    replaceWith: '$1{m}',
  },
  {
    id: 'stripe-key',
    kind: 'stripe-key',
    hints: ['_live_', '_test_'],
    pattern: startOfRun('[sr]k_(?:live|test)_', '[A-Za-z0-9]{10,247}'),
  },
  {
    id: 'openai-key',
    kind: 'openai-key',
    hints: ['sk-'],
    // Project/service/admin and Anthropic keys carry a type segment; legacy keys are one long alphanumeric run.
    pattern: startOfRun(
      'sk-',
      '(?:(?:proj|svcacct|admin|ant-api\\d\\d|ant-admin\\d\\d)-[A-Za-z0-9_-]{20,512}|[A-Za-z0-9]{32,512}(?![A-Za-z0-9_-]))',
      'A-Za-z0-9-',
    ),
  },
  {
    id: 'npm-token',
    kind: 'npm-token',
    hints: ['npm_'],
    pattern: startOfRun('npm_', '[A-Za-z0-9]{36}(?![A-Za-z0-9])'),
  },
  {
    id: 'slack-token',
    kind: 'slack-token',
    hints: ['xox'],
    pattern: startOfRun('xox[abeoprs]-', '[A-Za-z0-9-]{10,250}', 'A-Za-z0-9-'),
  },
  {
    id: 'slack-app-token',
    kind: 'slack-token',
    hints: ['xapp-'],
    pattern: startOfRun('xapp-', '\\d-[A-Z0-9]{1,32}-\\d{1,32}-[a-z0-9]{1,128}', 'A-Za-z0-9-'),
  },
  {
    id: 'slack-webhook',
    kind: 'slack-webhook',
    hints: ['hooks.slack.com'],
    pattern: /https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,512}/g,
  },
  {
    id: 'url-password',
    kind: 'url-password',
    hints: ['://'],
    // `scheme://user:password@host`, the user may be empty (`redis://:pw@host`) and the password may hold `/` and
    // `:`; a host:port followed by a path (`https://host:8443/a/@b`) is not a password. The lookahead + backreference
    // takes the longest run once (no backtracking into it), then the run must end at an `@`. The match starts at
    // `://` with the scheme checked behind it (the scheme stays as it is), so the engine skips from one `://` to the
    // next instead of trying a scheme at every letter.
    pattern:
      /(:\/\/(?<=(?<![A-Za-z0-9+.-])[a-zA-Z][a-zA-Z0-9+.-]{1,20}:\/\/)[^\s:@/?#"'<>]{0,256}:)(?!\d{1,5}(?:[/?#\s"'<>]|$))(?!\[REDACTED:)(?=([^\s@"'<>]{1,256}))\2@/g,
    replaceWith: '$1{m}@',
  },
  {
    id: 'authorization',
    kind: 'authorization',
    // `basic` without a space: a tab or line break may part the scheme from the credential.
    hints: ['authorization', 'bearer', 'basic'],
    // The header (any case, JSON or HTTP form) keeps its scheme; the credential goes.
    // The credential run is taken whole (lookahead + backreference): a scheme word followed by an earlier marker is
    // not itself a credential.
    pattern:
      /\b((?:proxy-)?authorization["']?\s{0,8}[:=]\s{0,8}["']?(?:bearer|basic|token|digest|negotiate)?\s{0,8})(?!\[REDACTED:)(?=([^\s"',;]{4,4096}))\2(?!\s{1,8}\[REDACTED:)|\b((?:bearer|basic)\s{1,8})[A-Za-z0-9\-._~+/]{8,4096}=*/gi,
    replaceWith: '$1$3{m}',
  },
  {
    id: 'cookie',
    kind: 'cookie',
    hints: ['cookie'],
    // `Cookie:` / `Set-Cookie:` header values (session ids), HTTP or JSON form: the whole value goes.
    pattern:
      /(?<![A-Za-z0-9_-])((?:set-)?cookie["']?\s{0,8}[:=]\s{0,8}["']?)(?!\[REDACTED:)(?=[^\s"'])[^\r\n"']{1,8192}/gi,
    replaceWith: '$1{m}',
  },
  {
    id: 'cli-flag',
    kind: 'cli-flag',
    hints: ['--'],
    // `--password hunter2`, `--db-password=…` is the key-value rule's.
    pattern:
      /(?<![A-Za-z0-9-])(--[A-Za-z0-9-]{0,40}(?:password|passwd|pass|passphrase|token|secret|api-key)\s{1,8})(?!-|\[REDACTED:)[^\s"']{1,512}/gi,
    replaceWith: '$1{m}',
  },
  {
    id: 'key-value',
    kind: 'key-value',
    hints: ['pass', 'pwd', 'secret', 'token', 'key', 'credential'],
    // `password=...`, `"client_secret": "..."`, `DB_PASS=...`: the name stays, the value goes, a quote around it
    // (plain or escaped) stays; a value that already holds a redaction marker is left as it is.
    pattern: new RegExp(
      `(${SECRET_NAME}${Q}?\\s{0,8}[:=]\\s{0,8})` +
        `(?:(")${notRedacted('[^"\\n]')}[^"\\n]{1,512}"|(')${notRedacted("[^'\\n]")}[^'\\n]{1,512}'|` +
        `(\\\\{1,3}")${notRedacted('[^"\\\\\\n]')}[^"\\\\\\n]{1,512}\\\\{1,3}"|(?!\\[REDACTED:)[^\\s,;&"'}\\])\\\\]{1,512})`,
      'gi',
    ),
    replaceWith: '$1$2$3$4{m}$2$3$4',
  },
];

/** Names of the built-in rules, for tests and benchmarks that must cover each one. */
export const REDACTION_RULE_IDS: readonly string[] = RULES.map((rule) => rule.id);

// Letters, digits and token punctuation never need escaping; a workload that prints them as `\u0041` or `\x41`
// (JSON or logfmt encoders, or a secret deliberately hidden) is decoded first so the rules see the token.
const ESCAPED_TOKEN_CHAR = /\\+(?:u00([2-7][0-9a-fA-F])|x([2-7][0-9a-fA-F]))/g;
const TOKEN_CHAR = /^[A-Za-z0-9_+/=.-]$/;

function decodeEscapedTokenChars(text: string): string {
  if (!text.includes('\\u00') && !text.includes('\\x')) return text;
  return text.replace(ESCAPED_TOKEN_CHAR, (whole, u?: string, x?: string) => {
    const char = String.fromCharCode(parseInt(u ?? x ?? '', 16));
    return TOKEN_CHAR.test(char) ? char : whole;
  });
}

function compileExtra(pattern: RegExp | string): RegExp {
  if (typeof pattern === 'string') return new RegExp(pattern, 'g');
  return pattern.global ? pattern : new RegExp(pattern.source, `${pattern.flags}g`);
}

function countOf(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}

function applyPattern(rule: PatternRule, text: string, marker: string): { text: string; count: number } {
  const replaced = text.replace(rule.pattern, (rule.replaceWith ?? '{m}').replace('{m}', marker));
  // Rules never remove a marker, so the new markers are the secrets this rule found.
  return replaced === text
    ? { text, count: 0 }
    : { text: replaced, count: countOf(replaced, marker) - countOf(text, marker) };
}

/**
 * Which rule hints occur in a (lower-cased) text, in one pass: one alternation of the hints not yet seen, rebuilt
 * each time a hint is found (at most once per hint). Forty `includes` calls cost forty scans, and on text full of
 * near-misses (`_ghp_aaa…`) each of those degrades badly; this stays at one scan.
 */
function createHintFinder(hints: readonly string[]): (lower: string) => Set<string> {
  const unique = [...new Set(hints)].sort((a, b) => b.length - a.length);
  const escape = (hint: string): string => hint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const compiled = new Map<string, RegExp>();
  return (lower) => {
    const seen = new Set<string>();
    // A short text (one log line) is cheaper to probe hint by hint than to build alternations for.
    if (lower.length < 4096) {
      for (const hint of unique) if (lower.includes(hint)) seen.add(hint);
      return seen;
    }
    let from = 0;
    for (;;) {
      const rest = unique.filter((hint) => !seen.has(hint));
      if (rest.length === 0) return seen;
      const key = rest.join('\0');
      let pattern = compiled.get(key);
      if (!pattern) {
        if (compiled.size >= 256) compiled.clear();
        pattern = new RegExp(rest.map(escape).join('|'), 'g');
        compiled.set(key, pattern);
      }
      pattern.lastIndex = from;
      const found = pattern.exec(lower);
      if (!found) return seen;
      seen.add(found[0]);
      from = found.index + 1;
    }
  };
}

const findHints = createHintFinder(RULES.flatMap((rule) => rule.hints));

export function createRedactor(options: RedactorOptions = {}): Redactor {
  const extras = (options.extraPatterns ?? []).map(compileExtra);
  const redactWithCount = (text: string): { text: string; count: number } => {
    let count = 0;
    let out = decodeEscapedTokenChars(text);
    // Replacements only insert markers, so the hints of the input decide every rule.
    const present = findHints(out.toLowerCase());
    for (const rule of RULES) {
      if (!rule.hints.some((hint) => present.has(hint))) continue;
      const result = 'scan' in rule ? rule.scan(out, mark(rule.kind)) : applyPattern(rule, out, mark(rule.kind));
      out = result.text;
      count += result.count;
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
