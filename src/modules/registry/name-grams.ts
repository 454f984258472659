/**
 * Partial-name search on Chinese names: a trigram index needs word characters, and CJK
 * characters are not words to pg_trgm in every locale. We store each name's overlapping
 * two-character slices (bigrams) in a GIN-indexed array; a query's bigrams must all be
 * present (`@>`), then LIKE confirms the exact substring. Works the same on PGlite and PG15.
 */
export function normalizeForSearch(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\u200b-\u200f\u2060\ufeff]+/g, '');
}

export function nameGrams(name: string): string[] {
  const n = [...normalizeForSearch(name)];
  if (n.length === 0) return [];
  if (n.length === 1) return [n[0]];
  const set = new Set<string>();
  for (let i = 0; i + 1 < n.length; i++) set.add(n[i] + n[i + 1]);
  return [...set];
}

/** Escape LIKE wildcards so user text matches literally. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
