import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CREDIT_CODE_ALPHABET,
  CREDIT_CODE_WEIGHTS,
  checkCreditCode,
  creditCodeCheckChar,
  describeCreditCodeCheck,
  isValidCreditCode,
  makeCreditCode,
} from './credit-code.ts';

const VECTORS = ['91110000101623741K', '91350100M000100Y43', '911101066976941872', '91130200699229617X'];
const CODE = '91110000101623741K';
const FC = { seed: 42, numRuns: 500 } as const;

const codes = (c: ReturnType<typeof checkCreditCode>) => c.problems.map((p) => p.code);

/** Random valid codes: any alphabet chars at 1-2 and 9-17, digits at 3-8. */
const alphabetChar = fc.constantFrom(...CREDIT_CODE_ALPHABET);
const digit = fc.constantFrom(...'0123456789');
const validCode = fc
  .tuple(fc.array(alphabetChar, { minLength: 2, maxLength: 2 }), fc.array(digit, { minLength: 6, maxLength: 6 }), fc.array(alphabetChar, { minLength: 9, maxLength: 9 }))
  .map(([a, b, c]) => makeCreditCode([...a, ...b, ...c].join('')));

describe('algorithm', () => {
  it.each(VECTORS)('test vector %s is valid', (v) => {
    expect(isValidCreditCode(v)).toBe(true);
    expect(creditCodeCheckChar(v.slice(0, 17))).toBe(v[17]);
    expect(makeCreditCode(v.slice(0, 17))).toBe(v);
    const c = checkCreditCode(v);
    expect(c).toEqual({ input: v, valid: true, normalized: v, cleanups: [], problems: [] });
  });

  it('weights are 3^(i-1) mod 31 and none is 0 mod 31 (so every single-character change is detected)', () => {
    CREDIT_CODE_WEIGHTS.forEach((w, i) => {
      expect(w).toBe(Number(3n ** BigInt(i) % 31n));
      expect(w % 31).not.toBe(0);
    });
    expect(CREDIT_CODE_ALPHABET).toHaveLength(31);
    expect(CREDIT_CODE_ALPHABET).not.toMatch(/[IOSVZ]/);
  });

  it('accepts letters at positions 1-2 (e.g. Y1) but requires digits at 3-8', () => {
    const y1 = makeCreditCode('Y1110000MA0000001');
    expect(isValidCreditCode(y1)).toBe(true);
    expect(() => makeCreditCode('91A10000101623741')).toThrow(/3-8/);
  });

  it('creditCodeCheckChar rejects characters outside the alphabet and wrong lengths', () => {
    expect(creditCodeCheckChar('9111000010162374O')).toBeUndefined();
    expect(creditCodeCheckChar('9111000010162374')).toBeUndefined();
    expect(creditCodeCheckChar('91110000101623741k')).toBeUndefined();
  });

  it('makeCreditCode throws on bad input', () => {
    expect(() => makeCreditCode('123')).toThrow(/17/);
    expect(() => makeCreditCode('9111000010162374I')).toThrow(/outside/);
  });

  it.each([
    ['91110000101623741k', 'lowercase'],
    [' 91110000101623741K', 'space'],
    ['91110000101623741J', 'wrong check'],
    ['9111000010162374K', 'short'],
    ['91110000101623741KK', 'long'],
    ['91A10000101623741K', 'letter in region'],
    ['', 'empty'],
  ])('isValidCreditCode(%j) is false (%s)', (s) => {
    expect(isValidCreditCode(s)).toBe(false);
  });
});

