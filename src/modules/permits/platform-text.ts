/**
 * Readers for values as the national permit platform writes them in its listings and permit
 * pages: standard numbers in free text, coordinates in decimal or 度分秒, validity periods
 * ("2021-01-01至2026-01-01"), dates, limits ("≤50", "6-9", "/"). Pure; each returns a value or
 * a reason, never throws on bad text.
 */
import type { Limit } from '../../contracts/permits.ts';

export type Read<T> = { ok: true; value: T } | { ok: false; zh: string; en: string };
const bad = <T>(zh: string, en: string): Read<T> => ({ ok: false, zh, en });

/** Full-width ASCII to half-width, ideographic space to space. */
export function halfWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

const DASHES = /[‐‑‒–—―－~～]/g;

/**
 * A standard's number in one canonical form: "GB 16297-1996", "GB/T 16157-1996",
 * "DB37/3416.1-2018", "HJ 944-2018". Spaces, full-width letters, dash variants, a missing space
 * after the prefix, 《title》 and brackets around the number are all read the same way; "GB16297"
 * without a year keeps no year. Undefined when no standard number is in the text.
 */
const canonicalMemo = new Map<string, string | undefined>();

export function canonicalStandard(text: string): string | undefined {
  // the same few standards are named over and over (a sweep reads them millions of times)
  if (canonicalMemo.has(text)) return canonicalMemo.get(text);
  const out = readStandard(text);
  if (canonicalMemo.size < 100_000) canonicalMemo.set(text, out);
  return out;
}

function readStandard(text: string): string | undefined {
  const s = halfWidth(text).replace(DASHES, '-').toUpperCase();
  // national (GB, GB/T), sector (HJ, HJ/T, GWKB…) and local (DB + 2-digit province) standards
  const m = /\b(GB(?:\/T)?|HJ(?:\/T)?|GWKB|GWPB|CJ(?:\/T)?|DB\s*\d{2}(?:\/T)?)\s*\/?\s*(\d+(?:\.\d+)*)\s*(?:-\s*(\d{4}))?/.exec(s);
  if (!m) return undefined;
  const prefix = m[1].replace(/\s+/g, '');
  const number = m[2];
  const year = m[3] ? `-${m[3]}` : '';
  // local standards: DB37/3416.1-2018, but recommended ones DB37/T 2374-2018
  return prefix.startsWith('DB') && !prefix.endsWith('/T') ? `${prefix}/${number}${year}` : `${prefix} ${number}${year}`;
}

/** Several standards in one cell ("GB 13271-2014、DB33/ 2147-2018"): each read once, in order. */
export function canonicalStandards(text: string): string[] {
  const out: string[] = [];
  for (const part of halfWidth(text).split(/[、,;；]|\s{2,}|\n/)) {
    const c = canonicalStandard(part);
    if (c && !out.includes(c)) out.push(c);
  }
  return out;
}

/**
 * A coordinate in decimal degrees, from "120.123456", "E120.123456", "120°07′24.44″",
 * "120度07分24.44秒", "120:07:24.44" or "120 07 24.44". `axis` checks the range (mainland China
 * and its islands: longitude 73–136, latitude 3–54).
 */
