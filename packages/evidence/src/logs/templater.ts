/**
 * Log templating: generic variable masking (timestamps, ids, addresses, host:port, quantities with units, quoted
 * values, numbers), tokens split on whitespace and inside-word commas, then online clustering in a Drain-style
 * prefix tree (He et al., ICWS 2017) with Drain's similarity at 0.7, a merge of clusters whose templates become
 * identical, and a family merge that turns a word into a variable once it takes many values with the rest of the
 * template equal. No per-system regexes or thresholds: the same settings serve every log (Loghub-2k GA in
 * bench/loghub.bench.ts).
 */

export const WILDCARD = '<*>';

// Character tests on UTF-16 codes; -1 stands for the start of the message.
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isAlnum = (c: number): boolean => isDigit(c) || isLower(c) || isUpper(c);
const isWord = (c: number): boolean => isAlnum(c) || c === 95;
const isHex = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const isOneOf = (c: number, chars: string): boolean => c >= 0 && chars.includes(String.fromCharCode(c));

// Character classes of the ASCII codes as bits, for the `fits` tests below (they run at every candidate position).
const DIGIT = 1;
const LOWER = 2;
const UPPER = 4;
const UNDERSCORE = 8;
const DOT = 16;
const PLUS = 32;
const MINUS = 64;
const HEX_LETTER = 128;
const BRACKET = 256;
const CLASS_OF = new Uint16Array(128);
for (let c = 0; c < 128; c++) {
  CLASS_OF[c] =
    (isDigit(c) ? DIGIT : 0) |
    (isLower(c) ? LOWER : 0) |
    (isUpper(c) ? UPPER : 0) |
    (c === 95 ? UNDERSCORE : 0) |
    (c === 46 ? DOT : 0) |
    (c === 43 ? PLUS : 0) |
    (c === 45 ? MINUS : 0) |
    (isHex(c) && !isDigit(c) ? HEX_LETTER : 0) |
    (c === 40 || c === 91 ? BRACKET : 0);
}
const HEX = DIGIT | HEX_LETTER;
/** Whether the character at `i` (if any) is in one of the classes. */
function at(s: string, i: number, classes: number): boolean {
  const c = s.charCodeAt(i);
  return c < 128 && ((CLASS_OF[c] ?? 0) & classes) !== 0;
}
/** Where the run of characters in the classes that starts at `i` ends. */
function runEnd(s: string, i: number, classes: number): number {
  let j = i;
  while (j < s.length && at(s, j, classes)) j++;
  return j;
}
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
function startsWithDay(s: string, i: number): boolean {
  for (const day of DAYS) if (s.startsWith(day, i)) return true;
  return false;
}
/** The start, whitespace (any non-ASCII character counts: it may be a Unicode space), `(` or `[`. */
const isOpening = (c: number): boolean => c < 0 || c > 127 || isOneOf(c, ' \t\n\v\f\r([');

/**
 * Variable shapes, earliest match wins (longer shapes first). Each lists substrings a message must contain for the
 * shape to match at all, and `starts`: a cheap test on the character before a position and the one at it that holds
 * wherever the shape can begin (it may hold elsewhere too). The masker tries at a position only the shapes that can
 * begin there, in this order, which finds what one regex of all shapes would but without running every branch and
 * lookbehind at every character.
 */