describe('checkCreditCode — safe clean-ups', () => {
  it.each([
    ['\u200B91110000101623741K', 'REMOVED_INVISIBLE', 'INVISIBLE_CHARACTER', 1, '\u200B'],
    ['9111\u200C0000101623741K', 'REMOVED_INVISIBLE', 'INVISIBLE_CHARACTER', 5, '\u200C'],
    ['9111\u200D0000101623741K', 'REMOVED_INVISIBLE', 'INVISIBLE_CHARACTER', 5, '\u200D'],
    ['91110000\u2060101623741K', 'REMOVED_INVISIBLE', 'INVISIBLE_CHARACTER', 9, '\u2060'],
    ['\uFEFF91110000101623741K', 'REMOVED_INVISIBLE', 'INVISIBLE_CHARACTER', 1, '\uFEFF'],
    ['9111\u00AD0000101623741K', 'REMOVED_INVISIBLE', 'INVISIBLE_CHARACTER', 5, '\u00AD'],
    ['\u200E91110000101623741K\u200F', 'REMOVED_INVISIBLE', 'INVISIBLE_CHARACTER', 1, '\u200E'],
    ['\u202A91110000101623741K\u202C', 'REMOVED_INVISIBLE', 'INVISIBLE_CHARACTER', 1, '\u202A'],
    ['\u202E91110000101623741K', 'REMOVED_INVISIBLE', 'INVISIBLE_CHARACTER', 1, '\u202E'],
    ['  91110000101623741K\t', 'TRIMMED_WHITESPACE', 'WHITESPACE', 1, ' '],
    ['\u300091110000101623741K', 'TRIMMED_WHITESPACE', 'WHITESPACE', 1, '\u3000'],
    ['91110000101623741K\u00A0', 'TRIMMED_WHITESPACE', 'WHITESPACE', 19, '\u00A0'],
    ['9111 0000 1016 2374 1K', 'REMOVED_WHITESPACE', 'WHITESPACE', 5, ' '],
    ['91-110000-101623741-K', 'REMOVED_SEPARATORS', 'SEPARATOR', 3, '-'],
    ['91_110000_101623741K', 'REMOVED_SEPARATORS', 'SEPARATOR', 3, '_'],
    ['91.110000.101623741K', 'REMOVED_SEPARATORS', 'SEPARATOR', 3, '.'],
    ['91\u2014110000101623741K', 'REMOVED_SEPARATORS', 'SEPARATOR', 3, '\u2014'],
    ['91110000101623741k', 'UPPERCASED', 'LOWERCASE', 18, 'k'],
    ['９１１１００００１０１６２３７４１Ｋ', 'FULLWIDTH_TO_HALFWIDTH', 'FULLWIDTH', 1, '９'],
    ['91110000101623741K（总公司）', 'REMOVED_BRACKET_SUFFIX', 'BRACKET_SUFFIX', 19, '（'],
    ['91110000101623741K(1)', 'REMOVED_BRACKET_SUFFIX', 'BRACKET_SUFFIX', 19, '('],
    ['91110000101623741K 【分支机构】', 'REMOVED_BRACKET_SUFFIX', 'BRACKET_SUFFIX', 20, '【'],
    ["'91110000101623741K", 'REMOVED_QUOTES', 'QUOTES', 1, "'"],
    ['"91110000101623741K"', 'REMOVED_QUOTES', 'QUOTES', 1, '"'],
  ])('%j → normalized, cleanup %s, problem %s at %i', (input, cleanup, problem, position, char) => {
    const c = checkCreditCode(input);
    expect(c.valid).toBe(false);
    expect(c.normalized).toBe(CODE);
    expect(c.cleanups.map((x) => x.code)).toContain(cleanup);
    const p = c.problems.find((x) => x.code === problem);
    expect(p).toMatchObject({ position, char });
    expect(p?.zh).toMatch(new RegExp(`第${position}个字符`));
    expect(p?.en).toMatch(new RegExp(`character ${position}\\b`));
    // Every problem of a normalised code is an input-level one (nothing wrong with the code itself).
    expect(codes(c).every((x) => !['CHECK_MISMATCH', 'WRONG_LENGTH', 'FORBIDDEN_LETTER', 'INVALID_CHARACTER'].includes(x))).toBe(true);
  });

  it('names invisible characters by name and code point', () => {
    const c = checkCreditCode('9111\u200B0000101623741K');
    const p = c.problems.find((x) => x.code === 'INVISIBLE_CHARACTER');
    expect(p?.zh).toBe('第5个字符是零宽空格（U+200B）');
    expect(p?.en).toBe('character 5 is an invisible zero-width space (U+200B)');
  });

  it('handles everything at once, in any combination', () => {
    const c = checkCreditCode(' \uFEFF9111-0000 1016\u200B2374１ｋ（总公司） ');
    expect(c.normalized).toBe(CODE);
    expect(c.valid).toBe(false);
    expect(c.cleanups.map((x) => x.code).sort()).toEqual(
      ['FULLWIDTH_TO_HALFWIDTH', 'REMOVED_BRACKET_SUFFIX', 'REMOVED_INVISIBLE', 'REMOVED_SEPARATORS', 'REMOVED_WHITESPACE', 'TRIMMED_WHITESPACE', 'UPPERCASED'].sort(),
    );
    expect(codes(c)).toEqual(expect.arrayContaining(['INVISIBLE_CHARACTER', 'WHITESPACE', 'SEPARATOR', 'FULLWIDTH', 'LOWERCASE', 'BRACKET_SUFFIX']));
  });

  it('does not normalise when the cleaned code is still invalid, but lists the clean-ups tried', () => {
    const c = checkCreditCode(' 911100001016237413 ');
    expect(c.normalized).toBeUndefined();
    expect(c.cleanups.map((x) => x.code)).toEqual(['TRIMMED_WHITESPACE']);
    expect(codes(c)).toEqual(['WHITESPACE', 'CHECK_MISMATCH']);
  });
});

