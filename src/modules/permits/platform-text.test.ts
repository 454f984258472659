import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalStandard, canonicalStandards, parseCoordinate, parseDay, parseLimit, parseValidity } from './platform-text.ts';

describe('standards named in free text', () => {
  it('resolve to one standard each', () => {
    for (const s of ['GB16297-1996', 'GB 16297-1996', 'GB  16297—1996', 'ＧＢ１６２９７－１９９６', '《大气污染物综合排放标准》（GB16297-1996）', 'gb 16297-1996']) expect(canonicalStandard(s), s).toBe('GB 16297-1996');
    for (const s of ['DB37/ 3416.1-2018', 'DB37/3416.1-2018', 'DB 37/3416.1—2018', '山东省区域性大气污染物综合排放标准 DB37/ 3416.1-2018']) expect(canonicalStandard(s), s).toBe('DB37/3416.1-2018');
    expect(canonicalStandard('GB/T 16157-1996')).toBe('GB/T 16157-1996');
    expect(canonicalStandard('DB37/T 2374-2018')).toBe('DB37/T 2374-2018');
    expect(canonicalStandard('HJ944-2018')).toBe('HJ 944-2018');
    expect(canonicalStandard('锅炉大气污染物排放标准')).toBeUndefined();
    expect(canonicalStandards('GB 13271-2014、DB33/ 2147-2018；GB13271-2014')).toEqual(['GB 13271-2014', 'DB33/2147-2018']);
  });

  it('property: spacing, width and dash variants never change the result', () => {
    const prefix = fc.constantFrom('GB', 'GB/T', 'HJ', 'DB33', 'DB37');
    fc.assert(
      fc.property(prefix, fc.integer({ min: 1, max: 99999 }), fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }), fc.integer({ min: 1980, max: 2030 }), fc.constantFrom('', ' ', '  '), fc.constantFrom('-', '—', '－', '–'), fc.boolean(), (p, n, part, year, space, dash, wide) => {
        const number = part === undefined ? `${n}` : `${n}.${part}`;
        const plain = `${p.startsWith('DB') ? `${p}/` : `${p} `}${number}-${year}`;
        let variant = `${p}${p.startsWith('DB') ? '/' : ''}${space}${number}${dash}${year}`;
        if (wide) variant = variant.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
        expect(canonicalStandard(variant)).toBe(canonicalStandard(plain));
        expect(canonicalStandard(`《某排放标准》（${variant}）`)).toBe(canonicalStandard(plain));
      }),
      { seed: 4915, numRuns: 500 },
    );
  });
});

describe('coordinates in decimal or 度分秒', () => {
  it('reads the forms the platform uses', () => {
    expect(parseCoordinate('120.123456', 'longitude')).toEqual({ ok: true, value: 120.123456 });
    expect(parseCoordinate('E120°07′24.44″', 'longitude')).toEqual({ ok: true, value: 120.123456 });
    expect(parseCoordinate('120度07分24.44秒', 'longitude')).toEqual({ ok: true, value: 120.123456 });
    expect(parseCoordinate('30:15:00', 'latitude')).toEqual({ ok: true, value: 30.25 });
    expect(parseCoordinate('30°15′', 'latitude')).toEqual({ ok: true, value: 30.25 });
    expect(parseCoordinate('200.1', 'longitude').ok).toBe(false);
    expect(parseCoordinate('120°75′', 'longitude').ok).toBe(false);
    expect(parseCoordinate('东经', 'longitude').ok).toBe(false);
  });

  it('property: degrees, minutes and seconds read back to the decimal they were written from', () => {
    fc.assert(
      fc.property(fc.integer({ min: 73_000_000, max: 135_999_999 }), (micro) => {
        const x = micro / 1e6;
        const d = Math.floor(x);
        const m = Math.floor((x - d) * 60);
        const s = ((x - d) * 60 - m) * 60;
        const text = `${d}°${String(m).padStart(2, '0')}′${s.toFixed(4)}″`;
        const r = parseCoordinate(text, 'longitude');
        expect(r.ok).toBe(true);
        if (r.ok) expect(Math.abs(r.value - x)).toBeLessThan(2e-6);
      }),
      { seed: 212, numRuns: 1000 },
    );
  });
});

describe('dates, validity and limits as written', () => {
  it('reads validity periods and refuses impossible ones', () => {
    expect(parseValidity('2021-01-01至2026-01-01')).toEqual({ ok: true, value: { from: '2021-01-01', to: '2026-01-01' } });
    expect(parseValidity('自2021年1月1日起至2025年12月31日止')).toEqual({ ok: true, value: { from: '2021-01-01', to: '2025-12-31' } });
    expect(parseValidity('2021/01/01 ~ 2026/01/01').ok).toBe(true);
    expect(parseValidity('2026-01-01至2021-01-01').ok).toBe(false);
    expect(parseValidity('2021-02-30至2026-01-01').ok).toBe(false);
    expect(parseValidity('长期').ok).toBe(false);
    expect(parseDay('20210101')).toEqual({ ok: true, value: '2021-01-01' });
  });

  it('reads limits with their direction; "/" is no limit, never zero', () => {
    expect(parseLimit('≤50', 'mg/m3')).toEqual({ ok: true, value: { direction: 'max', value: 50, unit: 'mg/m3' } });
    expect(parseLimit('50', 'mg/m3')).toEqual({ ok: true, value: { direction: 'max', value: 50, unit: 'mg/m3' } });
    expect(parseLimit('≥850', '℃')).toEqual({ ok: true, value: { direction: 'min', value: 850, unit: '℃' } });
    expect(parseLimit('6~9', 'pH')).toEqual({ ok: true, value: { direction: 'range', low: 6, high: 9, unit: 'pH' } });
    expect(parseLimit('6-9', 'pH')).toEqual({ ok: true, value: { direction: 'range', low: 6, high: 9, unit: 'pH' } });
    for (const none of ['/', '—', '-', '无', '']) expect(parseLimit(none, 'mg/m3')).toEqual({ ok: true, value: undefined });
    expect(parseLimit('0', 'mg/m3').ok).toBe(false);
    expect(parseLimit('9-6', 'pH').ok).toBe(false);
    expect(parseLimit('about 50', 'mg/m3').ok).toBe(false);
  });
});