const SHAPES: readonly {
  pattern: string;
  needs: readonly Feature[];
  starts: (prev: number, c: number) => boolean;
  /** Holds wherever the shape can match at `i` (a cheap look at the next characters); absent: always try. */
  fits?: (s: string, i: number) => boolean;
}[] = [
  // timestamps (ISO 8601, syslog/ctime style)
  {
    needs: [':digit'],
    pattern: String.raw`\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2},? \d\d:\d\d:\d\d(?: \d{4})?\b`,
    starts: (prev, c) => !isWord(prev) && isOneOf(c, 'MTWFS'),
    fits: startsWithDay,
  },
  {
    needs: [':digit', '-'],
    pattern: String.raw`\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?`,
    starts: (_prev, c) => isDigit(c),
    fits: (s, i) => s.charCodeAt(i + 4) === 45,
  },
  // uuids
  {
    needs: ['digit', '-'],
    pattern: String.raw`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`,
    starts: (prev, c) => !isWord(prev) && isHex(c),
    fits: (s, i) => s.charCodeAt(i + 8) === 45,
  },
  // urls
  {
    needs: ['://'],
    pattern: String.raw`\b[a-zA-Z][a-zA-Z0-9+.-]{1,15}://[^\s"'<>]+`,
    starts: (prev, c) => !isWord(prev) && (isLower(c) || isUpper(c)),
    fits: (s, i) => {
      const end = runEnd(s, i + 1, DIGIT | LOWER | UPPER | PLUS | DOT | MINUS);
      return end - i >= 2 && end - i <= 16 && s.startsWith('://', end);
    },
  },
  // emails
  {
    needs: ['@', '.'],
    pattern: String.raw`\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b`,
    starts: (prev, c) => (!isWord(prev) && isWord(c)) || (isWord(prev) && isOneOf(c, '.+-')),
    fits: (s, i) => s.charCodeAt(runEnd(s, i, DIGIT | LOWER | UPPER | UNDERSCORE | DOT | PLUS | MINUS)) === 64,
  },
  // IPv4 with optional port
  {
    needs: ['digit', '.'],
    pattern: String.raw`\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b`,
    starts: (prev, c) => !isWord(prev) && isDigit(c),
    fits: (s, i) => s.charCodeAt(runEnd(s, i, DIGIT)) === 46,
  },
  // host:port (a host name, dotted or not, followed by a port) as a whole token
  {
    needs: [':digit'],
    pattern: String.raw`(?<![^\s(\[])[A-Za-z0-9][\w-]*(?:\.[\w-]+)*:\d{1,5}(?![^\s)\],;])`,
    starts: (prev, c) => isOpening(prev) && isAlnum(c),
    fits: (s, i) => {
      const end = runEnd(s, i, DIGIT | LOWER | UPPER | UNDERSCORE | DOT | MINUS);
      return s.charCodeAt(end) === 58 && at(s, end + 1, DIGIT);
    },
  },
  // domain names: dotted lower-case labels ending in a common top-level domain (a Java package starts with one)
  {
    needs: ['tld'],
    pattern: String.raw`\b(?:[a-z0-9-]+\.)+(?:com|net|org|edu|gov|mil|int|io|info|biz|cn|hk|uk|de|jp|fr|ru|local|internal|lan|cluster)\b(?![.\w-])`,
    starts: (prev, c) => (!isWord(prev) && (isLower(c) || isDigit(c))) || (isWord(prev) && c === 45),
    fits: (s, i) => s.charCodeAt(runEnd(s, i, LOWER | DIGIT | MINUS)) === 46,
  },
  // quantities: a number with its unit, inside or outside brackets, is one value ("(1.16 KB)", "<1 sec", "403 bytes")
  {
    needs: ['digit'],
    pattern: String.raw`(?<![\w.])[(<]?[-+]?\d+(?:\.\d+)? ?(?:[kKMGTP]i?B|bytes?|sec|secs|seconds?|mins?|minutes?|hours?|days?)\b\)?`,
    starts: (prev, c) => !isWord(prev) && prev !== 46 && (isDigit(c) || isOneOf(c, '(<+-')),
    fits: (s, i) => {
      // A number, then (after one optional space) the first letter of a unit.
      let j = i;
      let c = s.charCodeAt(j);
      if (c === 40 || c === 60) c = s.charCodeAt(++j);
      if (c === 43 || c === 45) j++;
      if (!at(s, j, DIGIT)) return false;
      j = runEnd(s, j, DIGIT);
      if (s.charCodeAt(j) === 46 && at(s, j + 1, DIGIT)) j = runEnd(s, j + 1, DIGIT);
      if (s.charCodeAt(j) === 32) j++;
      c = s.charCodeAt(j);
      return (
        c === 107 ||
        c === 75 ||
        c === 77 ||
        c === 71 ||
        c === 84 ||
        c === 80 ||
        c === 98 ||
        c === 115 ||
        c === 109 ||
        c === 104 ||
        c === 100
      );
    },
  },
  // quoted values (an apostrophe inside a word is not a quote); a quoted HTTP request keeps its method, which tells
  // statements apart, while its target and protocol are one value (the two groups are put back by the replacement)
  {
    needs: ['"'],
    pattern: String.raw`(?<![\w])("(?:GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS|CONNECT|TRACE) )[^"\n]{0,256}(")`,
    starts: (prev, c) => !isWord(prev) && c === 34,
  },
  { needs: ['"'], pattern: String.raw`(?<![\w])"[^"\n]{0,256}"`, starts: (prev, c) => !isWord(prev) && c === 34 },
  {
    needs: ["'"],
    pattern: String.raw`(?<![\w])'[^'\n]{0,256}'(?![\w])`,
    starts: (prev, c) => !isWord(prev) && c === 39,
  },
  // hex numbers and long hex ids (with at least one digit)
  {
    needs: ['digit'],
    pattern: String.raw`\b0x[0-9a-fA-F]+\b`,
    starts: (prev, c) => !isWord(prev) && c === 48,
    fits: (s, i) => s.charCodeAt(i + 1) === 120,
  },
  {
    needs: ['digit'],
    pattern: String.raw`\b(?=[a-fA-F]*\d)[0-9a-fA-F]{8,}\b`,
    starts: (prev, c) => !isWord(prev) && isHex(c),
    fits: (s, i) => runEnd(s, i, HEX) - i >= 8,
  },
  // durations and plain numbers
  {
    needs: ['digit'],
    pattern: String.raw`(?<![A-Za-z0-9.])[-+]?\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|%|[kKMG]i?B)?(?![\w.])`,
    starts: (prev, c) => !isAlnum(prev) && prev !== 46 && (isDigit(c) || c === 43 || c === 45),
  },
];