describe('checkCreditCode — problems', () => {
  it('EMPTY for empty, whitespace-only and invisible-only input', () => {
    for (const s of ['', '   ', '\u200B\u200B', '\u3000', '-']) {
      const c = checkCreditCode(s);
      expect(c.valid).toBe(false);
      expect(c.normalized).toBeUndefined();
      expect(codes(c)).toContain('EMPTY');
    }
    // A bracketed note with nothing before it is not a suffix: it is reported as invalid characters.
    expect(codes(checkCreditCode('（总公司）'))).toContain('INVALID_CHARACTER');
  });

  it('WRONG_LENGTH says the actual length', () => {
    const short = checkCreditCode('9111000010162374');
    expect(short.problems).toEqual([expect.objectContaining({ code: 'WRONG_LENGTH' })]);
    expect(short.problems[0].zh).toContain('16');
    expect(short.problems[0].en).toBe('length is 16, expected 18');
    const long = checkCreditCode('91110000101623741K1');
    expect(long.problems[0].en).toBe('length is 19, expected 18');
  });

  it.each([
    ['O', '0', 'probably the digit 0', '可能应为数字0'],
    ['I', '1', 'probably the digit 1', '可能应为数字1'],
    ['Z', '2', 'probably the digit 2', '可能应为数字2'],
    ['S', '5', 'probably the digit 5', '可能应为数字5'],
    ['V', 'U', 'probably the letter U or Y', '可能应为字母U或Y'],
  ])('FORBIDDEN_LETTER %s is reported with a hint and never replaced', (letter, _likely, en, zh) => {
    const input = `91110000${letter}01623741K`;
    const c = checkCreditCode(input);
    expect(c.normalized).toBeUndefined();
    const p = c.problems.find((x) => x.code === 'FORBIDDEN_LETTER');
    expect(p).toMatchObject({ position: 9, char: letter });
    expect(p?.en).toContain(`position 9 is the letter ${letter}`);
    expect(p?.en).toContain(en);
    expect(p?.zh).toContain(`第9位是字母${letter}`);
    expect(p?.zh).toContain(zh);
  });

  it('FORBIDDEN_LETTER: lowercase o is uppercased and then reported; the O→0 correction is suggested, not applied', () => {
    const c = checkCreditCode('9111oooo1o1623741K');
    expect(c.normalized).toBeUndefined();
    expect(codes(c).filter((x) => x === 'FORBIDDEN_LETTER')).toHaveLength(5);
    expect(c.problems.find((x) => x.code === 'FORBIDDEN_LETTER')?.en).toContain(`corrected to ${CODE} the code passes the check`);
    expect(codes(c)).toContain('LOWERCASE');
  });

  it('INVALID_CHARACTER names position, character and code point', () => {
    const c = checkCreditCode('9111000010162374/K');
    const p = c.problems.find((x) => x.code === 'INVALID_CHARACTER');
    expect(p).toMatchObject({ position: 17, char: '/' });
    expect(p?.en).toBe("position 17 has the invalid character '/' (U+002F)");
    expect(p?.zh).toBe('第17位是无效字符“/”（U+002F）');
    // A Cyrillic О looks like O/0 but is a different character.
    const cyr = checkCreditCode('9111000010162374\u041EK');
    expect(cyr.problems.find((x) => x.code === 'INVALID_CHARACTER')?.en).toContain('U+041E');
  });

  it('REGION_NOT_DIGITS for letters at positions 3-8 only', () => {
    const c = checkCreditCode('91A1000010162374AK');
    const p = c.problems.filter((x) => x.code === 'REGION_NOT_DIGITS');
    expect(p).toEqual([expect.objectContaining({ position: 3, char: 'A' })]);
    expect(p[0].en).toContain('positions 3-8');
    // Letters at 1-2 are fine.
    expect(codes(checkCreditCode(makeCreditCode('Y1110000MA0000001')))).toEqual([]);
  });

  it('CHECK_MISMATCH says expected and actual', () => {
    const c = checkCreditCode('911100001016237413');
    expect(c.problems).toEqual([
      { code: 'CHECK_MISMATCH', position: 18, char: '3', zh: '校验码不符：应为K，实际为3', en: 'check character mismatch: expected K, got 3' },
    ]);
    expect(describeCreditCodeCheck(c, 'en')).toBe('check character mismatch: expected K, got 3');
    expect(describeCreditCodeCheck(c, 'zh')).toBe('校验码不符：应为K，实际为3');
  });

  it('caps per-character problems and summarises the rest', () => {
    const c = checkCreditCode('\u200B'.repeat(50) + CODE);
    expect(c.normalized).toBe(CODE);
    const inv = c.problems.filter((x) => x.code === 'INVISIBLE_CHARACTER');
    expect(inv).toHaveLength(11);
    expect(inv[10].en).toBe('40 more of the same kind');
  });
});

