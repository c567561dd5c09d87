/**
 * Kubernetes label selector validation (equality- and set-based), so a bad selector is a 400 naming the field
 * instead of a Kubernetes API error that would look like a dependency failure.
 */
const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VALUE = /^(([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?)$/;

export type LabelRequirement =
  | { key: string; op: '=' | '!='; values: [string] }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists'; values: [] };

function checkKey(key: string): string | undefined {
  const slash = key.indexOf('/');
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : [undefined, key];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `invalid label key prefix "${prefix}"`;
  }
  if (!NAME.test(name) || name.length > 63) return `invalid label key "${key}"`;
  return undefined;
}

function checkValue(value: string): string | undefined {
  return value.length <= 63 && VALUE.test(value) ? undefined : `invalid label value "${value}"`;
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim());
}

/** Parses a selector; returns the requirements or a message saying what is wrong. */
export function parseLabelSelector(
  selector: string,
): { ok: true; requirements: LabelRequirement[] } | { ok: false; message: string } {
  const trimmed = selector.trim();
  if (trimmed === '') return { ok: false, message: 'must not be empty (an empty selector would match every pod)' };
  if (trimmed.length > 1024) return { ok: false, message: 'is longer than 1024 characters' };
  const requirements: LabelRequirement[] = [];
  for (const term of splitTerms(trimmed)) {
    if (term === '') return { ok: false, message: 'has an empty term' };
    let m = /^(\S+?)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) {
      const [, key = '', rawOp, value = ''] = m;
      const problem = checkKey(key) ?? checkValue(value);
      if (problem) return { ok: false, message: problem };
      requirements.push({ key, op: rawOp === '!=' ? '!=' : '=', values: [value] });
      continue;
    }
    m = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term);
    if (m) {
      const [, key = '', op, list = ''] = m;
      const values = list.split(',').map((v) => v.trim());
      const problem = checkKey(key) ?? values.map(checkValue).find((p) => p !== undefined);
      if (problem) return { ok: false, message: problem };
      requirements.push({ key, op: op === 'in' ? 'in' : 'notin', values });
      continue;
    }
    m = /^(!?)\s*(\S+)$/.exec(term);
    if (m) {
      const [, bang, key = ''] = m;
      const problem = checkKey(key);
      if (problem) return { ok: false, message: problem };
      requirements.push({ key, op: bang ? '!exists' : 'exists', values: [] });
      continue;
    }
    return { ok: false, message: `cannot parse term "${term}"` };
  }
  return { ok: true, requirements };
}

/** Whether a label set satisfies a parsed selector (used by the fake API server and the demo's simulator). */
export function matchesLabels(requirements: LabelRequirement[], labels: Record<string, string>): boolean {
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = labels[r.key];
    switch (r.op) {
      case '=':
        return has && v === r.values[0];
      case '!=':
        return !has || v !== r.values[0];
      case 'in':
        return has && r.values.includes(v ?? '');
      case 'notin':
        return !has || !r.values.includes(v ?? '');
      case 'exists':
        return has;
      case '!exists':
        return !has;
    }
  });
}
