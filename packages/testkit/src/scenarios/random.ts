/** A seeded PRNG (mulberry32) and helpers, so the corpus is identical on every run and machine. */
export interface Rng {
  next(): number;
  int(min: number, maxInclusive: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
  hex(length: number): string;
  chars(alphabet: string, length: number): string;
  uuid(): string;
}

export function seedFrom(text: string): number {
  // FNV-1a: spreads similar seeds (scenario ids) far apart.
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function createRng(seed: number | string): Rng {
  let state = typeof seed === 'string' ? seedFrom(seed) : seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, maxInclusive: number): number => min + Math.floor(next() * (maxInclusive - min + 1));
  const chars = (alphabet: string, length: number): string => {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[int(0, alphabet.length - 1)];
    return out;
  };
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T,
    chance: (probability) => next() < probability,
    hex: (length) => chars('0123456789abcdef', length),
    chars,
    uuid: () =>
      `${chars('0123456789abcdef', 8)}-${chars('0123456789abcdef', 4)}-4${chars('0123456789abcdef', 3)}-${chars('89ab', 1)}${chars('0123456789abcdef', 3)}-${chars('0123456789abcdef', 12)}`,
  };
}

/** The alphabet Kubernetes uses for generated name suffixes and pod-template hashes. */
export const KUBE_SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