describe('describeCreditCodeCheck', () => {
  it('valid', () => {
    expect(describeCreditCodeCheck(checkCreditCode(CODE), 'en')).toBe('valid credit code');
    expect(describeCreditCodeCheck(checkCreditCode(CODE), 'zh')).toBe('统一社会信用代码有效');
  });
  it('valid after clean-up names the result and the clean-ups', () => {
    const d = describeCreditCodeCheck(checkCreditCode(' 91110000101623741k'), 'en');
    expect(d).toBe(`valid after clean-up: ${CODE} (trimmed surrounding whitespace, converted lowercase letters to uppercase)`);
    expect(describeCreditCodeCheck(checkCreditCode(' 91110000101623741k'), 'zh')).toContain(`清理后有效：${CODE}`);
  });
  it('invalid puts code-level reasons first and stays on one line', () => {
    const d = describeCreditCodeCheck(checkCreditCode(' 9111000010162374 '), 'en');
    expect(d).toBe('length is 16, expected 18');
    expect(describeCreditCodeCheck(checkCreditCode('\u200B\n911100001016237413\r\n'), 'zh')).not.toMatch(/\n/);
  });
});

describe('properties', () => {
  it('any single-character change of a valid code is detected', () => {
    fc.assert(
      fc.property(validCode, fc.nat(17), alphabetChar, (code, pos, ch) => {
        fc.pre(code[pos] !== ch);
        const mutated = code.slice(0, pos) + ch + code.slice(pos + 1);
        expect(isValidCreditCode(mutated)).toBe(false);
        expect(checkCreditCode(mutated).normalized).toBeUndefined();
      }),
      FC,
    );
  });

  it('exhaustively: every single-character change of the test vectors is detected', () => {
    for (const v of VECTORS) {
      for (let pos = 0; pos < 18; pos++) {
        for (const ch of CREDIT_CODE_ALPHABET) {
          if (ch === v[pos]) continue;
          expect(isValidCreditCode(v.slice(0, pos) + ch + v.slice(pos + 1))).toBe(false);
        }
      }
    }
  });

  const noise = fc.constantFrom('\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u200E', '\u200F', '\u202A', '\u202E', ' ', '\u3000', '\u00A0', '\t', '-', '_', '.', '\u2014');
  it('wrapping a valid code in invisible characters, spaces, dashes and lowercase normalises back to it', () => {
    fc.assert(
      fc.property(
        validCode,
        fc.array(fc.tuple(fc.nat(18), noise), { minLength: 1, maxLength: 12 }),
        fc.array(fc.boolean(), { minLength: 18, maxLength: 18 }),
        fc.array(fc.boolean(), { minLength: 18, maxLength: 18 }),
        fc.constantFrom('', '（总公司）', '(1)', ' [分公司]'),
        (code, inserts, lower, full, note) => {
          const chars: string[] = [...code].map((c, i) => {
            let x = lower[i] ? c.toLowerCase() : c;
            if (full[i]) x = String.fromCharCode(x.charCodeAt(0) + 0xfee0);
            return x;
          });
          // Insert from the back so earlier indexes stay meaningful.
          for (const [at, n] of [...inserts].sort((a, b) => b[0] - a[0])) chars.splice(at, 0, n);
          const messy = chars.join('') + note;
          const c = checkCreditCode(messy);
          expect(c.valid).toBe(false);
          expect(c.normalized).toBe(code);
          expect(c.cleanups.length).toBeGreaterThan(0);
        },
      ),
      FC,
    );
  });

  it('with a bracketed note too', () => {
    fc.assert(
      fc.property(validCode, fc.constantFrom('（总公司）', '(1)', ' [分公司]', '【注】 '), fc.constantFrom('', ' ', '\u200B'), (code, note, pad) => {
        const c = checkCreditCode(pad + code.toLowerCase() + note + pad);
        expect(c.valid).toBe(false);
        expect(c.normalized).toBe(code);
        expect(c.cleanups.map((x) => x.code)).toContain('REMOVED_BRACKET_SUFFIX');
      }),
      FC,
    );
  });

  it('never throws on arbitrary strings, and its invariants hold', () => {
    const check = (s: string) => {
      const c = checkCreditCode(s);
      expect(c.input).toBe(s);
      expect(c.valid).toBe(isValidCreditCode(s));
      if (c.valid) expect(c.normalized).toBe(s);
      if (c.normalized !== undefined) {
        expect(isValidCreditCode(c.normalized)).toBe(true);
        expect(c.normalized).toMatch(/^[0-9A-Z]{18}$/); // so no invisible character survives
      } else {
        expect(c.problems.length).toBeGreaterThan(0);
      }
      for (const lang of ['zh', 'en'] as const) expect(typeof describeCreditCodeCheck(c, lang)).toBe('string');
    };
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), check), FC);
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), check), FC);
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...CREDIT_CODE_ALPHABET, 'o', 'I', ' ', '\u200B', '-', '（', '）', 'ａ'), minLength: 15, maxLength: 22 }), check), FC);
  });

  it('valid codes pass through unchanged', () => {
    fc.assert(
      fc.property(validCode, (code) => {
        expect(checkCreditCode(code)).toEqual({ input: code, valid: true, normalized: code, cleanups: [], problems: [] });
      }),
      FC,
    );
  });
});
