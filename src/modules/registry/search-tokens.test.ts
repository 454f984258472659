import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { escapeLike, nameGrams, normalizeForSearch, unitSearchTokens } from './search-tokens.ts';

describe('name grams', () => {
  it('splits names into overlapping pairs', () => {
    expect(nameGrams('宏达印染')).toEqual(['宏达', '达印', '印染']);
    expect(nameGrams('宏')).toEqual(['宏']);
    expect(nameGrams(' ')).toEqual([]);
  });
  it('finds every substring of two or more characters by its grams', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 2, maxLength: 20 }), fc.nat(), fc.nat(), (name, a, b) => {
        const n = [...normalizeForSearch(name)];
        if (n.length < 2) return;
        const i = a % (n.length - 1);
        const j = i + 2 + (b % (n.length - i - 1));
        const needle = n.slice(i, j).join('');
        const all = new Set(nameGrams(name));
        for (const g of nameGrams(needle)) expect(all.has(g)).toBe(true);
      }),
      { seed: 42 },
    );
  });
  it('escapes LIKE wildcards', () => {
    expect(escapeLike('100%_a\\b')).toBe('100\\%\\_a\\\\b');
  });
});

describe('unit search tokens', () => {
  it('adds facet tokens that never collide with name bigrams', () => {
    const t = unitSearchTokens({ name: '#r33印染', regionCode: '330106', industryCode: '1713', managementCategory: 'key', status: 'active' });
    expect(t).toEqual(expect.arrayContaining(['#r', 'r3', '印染', '#r33', '#r3301', '#r330106', '#i17', '#i171', '#i1713', '#ckey', '#sactive']));
    expect(nameGrams('#r33印染').every((g) => g.length <= 2)).toBe(true);
  });
});