/**
 * What a message must contain for some shapes to match, tested once per message so that the shapes it cannot hold
 * are never tried: `:digit` is a colon then a digit, `tld` a dot then a top-level domain.
 */
type Feature = 'digit' | ':digit' | '-' | '.' | '@' | '://' | '"' | "'" | 'tld';
const FEATURES: readonly Feature[] = ['digit', ':digit', '-', '.', '@', '://', '"', "'", 'tld'];
const [F_DIGIT, F_COLON_DIGIT, F_DASH, F_DOT, F_AT, F_SCHEME, F_QUOTE, F_APOSTROPHE, F_TLD] = FEATURES.map(
  (_, bit) => 1 << bit,
) as [number, number, number, number, number, number, number, number, number];
const HAS_DIGIT = /\d/;
const DOT_TLD = /\.(?:com|net|org|edu|gov|mil|int|io|info|biz|cn|hk|uk|de|jp|fr|ru|local|internal|lan|cluster)\b/;

function featuresOf(message: string): number {
  let mask = 0;
  if (HAS_DIGIT.test(message)) {
    mask |= F_DIGIT;
    for (let colon = message.indexOf(':'); colon !== -1; colon = message.indexOf(':', colon + 1)) {
      if (isDigit(message.charCodeAt(colon + 1))) {
        mask |= F_COLON_DIGIT;
        break;
      }
    }
  }
  if (message.includes('.')) mask |= DOT_TLD.test(message) ? F_DOT | F_TLD : F_DOT;
  if (message.includes('-')) mask |= F_DASH;
  if (message.includes('@')) mask |= F_AT;
  if (message.includes('://')) mask |= F_SCHEME;
  if (message.includes('"')) mask |= F_QUOTE;
  if (message.includes("'")) mask |= F_APOSTROPHE;
  return mask;
}

/** Shapes (a bit each) a message with these features can hold. */
const shapesFor = new Map<number, number>();
function shapesOf(features: number): number {
  let shapes = shapesFor.get(features);
  if (shapes !== undefined) return shapes;
  shapes = 0;
  for (let i = 0; i < SHAPES.length; i++) {
    if (SHAPES[i]?.needs.every((f) => (features & (1 << FEATURES.indexOf(f))) !== 0)) shapes |= 1 << i;
  }
  shapesFor.set(features, shapes);
  return shapes;
}

