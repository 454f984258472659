/**
 * China's working-day calendar (工作日历) and legal time limits (期限) counted on it.
 *
 * A working day (工作日) is Monday to Friday, except statutory holidays (法定节假日), plus the
 * weekend days the State Council moves work to around them (调休上班日). The holidays and the
 * moved workdays are data, published each year by the State Council's General Office; they come
 * from the maintained `chinese-days` package (MIT; its `dist/chinese-days.json`), whose version
 * is the data's version. Dates after the years it covers are counted with weekends and the
 * fixed-date statutory holidays only (FIXED_HOLIDAYS; the lunar ones and the moved workdays are
 * not known until published), and the answer says it is approximate.
 *
 * How a period is counted (民法典 Arts. 201 and 203, 行政许可法 Art. 82):
 * - the day of the event is not counted; counting starts the next day;
 * - in working days: the N-th working day after the start is the last day;
 * - in calendar days: the N-th day after the start is the last day, but when that day is a rest
 *   day (a weekend not moved to work, or a holiday) the period ends on the next working day.
 *
 * Dates here are civil dates in China (Asia/Shanghai, UTC+8 all year), written YYYY-MM-DD.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { ValidationError } from './errors.ts';

export type DayCount = 'working' | 'calendar';

export interface HolidayData {
  /** date → "English name,中文名,days" for each statutory holiday date */
  holidays: Record<string, string>;
  /** date → name of the holiday it makes up for, for each weekend day moved to work */
  workdays: Record<string, string>;
}

export interface Deadline {
  /** the last day of the period (YYYY-MM-DD) */
  date: string;
  /** true when the count ran outside the years the holiday data covers (weekends only there) */
  approximate: boolean;
  /** calendar count only: the N-th day was a rest day and the period moved to the next working day */
  extended: boolean;
}

export interface DayInfo {
  date: string;
  working: boolean;
  /** 'holiday' | 'moved-workday' | 'weekend' | 'weekday' */
  kind: 'holiday' | 'moved-workday' | 'weekend' | 'weekday';
  /** the holiday's Chinese name (or the one a moved workday makes up for) */
  holiday?: string;
  approximate: boolean;
}

const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/**
 * Holidays on fixed dates, for years the data does not cover yet: 全国年节及纪念日放假办法
 * (2024 revision, in force 2025-01-01) Art. 2 — 元旦 1 January; 劳动节 1–2 May; 国庆节 1–3 October.
 * (春节, 清明节, 端午节 and 中秋节 follow the lunar calendar or the solar terms.)
 */
const FIXED_HOLIDAYS: Record<string, string> = { '01-01': '元旦', '05-01': '劳动节', '05-02': '劳动节', '10-01': '国庆节', '10-02': '国庆节', '10-03': '国庆节' };

/** Periods longer than this are not legal time limits but mistakes. */
const MAX_DAYS = 3_660;

/** Days since 1970-01-01 for a YYYY-MM-DD civil date; throws a 400 for anything else. */
export function dayNumber(date: string): number {
  const m = DATE.exec(date);
  const n = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS : NaN;
  if (!m || !Number.isInteger(n) || civilDate(n) !== date) {
    throw new ValidationError({ zh: `日期无效：${date}（应为 YYYY-MM-DD 格式的真实日期）`, en: `Invalid date: ${date} (expected a real date as YYYY-MM-DD)` });
  }
  return n;
}

