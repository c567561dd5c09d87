/**
 * Free-text questions ("is the canary of rollout checkout in shop healthy?") turned into the same fields as the
 * metric-ai plugin's `context`, so both input forms go through one validation (`toAnalysisRequest`).
 * The parser only extracts; it never validates or fills defaults.
 */
import { parsePluginPrompt } from '@aiops/contracts';

export interface TextRequestFields {
  namespace?: string;
  rolloutName?: string;
  stableSelector?: string;
  canarySelector?: string;
  extraPrompt?: string;
  repoUrl?: string;
  baseBranch?: string;
}

const NAME = '[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?';
/** Words that follow "rollout" in a sentence but are not its name. */
const NOT_A_NAME = new Set([
  'in',
  'of',
  'for',
  'the',
  'named',
  'called',
  'is',
  'on',
  'namespace',
  'with',
  'canary',
  'stable',
]);

/** A selector token: quoted (may contain spaces, e.g. `tier in (a,b)`) or up to the next whitespace. */
const SELECTOR = String.raw`(?:"([^"]+)"|'([^']+)'|\x60([^\x60]+)\x60|(\S+))`;

function selectorAfter(text: string, lead: string): string | undefined {
  const m = new RegExp(`${lead}\\s*(?:[:=]\\s*|\\s)\\s*${SELECTOR}`, 'i').exec(text);
  if (!m) return undefined;
  const raw = m[1] ?? m[2] ?? m[3] ?? m[4];
  // Sentence punctuation after an unquoted selector is not part of it.
  return raw?.replace(/[?!.,;:]+$/, '') || undefined;
}

export function parseTextRequest(text: string): TextRequestFields {
  const out: TextRequestFields = {};
  // The plugin's own prompt, when a caller forwards it verbatim.
  const plugin = parsePluginPrompt(text);
  Object.assign(out, plugin);

  const namespaceWord = new RegExp(`\\b(?:namespace|ns)\\s*[:=]?\\s*['"]?(${NAME})`, 'i').exec(text)?.[1];
  // "rollout shop/checkout"
  const qualified = new RegExp(`\\brollout\\s+['"]?(${NAME})/(${NAME})`, 'i').exec(text);
  let rolloutName = qualified?.[2];
  let namespace = namespaceWord ?? qualified?.[1];
  if (!rolloutName) {
    const re = new RegExp(`\\brollout(?:\\s+(?:named|called))?\\s+['"]?(${NAME})`, 'gi');
    for (const m of text.matchAll(re)) {
      const candidate = m[1];
      if (candidate && !NOT_A_NAME.has(candidate.toLowerCase())) {
        rolloutName = candidate;
        break;
      }
    }
  }
  // "rollout checkout in shop": the word after "in" is the namespace when nothing else named one.
  if (!namespace && rolloutName) {
    const m = new RegExp(`\\b${rolloutName.replace(/\./g, '\\.')}['"]?\\s+in\\s+(?:the\\s+)?['"]?(${NAME})`, 'i').exec(
      text,
    );
    const candidate = m?.[1];
    if (candidate && !NOT_A_NAME.has(candidate.toLowerCase())) namespace = candidate;
  }
  if (!namespace) {
    const m = new RegExp(`\\bin\\s+(${NAME})\\s+namespace\\b`, 'i').exec(text);
    if (m?.[1]) namespace = m[1];
  }
  if (namespace) out.namespace = namespace.toLowerCase();
  if (rolloutName) out.rolloutName = rolloutName.toLowerCase();

  const canary = selectorAfter(text, String.raw`\bcanary\s+(?:label\s+)?selector`);
  const stable = selectorAfter(text, String.raw`\bstable\s+(?:label\s+)?selector`);
  if (canary) out.canarySelector = canary;
  if (stable) out.stableSelector = stable;
  // Workload diagnosis: "diagnose pods with selector app=api in namespace prod" — the pods to look at are the
  // "canary" side of the comparison.
  if (!out.canarySelector && !out.stableSelector) {
    const generic = selectorAfter(
      text,
      String.raw`\b(?:pods\s+(?:with\s+|matching\s+)?(?:label\s+)?selector|pods\s+matching|(?:label\s+)?selector)`,
    );
    if (generic) out.canarySelector = generic;
  }

  const repo = /\bhttps?:\/\/[^\s"'<>]+/i.exec(text)?.[0]?.replace(/[?!.,;:)]+$/, '');
  if (repo) out.repoUrl = repo;
  const branch = /\b(?:base\s+)?branch\s*[:=]?\s*['"]?([A-Za-z0-9._/-]+)/i.exec(text)?.[1]?.replace(/[.,;:]+$/, '');
  if (branch) out.baseBranch = branch;
  return out;
}