// The character before a position falls in one of five classes that the `starts` tests tell apart; each class is
// represented by one character when the table of shapes that can begin is built.
const PREV_REPRESENTATIVE = [32, 58, 46, 95, 97]; // opening, other punctuation, '.', '_', alphanumeric
const prevClass = (c: number): number => (isOpening(c) ? 0 : c === 46 ? 2 : c === 95 ? 3 : isAlnum(c) ? 4 : 1);
/** Shapes that can begin at a position, by the class of the character before it and the (ASCII) one at it. */
const STARTS = new Int32Array(PREV_REPRESENTATIVE.length * 128);
for (let pc = 0; pc < PREV_REPRESENTATIVE.length; pc++) {
  for (let c = 0; c < 128; c++) {
    let shapes = 0;
    for (let i = 0; i < SHAPES.length; i++) if (SHAPES[i]?.starts(PREV_REPRESENTATIVE[pc] ?? 32, c)) shapes |= 1 << i;
    STARTS[pc * 128 + c] = shapes;
  }
}
const PREV_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) PREV_CLASS[c] = prevClass(c);

const FITS = SHAPES.map((shape) => shape.fits);
/** The bit of the quoted HTTP request shape, the only one with groups. */
const bitOf = (pattern: string): number => 1 << SHAPES.findIndex((shape) => shape.pattern.startsWith(pattern));
const ISO_TIME = bitOf(String.raw`\d{4}-\d\d-\d\d`);
const HTTP_REQUEST = bitOf('(?<![\\w])("(?:GET|');

/** One sticky regex per set of shapes tried together at a position (the shapes in their order of precedence). */
const stickies = new Map<number, RegExp>();
function stickyFor(shapes: number): RegExp {
  let re = stickies.get(shapes);
  if (re === undefined) {
    re = new RegExp(
      SHAPES.filter((_, i) => (shapes & (1 << i)) !== 0)
        .map((shape) => shape.pattern)
        .join('|'),
      'y',
    );
    stickies.set(shapes, re);
  }
  return re;
}

// A word with a short digit suffix or infix names a thing (eth0, SOCKS5, ssh2, Slf4jLogger), it is not a value.
// So is a dotted or `$`-joined code name whose parts are such words (org.apache.hadoop.mapreduce.v2.app.MRAppMaster).
const SHORT_SUFFIX_WORD = /^[([]?[A-Za-z]{2,}\d{1,2}(?:[A-Za-z]+\d?)*[)\]]?[:.,;]?$/;
const CODE_NAME_WITH_DIGITS = /^[A-Za-z_]\w*(?:[.$][A-Za-z_]\w*)+$/;
const DIGITS_OF_A_NAME = /^[A-Za-z]+\d{1,2}[A-Za-z]*$/;
const isNameWithDigits = (token: string): boolean =>
  SHORT_SUFFIX_WORD.test(token) ||
  (CODE_NAME_WITH_DIGITS.test(token) &&
    token.split(/[.$]/).every((part) => !/\d/.test(part) || DIGITS_OF_A_NAME.test(part)));

const EMPTY_VALUE = /^(?:\(\)|\[\]|\{\}|""|'')[,;:.]?$/;
const KEY_VALUE = /^[A-Za-z_][\w.-]*[=:][^\w\s]{0,2}<\*>[^\w\s]{0,2}$/;

/**
 * Adds the token `masked + rest`: `masked` is its start with wildcards put in (empty if none was), `hasDigit` says it
 * holds a digit, and `literal` that the message itself holds the wildcard's text, so the token may too.
 */
function pushToken(tokens: string[], masked: string, rest: string, hasDigit: boolean, literal: boolean): void {
  // Neither a `key=<*>` pair nor a name begins with anything but a letter, `_`, `(` or `[`: a masked token that does
  // is a variable, and its text (a concatenation) is never built.
  if (masked !== '' && !at(masked, 0, LOWER | UPPER | UNDERSCORE | BRACKET)) {
    if (tokens[tokens.length - 1] !== WILDCARD) tokens.push(WILDCARD);
    return;
  }
  const token = masked + rest;
  if (token === '') return;
  // A token that still holds a digit, an empty value such as `()`, or a masked part is a variable, except a
  // `key=<*>` pair, whose key says which statement this is.
  const variable = hasDigit
    ? !isNameWithDigits(token)
    : masked !== '' || (literal && token.includes(WILDCARD))
      ? !KEY_VALUE.test(token)
      : token.length <= 3 && EMPTY_VALUE.test(token);
  // Adjacent variables are one variable: "<*> <*>" and "<*>" describe the same statement shape.
  if (variable && tokens[tokens.length - 1] === WILDCARD) return;
  tokens.push(variable ? WILDCARD : token);
}