/** Day numbers of 0000-01-01 and 9999-12-31: the years toISOString writes with four digits. */
const FIRST_DAY = -719_528;
const LAST_DAY = 2_932_896;
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * The YYYY-MM-DD of a day number, as `toISOString` writes it. Worked out arithmetically
 * (H. Hinnant's civil_from_days): toISOString cost most of a content check, which reads a few
 * dates of every permit a sweep judges. Other day numbers go to toISOString.
 */
export function civilDate(day: number): string {
  if (!Number.isInteger(day) || day < FIRST_DAY || day > LAST_DAY) return new Date(day * DAY_MS).toISOString().slice(0, 10);
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
}

/**
 * The last day of a period of whole years starting on `from` (a five-year validity from
 * 2026-03-01 ends on 2031-02-28). Feb 29 starts roll over as Date.UTC does (to Mar 1 − 1 day).
 */
export function periodEnd(from: string, years: number): string {
  const [y, m, d] = from.split('-').map(Number);
  return civilDate(Date.UTC(y + years, m - 1, d) / DAY_MS - 1);
}

/** The civil date in China at this instant. */
export function chinaDate(at: Date): string {
  return civilDate(Math.floor((at.getTime() + CHINA_OFFSET_MS) / DAY_MS));
}

export class WorkCalendar {
  private readonly holidays = new Map<number, string>();
  private readonly moved = new Map<number, string>();
  readonly firstYear: number;
  readonly lastYear: number;
  private readonly firstDay: number;
  private readonly lastDay: number;

  /** source: where the data came from, e.g. "chinese-days@1.5.7" */
  constructor(data: HolidayData, readonly source: string) {
    for (const [date, label] of Object.entries(data.holidays)) this.holidays.set(dayNumber(date), label.split(',')[1] ?? label);
    for (const [date, label] of Object.entries(data.workdays)) this.moved.set(dayNumber(date), label.split(',')[1] ?? label);
    const years = [...this.holidays.keys(), ...this.moved.keys()].map((d) => Number(civilDate(d).slice(0, 4)));
    if (years.length === 0) throw new Error('holiday data is empty');
    this.firstYear = Math.min(...years);
    this.lastYear = Math.max(...years);
    this.firstDay = dayNumber(`${this.firstYear}-01-01`);
    this.lastDay = dayNumber(`${this.lastYear}-12-31`);
  }

  /** Whether the holiday data covers this day (else only weekends are known). */
  covers(day: number): boolean {
    return day >= this.firstDay && day <= this.lastDay;
  }

  /** The holiday on this day: from the data, or after it a fixed-date statutory holiday. */
  private holiday(day: number): string | undefined {
    if (day <= this.lastDay) return this.holidays.get(day);
    return FIXED_HOLIDAYS[civilDate(day).slice(5)];
  }

  isWorkingDay(day: number): boolean {
    if (this.moved.has(day)) return true;
    if (this.holiday(day) !== undefined) return false;
    const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    return weekday !== 0 && weekday !== 6;
  }

  day(date: string): DayInfo {
    const d = dayNumber(date);
    const weekday = (d + 4) % 7;
    const approximate = !this.covers(d);
    const holiday = this.holiday(d);
    if (this.moved.has(d)) return { date, working: true, kind: 'moved-workday', holiday: this.moved.get(d), approximate };
    if (holiday !== undefined) return { date, working: false, kind: 'holiday', holiday, approximate };
    return { date, working: weekday !== 0 && weekday !== 6, kind: weekday === 0 || weekday === 6 ? 'weekend' : 'weekday', approximate };
  }

  /**
   * The last day of a period of `days` days (working or calendar) that starts on `from` (the
   * day of the event, not itself counted).
   */
  deadline(from: string, days: number, count: DayCount): Deadline {
    if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
      throw new ValidationError({ zh: `期限天数应为 1 至 ${MAX_DAYS} 的整数：${days}`, en: `The number of days must be a whole number from 1 to ${MAX_DAYS}: ${days}` });
    }
    const start = dayNumber(from);
    let approximate = !this.covers(start);
    let d = start;
    let extended = false;
    if (count === 'working') {
      for (let left = days; left > 0; ) {
        d++;
        if (!this.covers(d)) approximate = true;
        if (this.isWorkingDay(d)) left--;
      }
    } else {
      d = start + days;
      if (!this.covers(d)) approximate = true;
      while (!this.isWorkingDay(d)) {
        d++;
        extended = true;
        if (!this.covers(d)) approximate = true;
      }
    }
    return { date: civilDate(d), approximate, extended };
  }

  /**
   * Working days from `from` (not counted) to `to` (counted): how far into a working-day period
   * a date is. Negative when `to` is before `from`.
   */
  workingDaysBetween(from: string, to: string): number {
    const a = dayNumber(from);
    const b = dayNumber(to);
    if (Math.abs(b - a) > MAX_DAYS * 2) throw new ValidationError({ zh: '日期相隔过远', en: 'The dates are too far apart' });
    const [lo, hi, sign] = a <= b ? [a, b, 1] : [b, a, -1];
    let n = 0;
    for (let d = lo + 1; d <= hi; d++) if (this.isWorkingDay(d)) n++;
    return sign * n;
  }
}

let shared: WorkCalendar | undefined;

/** The calendar from the installed `chinese-days` package (read once per process). */
export function chinaWorkCalendar(): WorkCalendar {
  if (!shared) {
    const require = createRequire(import.meta.url);
    const pkg = JSON.parse(readFileSync(require.resolve('chinese-days/package.json'), 'utf8')) as { version: string };
    const data = JSON.parse(readFileSync(require.resolve('chinese-days/dist/chinese-days.json'), 'utf8')) as HolidayData;
    shared = new WorkCalendar(data, `chinese-days@${pkg.version}`);
  }
  return shared;
}