export function parseCoordinate(text: string, axis: 'longitude' | 'latitude'): Read<number> {
  const s = halfWidth(text).trim().replace(/^[EN东北]\s*|\s*[EN东北]$/i, '');
  if (s === '') return bad('空值', 'empty');
  let value: number | undefined;
  if (/^\d+(\.\d+)?$/.test(s)) value = Number(s);
  else {
    const m = /^(\d{1,3})\s*(?:°|度|:|\s)\s*(\d{1,2}(?:\.\d+)?)\s*(?:′|'|分|:|\s)?\s*(?:(\d{1,2}(?:\.\d+)?)\s*(?:″|"|''|秒)?)?$/.exec(s);
    if (m) {
      const [d, mi, se] = [Number(m[1]), Number(m[2]), m[3] === undefined ? 0 : Number(m[3])];
      if (mi >= 60 || se >= 60) return bad(`分或秒不小于 60：${text}`, `minutes or seconds of 60 or more: ${text}`);
      value = d + mi / 60 + se / 3600;
    }
  }
  if (value === undefined || !Number.isFinite(value)) return bad(`无法识别的坐标：${text}`, `not a coordinate: ${text}`);
  const [lo, hi] = axis === 'longitude' ? [73, 136] : [3, 54];
  if (value < lo || value > hi) return bad(`${axis === 'longitude' ? '经度' : '纬度'} ${value} 不在 ${lo}–${hi} 之间`, `${axis} ${value} is outside ${lo}–${hi}`);
  return { ok: true, value: Math.round(value * 1e6) / 1e6 };
}

/** YYYY-MM-DD from "2021-01-01", "2021/1/1", "2021.01.01", "2021年1月1日" or "20210101"; a real calendar date. */
export function parseDay(text: string): Read<string> {
  const s = halfWidth(text).trim();
  const m = /^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))$/.exec(s);
  if (!m) return bad(`无法识别的日期：${text}`, `not a date: ${text}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2] ?? m[4]), Number(m[3] ?? m[5])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return bad(`不存在的日期：${text}`, `no such date: ${text}`);
  return { ok: true, value: dt.toISOString().slice(0, 10) };
}

/** "2021-01-01至2026-01-01" (also 到, ~, —, "起至", "止"): the first and last valid days. */
export function parseValidity(text: string): Read<{ from: string; to: string }> {
  const s = halfWidth(text).trim().replace(/^自/, '').replace(/止$/, '');
  const parts = s.split(/\s*(?:至|到|起至|~|—|--|\s-\s)\s*/).filter(Boolean);
  if (parts.length !== 2) return bad(`有效期限应为“起始日期至截止日期”：${text}`, `a validity period reads "FROM至TO": ${text}`);
  const from = parseDay(parts[0].replace(/起$/, ''));
  const to = parseDay(parts[1]);
  if (!from.ok) return from;
  if (!to.ok) return to;
  if (to.value <= from.value) return bad(`截止日期 ${to.value} 不晚于起始日期 ${from.value}`, `the period ends (${to.value}) on or before it starts (${from.value})`);
  return { ok: true, value: { from: from.value, to: to.value } };
}

/**
 * A concentration limit as written: "50", "≤50", "<=50", "≥850" (a minimum), "6-9" / "6~9" (a
 * range); "/", "—", "-", "无" and empty mean none (undefined), never zero. `unit` as given or
 * by the outlet's medium.
 */
export function parseLimit(text: string, unit: string): Read<Limit | undefined> {
  const s = halfWidth(text).trim().replace(/\s+/g, '');
  if (s === '' || /^(\/|—+|-+|无|\\)$/.test(s)) return { ok: true, value: undefined };
  let m = /^(?:≤|<=|<)?(\d+(?:\.\d+)?)$/.exec(s);
  if (m) return Number(m[1]) > 0 ? { ok: true, value: { direction: 'max', value: Number(m[1]), unit } } : bad(`限值为 0：${text}（无限值请填“/”）`, `a limit of 0: ${text} (write "/" for none)`);
  m = /^(?:≥|>=|>)(\d+(?:\.\d+)?)$/.exec(s);
  if (m) return { ok: true, value: { direction: 'min', value: Number(m[1]), unit } };
  m = /^(\d+(?:\.\d+)?)[-~～—–](\d+(?:\.\d+)?)$/.exec(s.replace(DASHES, '-'));
  if (m && Number(m[1]) < Number(m[2])) return { ok: true, value: { direction: 'range', low: Number(m[1]), high: Number(m[2]), unit } };
  return bad(`无法识别的限值：${text}`, `not a limit: ${text}`);
}