const SPACE = /\s/;

/**
 * Masks variables of a message and splits it into tokens; any token still holding a digit is a variable.
 * One pass: variable shapes are replaced by the wildcard (leftmost first, the earlier shape on a tie), the rest is
 * split on whitespace, and after commas inside a word ("ready=true,policy=3,mode=false": each field is a token).
 */
export function tokenize(message: string): string[] {
  const present = shapesOf(featuresOf(message));
  const isoTime = (present & ISO_TIME) !== 0;
  const literal = message.includes(WILDCARD);
  const tokens: string[] = [];
  // The current token is `masked` (its text up to `from`, with wildcards) followed by message[from..i).
  let masked = '';
  let from = 0;
  let hasDigit = false;
  let prev = -1;
  let i = 0;
  const length = message.length;
  while (i < length) {
    const c = message.charCodeAt(i);
    if (c < 128) {
      const shapes = present === 0 ? 0 : (STARTS[(prev < 0 ? 0 : (PREV_CLASS[prev] ?? 0)) * 128 + c] ?? 0) & present;
      let fitting = shapes;
      for (let rest = shapes; rest !== 0; rest &= rest - 1) {
        const k = 31 - Math.clz32(rest & -rest);
        const fits = FITS[k];
        if (fits !== undefined && !fits(message, i)) fitting &= ~(1 << k);
      }
      let end = -1;
      let method: string | undefined;
      let closing = '';
      if (fitting !== 0) {
        const re = stickyFor(fitting);
        re.lastIndex = i;
        if ((fitting & HTTP_REQUEST) !== 0) {
          // Only the quoted HTTP request shape has groups: its method and closing quote stay.
          const m = re.exec(message);
          if (m !== null) {
            end = i + m[0].length;
            method = m[1];
            closing = m[2] ?? '';
          }
        } else if (re.test(message)) end = re.lastIndex;
      }
      if (end >= 0) {
        const before = message.slice(from, i);
        if (method === undefined) masked += before + WILDCARD;
        else {
          pushToken(tokens, masked, before + method.slice(0, -1), hasDigit, literal);
          masked = WILDCARD + closing;
          hasDigit = false;
        }
        i = end;
        from = i;
        prev = message.charCodeAt(i - 1);
        continue;
      }
      if (c === 32 || (c >= 9 && c <= 13)) {
        pushToken(tokens, masked, message.slice(from, i), hasDigit, literal);
        masked = '';
        from = i + 1;
        hasDigit = false;
      } else if (c === 44) {
        pushToken(tokens, masked, message.slice(from, i + 1), hasDigit, literal);
        masked = '';
        from = i + 1;
        hasDigit = false;
      } else if (isAlnum(c)) {
        // After a letter or digit, the word's next letters begin no shape, nor do its digits unless an ISO time can.
        if (c <= 57) hasDigit = true;
        let j = i + 1;
        for (; j < length; j++) {
          const d = message.charCodeAt(j);
          if (d >= 48 && d <= 57) {
            if (isoTime) break;
            hasDigit = true;
          } else if (!(d >= 97 && d <= 122) && !(d >= 65 && d <= 90)) break;
        }
        prev = message.charCodeAt(j - 1);
        i = j;
        continue;
      }
    } else if (SPACE.test(message.charAt(i))) {
      pushToken(tokens, masked, message.slice(from, i), hasDigit, literal);
      masked = '';
      from = i + 1;
      hasDigit = false;
    }
    prev = c > 127 ? -1 : c;
    i++;
  }
  pushToken(tokens, masked, message.slice(from), hasDigit, literal);
  return tokens;
}

export interface Template {
  id: string;
  template: string;
  count: number;
}

