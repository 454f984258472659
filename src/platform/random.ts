/**
 * Seeded randomness. Draws that must be reproducible (a review sample, a 双随机 draw, the demo)
 * take a seed, record it, and give the same result for the same seed and input.
 */

/** mulberry32: small, fast, seedable; the same seed gives the same sequence on every machine. */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    weighted: <T extends { weight: number }>(xs: readonly T[]): T => {
      const total = xs.reduce((s, x) => s + x.weight, 0);
      let r = next() * total;
      for (const x of xs) if ((r -= x.weight) < 0) return x;
      return xs[xs.length - 1];
    },
  };
}

/** Fisher–Yates over a copy, driven by a seeded generator: the first k of the result are a uniform sample. */
export function shuffled<T>(xs: readonly T[], next: () => number): T[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
