import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ValidationError } from './errors.ts';
import { chinaDate, chinaWorkCalendar, civilDate, dayNumber, WorkCalendar } from './work-calendar.ts';

const cal = chinaWorkCalendar();

describe('the working-day calendar', () => {
  it('comes from the chinese-days data and covers 2004 to at least 2026', () => {
    expect(cal.source).toMatch(/^chinese-days@\d+\.\d+\.\d+$/);
    expect(cal.firstYear).toBe(2004);
    expect(cal.lastYear).toBeGreaterThanOrEqual(2026);
  });

  it('knows holidays, moved workdays and weekends (2026, as published by the State Council)', () => {
    expect(cal.day('2026-10-01')).toMatchObject({ working: false, kind: 'holiday', holiday: '国庆节' });
    expect(cal.day('2026-10-10')).toMatchObject({ working: true, kind: 'moved-workday' }); // a Saturday
    expect(cal.day('2026-09-20')).toMatchObject({ working: true, kind: 'moved-workday' }); // a Sunday
    expect(cal.day('2026-02-17')).toMatchObject({ working: false, kind: 'holiday', holiday: '春节' });
    expect(cal.day('2026-11-28')).toMatchObject({ working: false, kind: 'weekend' });
    expect(cal.day('2026-11-30')).toMatchObject({ working: true, kind: 'weekday', approximate: false });
  });

  // Counted by hand on the 2026 calendar: the start day is not counted.
  it.each([
    // 9-29, 9-30, (10-1…10-7 National Day), 10-8, 10-9, 10-10 (Saturday worked), 10-12 … 10-30
    ['2026-09-28', 20, 'working', '2026-10-30', false],
    // 2-11, 2-12, 2-13, 2-14 (Saturday worked), (2-15…2-23 Spring Festival), 2-24
    ['2026-02-10', 5, 'working', '2026-02-24', false],
    ['2026-09-30', 1, 'working', '2026-10-08', false],
    ['2026-11-27', 1, 'working', '2026-11-30', false], // Friday → Monday
    // calendar days: the 20th day is 10-1, a holiday; the period ends on the next working day
    ['2026-09-11', 20, 'calendar', '2026-10-08', true],
    ['2026-03-02', 5, 'calendar', '2026-03-09', true], // 3-7 is a Saturday
    ['2026-02-04', 10, 'calendar', '2026-02-14', false], // a Saturday, but a moved workday
    ['2026-01-05', 30, 'calendar', '2026-02-04', false],
  ] as const)('from %s, %i %s days → %s', (from, days, count, date, extended) => {
    expect(cal.deadline(from, days, count)).toEqual({ date, approximate: false, extended });
  });

  it('says when it counted beyond the years its data covers', () => {
    const last = cal.lastYear;
    expect(cal.deadline(`${last}-12-28`, 10, 'working').approximate).toBe(true);
    expect(cal.deadline(`${last}-06-01`, 10, 'working').approximate).toBe(false);
    expect(cal.day(`${last + 1}-03-03`).approximate).toBe(true);
    // after the data, the fixed-date statutory holidays still count (放假办法 Art. 2)
    expect(cal.day(`${last + 1}-01-01`)).toMatchObject({ working: false, kind: 'holiday', holiday: '元旦', approximate: true });
    expect(cal.day(`${last + 1}-10-03`)).toMatchObject({ working: false, kind: 'holiday', holiday: '国庆节' });
  });

  it('refuses impossible dates and day counts with a 400 in both languages', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '26-01-01', '2026-1-1', '', '2026-01-01T00:00']) {
      expect(() => cal.deadline(bad, 5, 'working')).toThrow(/Invalid date/);
    }
    for (const days of [0, -1, 1.5, 100_000, Number.NaN]) {
      expect(() => cal.deadline('2026-01-05', days, 'working')).toThrow(/number of days/);
    }
    const err = (() => {
      try {
        cal.deadline('2026-02-30', 5, 'working');
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect(err!.status).toBe(400);
    expect(err!.messages.zh).toContain('日期无效');
  });

  it('takes the civil date in China (UTC+8) from an instant', () => {
    expect(chinaDate(new Date('2026-11-29T15:59:59Z'))).toBe('2026-11-29');
    expect(chinaDate(new Date('2026-11-29T16:00:00Z'))).toBe('2026-11-30');
  });

  it('refuses empty holiday data', () => {
    expect(() => new WorkCalendar({ holidays: {}, workdays: {} }, 'none')).toThrow();
  });
});

describe('deadlines, for any start and length', () => {
  const startArb = fc.integer({ min: dayNumber('2004-01-01'), max: dayNumber('2026-10-01') }).map(civilDate);

  it('working days: the last day is a working day, exactly N working days after the start', () => {
    fc.assert(
      fc.property(startArb, fc.integer({ min: 1, max: 60 }), (from, n) => {
        const { date } = cal.deadline(from, n, 'working');
        expect(cal.isWorkingDay(dayNumber(date))).toBe(true);
        expect(cal.workingDaysBetween(from, date)).toBe(n);
        expect(cal.workingDaysBetween(date, from)).toBe(-n);
        // one day more is strictly later
        expect(dayNumber(cal.deadline(from, n + 1, 'working').date)).toBeGreaterThan(dayNumber(date));
      }),
      { seed: 20261129, numRuns: 500 },
    );
  });

  it('calendar days: N days on, moved only past rest days, onto the first working day', () => {
    fc.assert(
      fc.property(startArb, fc.integer({ min: 1, max: 60 }), (from, n) => {
        const { date, extended } = cal.deadline(from, n, 'calendar');
        const nth = dayNumber(from) + n;
        const last = dayNumber(date);
        expect(cal.isWorkingDay(last)).toBe(true);
        expect(last >= nth).toBe(true);
        expect(extended).toBe(last > nth);
        for (let d = nth; d < last; d++) expect(cal.isWorkingDay(d)).toBe(false);
        // never longer than a working-day count of the same length
        expect(last).toBeLessThanOrEqual(dayNumber(cal.deadline(from, n, 'working').date));
      }),
      { seed: 20261130, numRuns: 500 },
    );
  });
});

describe('civil dates', () => {
  it('are written as toISOString writes them, for every day of years 0000 to 9999 and beyond', () => {
    const iso = (d: number) => new Date(d * 86_400_000).toISOString().slice(0, 10);
    let differ = 0;
    for (let d = -719_528 - 3; d <= 2_932_896 + 3; d++) if (civilDate(d) !== iso(d)) differ++;
    expect(differ).toBe(0);
    expect(civilDate(-719_528)).toBe('0000-01-01');
    expect(civilDate(2_932_896)).toBe('9999-12-31');
    for (const d of [0.5, -0.5, 1e6, -1e6]) expect(civilDate(d)).toBe(iso(d));
  });
});