export interface TemplaterOptions {
  /** Tokens (after the length level) used to route a message down the tree. Default 2. */
  prefixDepth?: number;
  /** Minimum share of template tokens a message must match to join a cluster. Default 0.7. */
  similarity?: number;
  /** Children per tree node before new tokens route to the wildcard branch. Default 100. */
  maxChildren?: number;
  /** Minimum similarity to join a cluster found under another prefix. Default: off (it cost accuracy on Loghub-2k). */
  crossLeafSimilarity?: number;
  /** Clusters kept (oldest-least-used are not evicted; new messages then join the nearest). Default 50,000. */
  maxClusters?: number;
  /**
   * Clusters that differ in exactly one token become one template with a variable there once this many distinct
   * values have been seen at that position. Default 5.
   */
  familyValues?: number;
}

export interface Templater {
  /** Assigns the message to a template and returns its id (stable for the templater's lifetime). */
  add(message: string): string;
  /** Current templates, most frequent first. */
  templates(): Template[];
  /** The current template text of an id. */
  templateOf(id: string): string | undefined;
  /**
   * The id that an id returned earlier by `add` now stands for: clusters merge as they generalise, so lines added
   * before a merge carry the id of the cluster that was folded in. Unknown ids are returned unchanged.
   */
  currentId(id: string): string;
}

interface Cluster {
  id: string;
  tokens: string[];
  count: number;
  leaf: TreeNode;
  /** Set when this cluster was merged into another; ids keep resolving through it. */
  mergedInto?: Cluster;
}

interface TreeNode {
  children: Map<string, TreeNode>;
  clusters: Cluster[];
}

const newNode = (): TreeNode => ({ children: new Map(), clusters: [] });

function similarity(template: string[], tokens: string[]): { score: number; wildcards: number } {
  let same = 0;
  let wildcards = 0;
  for (let i = 0; i < template.length; i++) {
    const t = template[i];
    if (t === WILDCARD) wildcards++;
    else if (t === tokens[i]) same++;
  }
  return { score: template.length === 0 ? 1 : same / template.length, wildcards };
}

function resolve(cluster: Cluster): Cluster {
  let c = cluster;
  while (c.mergedInto !== undefined) c = c.mergedInto;
  return c;
}

