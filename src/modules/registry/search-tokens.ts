import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
/**
 * The unit list is searched through one GIN-indexed array per unit, `search_tokens`:
 *
 * - the name's overlapping two-character slices (bigrams). pg_trgm does not index CJK
 *   characters in every locale; bigrams work the same on PGlite and PostgreSQL 15. A query's
 *   bigrams must all be present (`@>`), then LIKE confirms the exact substring.
 * - facet tokens for the usual filters — every prefix of the region code (jurisdiction and
 *   region filter), of the industry code, the management category and the status — so that
 *   "region prefix + partial name + industry" is one index lookup that returns only real
 *   candidates, instead of all units whose name shares a common fragment.
 *
 * Bigrams are 1–2 characters long and facet tokens at least 4 (`#r33`), so they never collide.
 */
export function normalizeForSearch(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\u0000-\u001f\u007f\u200b-\u200f\u2060\ufeff]+/g, '');
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

/**
 * Bigrams of company-name boilerplate (有限公司, 股份, 集团, 分公司, 厂…) occur in most names, so
 * their posting lists are nearly the whole table: looking them up costs more than it narrows.
 * A search leaves them out of the index lookup; LIKE still checks the whole text.
 */
export const COMMON_NAME_GRAMS = new Set(nameGrams('有限公司').concat(nameGrams('有限责任公司'), nameGrams('股份有限'), nameGrams('集团'), nameGrams('分公司')));

export const facet = {
  region: (prefix: string) => `#r${prefix}`,
  industry: (prefix: string) => `#i${prefix}`,
  category: (c: string) => `#c${c}`,
  status: (s: string) => `#s${s}`,
};

/** Every token stored for a unit (see the note at the top). */
export function unitSearchTokens(u: { name: string; regionCode: string; industryCode: string; managementCategory?: string | null; status: string }): string[] {
  const tokens = nameGrams(u.name);
  for (const n of [2, 4, 6]) if (u.regionCode.length >= n) tokens.push(facet.region(u.regionCode.slice(0, n)));
  for (const n of [2, 3, 4]) if (u.industryCode.length >= n) tokens.push(facet.industry(u.industryCode.slice(0, n)));
  if (u.managementCategory) tokens.push(facet.category(u.managementCategory));
  tokens.push(facet.status(u.status));
  return tokens;
}

/** A jurisdiction filter: the region code (or pool region) starts with the prefix; '' is everywhere. */
export function regionPrefixIs(column: AnyColumn, prefix: string): SQL {
  return prefix ? sql`${column} like ${escapeLike(prefix) + '%'}` : sql`true`;
}
