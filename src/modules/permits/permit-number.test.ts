import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analysePermitNumber, formatPermitNumber } from './permit-number.ts';
import { makeCreditCode } from '../registry/index.ts';

const codes = (a: ReturnType<typeof analysePermitNumber>) => a.findings.map((f) => f.code);

describe('permit numbers', () => {
  it('reads the standard example (HJ 608-2017 Appendix A) as clean', () => {
    const a = analysePermitNumber('91130200699229617X001P');
    expect(a).toMatchObject({ number: '91130200699229617X001P', stem: '91130200699229617X', stemKind: 'credit-code', siteSeq: 1, letter: 'P', doubtful: false });
    expect(a.findings).toEqual([]);
  });

  it('accepts other letters, noting only that they differ from the example', () => {
    const a = analysePermitNumber('91130200699229617X002V');
    expect(a).toMatchObject({ siteSeq: 2, letter: 'V', doubtful: false });
    expect(codes(a)).toEqual(['LETTER_UNUSUAL']);
  });

  it('accepts stand-in codes of units without a credit code, keeping their lower-case letter', () => {
    const a = analysePermitNumber('H9330106000012345a001p');
    expect(a).toMatchObject({ number: 'H9330106000012345a001P', stemKind: 'stand-in', siteSeq: 1, letter: 'P', doubtful: false });
    expect(codes(a)).toEqual(['LOWER_CASE', 'STAND_IN_CODE']);
  });

  it('cleans what copying from a web page adds, and says so', () => {
    const a = analysePermitNumber(' ９１１３０２００６９９２２９６１７Ｘ００１Ｐ\u200b');
    expect(a.number).toBe('91130200699229617X001P');
    expect(a.doubtful).toBe(false);
    expect(codes(a)).toEqual(['CLEANED']);
  });

  it('flags, but still reads, what looks wrong', () => {
    // check character of the credit code does not match
    let a = analysePermitNumber('91130200699229617Y001P');
    expect(a).toMatchObject({ doubtful: true, siteSeq: 1, letter: 'P' });
    expect(codes(a)).toContain('CREDIT_CODE_DOUBTFUL');
    expect(a.findings.find((f) => f.code === 'CREDIT_CODE_DOUBTFUL')!.zh).toContain('统一社会信用代码');
    a = analysePermitNumber('91130200699229617X000P');
    expect(codes(a)).toEqual(['SITE_SEQUENCE_ZERO']);
    expect(a.doubtful).toBe(true);
    a = analysePermitNumber('91130200699229617X001');
    expect(a).toMatchObject({ doubtful: true, stem: null });
    expect(codes(a)).toEqual(['LENGTH', 'UNRECOGNIZED']);
    a = analysePermitNumber('91130200699229617X0A1P');
    expect(codes(a)).toContain('SITE_SEQUENCE_NOT_DIGITS');
    a = analysePermitNumber('91130200699229617X001PQ');
    expect(codes(a)).toEqual(['LENGTH']);
  });

  it('refuses only an empty number', () => {
    expect(() => analysePermitNumber('')).toThrow(/empty/);
    expect(() => analysePermitNumber(' \u200b ')).toThrow(/empty/);
  });

  it('formats what the platform would issue, and refuses impossible parts', () => {
    expect(formatPermitNumber('91130200699229617X', 12, 'P')).toBe('91130200699229617X012P');
    expect(() => formatPermitNumber('91130200699229617X', 0, 'P')).toThrow();
    expect(() => formatPermitNumber('91130200699229617X', 1000, 'P')).toThrow();
    expect(() => formatPermitNumber('91130200699229617X', 1, 'p')).toThrow();
    expect(() => formatPermitNumber('9113', 1, 'P')).toThrow();
  });

  it('never throws on a non-empty string, and reads back every number it formats', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }), (s) => {
        if (!s.normalize('NFKC').replace(/[\s\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/gu, '')) return;
        const a = analysePermitNumber(s);
        expect(a.doubtful).toBe(a.findings.some((f) => f.severity === 'warning'));
      }),
      { seed: 7, numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^9[1-3]\d{6}[0-9A-HJ-NPQRTUWXY]{9}$/), fc.integer({ min: 1, max: 999 }), fc.constantFrom(...'PVUWXYZ'), (body, seq, letter) => {
        const stem = makeCreditCode(body);
        const a = analysePermitNumber(formatPermitNumber(stem, seq, letter));
        expect(a).toMatchObject({ stem, stemKind: 'credit-code', siteSeq: seq, letter, doubtful: false });
      }),
      { seed: 8, numRuns: 500 },
    );
  });
});