export function createTemplater(options: TemplaterOptions = {}): Templater {
  const prefixDepth = options.prefixDepth ?? 2;
  const threshold = options.similarity ?? 0.7;
  const maxChildren = options.maxChildren ?? 100;
  const maxClusters = options.maxClusters ?? 50_000;
  const crossThreshold = options.crossLeafSimilarity ?? Number.POSITIVE_INFINITY;
  // Bounds the cost of the cross-leaf search for messages that match nothing.
  const maxCrossCandidates = 2_000;
  const familyValues = options.familyValues ?? 5;
  // Families are indexed per token position; longer messages rarely differ in a single word, so they are skipped.
  const maxFamilyTokens = 64;
  const root = new Map<number, TreeNode>();
  const byId = new Map<string, Cluster>();
  /** Clusters by exact template text: two clusters that generalise to the same text become one. */
  const byTemplate = new Map<string, Cluster>();
  let nextId = 1;
  let liveClusters = 0;

  const lengthIndex = new Map<number, Cluster[]>();
  const sameLength = (length: number): Cluster[] =>
    (lengthIndex.get(length) ?? []).filter((c) => c.mergedInto === undefined);

  /** Clusters that are equal except at one position, by that position and the rest of the template. */
  const families = new Map<string, Cluster[]>();
  /** Templates made by a family merge, by text: where a new value at the merged position finds its cluster. */
  const familyTemplates = new Map<string, Cluster>();
  const familyKey = (tokens: readonly string[], position: number): string => {
    const parts = tokens.slice();
    parts[position] = '\u0000';
    return `${position}\u0001${parts.join(' ')}`;
  };

  const fold = (cluster: Cluster, target: Cluster): void => {
    target.count += cluster.count;
    cluster.mergedInto = target;
    cluster.leaf.clusters = cluster.leaf.clusters.filter((c) => c !== cluster);
    liveClusters--;
  };

  /**
   * A constant that takes many values at one position while everything else stays equal is a variable without
   * digits (a user or host name); a handful of values are distinct statements ("VM Started", "VM Stopped").
   */
  const joinFamilies = (cluster: Cluster): Cluster => {
    if (cluster.tokens.length > maxFamilyTokens) return cluster;
    // What stays constant must still say which statement this is: at least three words and half the template.
    const constants = cluster.tokens.filter((t) => t !== WILDCARD).length - 1;
    if (constants < 3 || constants * 2 < cluster.tokens.length) return cluster;
    for (let position = 0; position < cluster.tokens.length; position++) {
      if (cluster.tokens[position] === WILDCARD) continue;
      const key = familyKey(cluster.tokens, position);
      let members = families.get(key);
      if (members === undefined) {
        families.set(key, [cluster]);
        continue;
      }
      members.push(cluster);
      if (members.length < familyValues) continue;
      members = members.filter(
        (m) => m.mergedInto === undefined && m.tokens[position] !== WILDCARD && familyKey(m.tokens, position) === key,
      );
      families.set(key, members);
      const values = new Set(members.map((m) => m.tokens[position]));
      if (values.size < familyValues) continue;
      const [target, ...rest] = members;
      if (target === undefined) continue;
      const before = target.tokens.join(' ');
      target.tokens[position] = WILDCARD;
      for (const member of rest) {
        fold(member, target);
        byTemplate.set(member.tokens.join(' '), target);
      }
      byTemplate.set(before, target);
      const after = target.tokens.join(' ');
      const twin = byTemplate.get(after);
      if (twin !== undefined && resolve(twin) !== target) {
        const other = resolve(twin);
        fold(target, other);
        return other;
      }
      byTemplate.set(after, target);
      familyTemplates.set(after, target);
      families.delete(key);
      // The merged template may now complete a family at another position.
      return joinFamilies(target);
    }
    return cluster;
  };

  const leafFor = (tokens: string[]): TreeNode => {
    let node: TreeNode | undefined = root.get(tokens.length);
    if (node === undefined) {
      node = newNode();
      root.set(tokens.length, node);
    }
    const depth = Math.min(prefixDepth, tokens.length);
    for (let i = 0; i < depth; i++) {
      const token = tokens[i] ?? WILDCARD;
      let child: TreeNode | undefined = node.children.get(token);
      if (child === undefined) {
        const key = token !== WILDCARD && node.children.size < maxChildren ? token : WILDCARD;
        child = node.children.get(key);
        if (child === undefined) {
          child = newNode();
          node.children.set(key, child);
        }
      }
      node = child;
    }
    return node;
  };

  // Consecutive messages often have the same tokens (about half of them in service logs): the key of the previous
  // message is reused rather than joined (and hashed) again.
  let lastTokens: readonly string[] = [];
  let lastKey = '';
  const keyOf = (tokens: readonly string[]): string => {
    if (tokens.length !== lastTokens.length || tokens.some((token, i) => token !== lastTokens[i])) {
      lastTokens = tokens;
      lastKey = tokens.join(' ');
    }
    return lastKey;
  };

  const add = (message: string): string => {
    const tokens = tokenize(message);
    const exact = byTemplate.get(keyOf(tokens));
    if (exact !== undefined) {
      const live = resolve(exact);
      live.count++;
      return live.id;
    }
    const leaf = leafFor(tokens);
    let best: Cluster | undefined;
    let bestScore = -1;
    let bestWildcards = -1;
    for (const cluster of leaf.clusters) {
      const { score, wildcards } = similarity(cluster.tokens, tokens);
      if (score > bestScore || (score === bestScore && wildcards > bestWildcards)) {
        best = cluster;
        bestScore = score;
        bestWildcards = wildcards;
      }
    }
    if ((best === undefined || bestScore < threshold) && crossThreshold <= 1) {
      // Drain routes on the first tokens, so a statement that starts with a variable without digits (a host name)
      // lands in a new leaf each time. Look across the leaves of the same length, with a stricter threshold.
      for (const cluster of sameLength(tokens.length)) {
        const { score, wildcards } = similarity(cluster.tokens, tokens);
        if (score >= crossThreshold && (score > bestScore || (score === bestScore && wildcards > bestWildcards))) {
          best = cluster;
          bestScore = score;
          bestWildcards = wildcards;
        }
      }
    }
    if (best !== undefined && (bestScore >= threshold || liveClusters >= maxClusters)) {
      best.count++;
      // Most messages fit their cluster's template as it is: its text is only needed when it changes.
      let changed = false;
      for (let i = 0; i < best.tokens.length && !changed; i++)
        changed = best.tokens[i] !== tokens[i] && best.tokens[i] !== WILDCARD;
      if (changed) {
        const before = best.tokens.join(' ');
        for (let i = 0; i < best.tokens.length; i++) if (best.tokens[i] !== tokens[i]) best.tokens[i] = WILDCARD;
        const after = best.tokens.join(' ');
        const twin = byTemplate.get(after);
        if (twin !== undefined && resolve(twin) !== best) {
          // Generalising made this cluster identical to another: fold it in so one statement has one id.
          const target = resolve(twin);
          target.count += best.count;
          best.mergedInto = target;
          const home = best.leaf;
          home.clusters = home.clusters.filter((c) => c !== best);
          liveClusters--;
          byTemplate.set(before, target);
          return target.id;
        }
        byTemplate.set(after, best);
        return joinFamilies(best).id;
      }
      return best.id;
    }
    // A value not seen before at a position that a family merge already turned into a variable.
    if (tokens.length <= maxFamilyTokens) {
      for (let position = 0; position < tokens.length; position++) {
        if (tokens[position] === WILDCARD) continue;
        const parts = tokens.slice();
        parts[position] = WILDCARD;
        const general = familyTemplates.get(parts.join(' '));
        if (general !== undefined) {
          const live = resolve(general);
          live.count++;
          return live.id;
        }
      }
    }
    const cluster: Cluster = { id: `t${nextId++}`, tokens: [...tokens], count: 1, leaf };
    leaf.clusters.push(cluster);
    const peers = lengthIndex.get(tokens.length);
    if (peers === undefined) lengthIndex.set(tokens.length, [cluster]);
    else if (peers.length < maxCrossCandidates) peers.push(cluster);
    byId.set(cluster.id, cluster);
    byTemplate.set(tokens.join(' '), cluster);
    liveClusters++;
    return joinFamilies(cluster).id;
  };

  return {
    add,
    templates(): Template[] {
      const out: Template[] = [];
      for (const cluster of byId.values()) {
        if (cluster.mergedInto === undefined)
          out.push({ id: cluster.id, template: cluster.tokens.join(' '), count: cluster.count });
      }
      return out.sort((a, b) => b.count - a.count);
    },
    currentId(id: string): string {
      const cluster = byId.get(id);
      return cluster === undefined ? id : resolve(cluster).id;
    },
    templateOf(id: string): string | undefined {
      const cluster = byId.get(id);
      return cluster === undefined ? undefined : resolve(cluster).tokens.join(' ');
    },
  };
}

/**
 * Grouping accuracy (Loghub's GA): a line is correct when its parsed group holds exactly the lines of its true
 * group. Labels are opaque strings; only equality matters.
 */
export function groupingAccuracy(truth: readonly string[], parsed: readonly string[]): number {
  if (truth.length !== parsed.length) throw new RangeError('truth and parsed must have the same length');
  if (truth.length === 0) return 1;
  const trueGroups = new Map<string, number[]>();
  const parsedGroups = new Map<string, number[]>();
  truth.forEach((label, i) => {
    const group = trueGroups.get(label);
    if (group === undefined) trueGroups.set(label, [i]);
    else group.push(i);
  });
  parsed.forEach((label, i) => {
    const group = parsedGroups.get(label);
    if (group === undefined) parsedGroups.set(label, [i]);
    else group.push(i);
  });
  let correct = 0;
  for (const group of parsedGroups.values()) {
    const first = group[0];
    if (first === undefined) continue;
    const trueGroup = trueGroups.get(truth[first] ?? '');
    if (trueGroup !== undefined && trueGroup.length === group.length && group.every((i) => truth[i] === truth[first]))
      correct += group.length;
  }
  return correct / truth.length;
}
