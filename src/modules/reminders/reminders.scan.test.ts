// The expiry scan on a real database: permits and registrations expiring within the window and
// those already expired (from the day after the last valid day), with the day to apply for
// continuation by, in the caller's jurisdiction only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, login } from '../../../test/helpers.ts';
import { makeCreditCode } from '../registry/index.ts';
import { samplePermitContent } from '../permits/index.ts';
import type { Actor } from '../../platform/actor.ts';
import { scanExpiry } from './reminders.scan.ts';

let t: Awaited<ReturnType<typeof buildTestApp>>;
const hz: Actor = { userId: '00000000-0000-0000-0000-0000000000bb', username: 'rm', displayName: '提醒', role: 'municipal_permit', regionPrefix: '3301', entityId: null, via: 'cli' };
const numbers: Record<string, string> = {};

beforeAll(async () => {
  t = await buildTestApp();
  await t.addUser('rm-hz', 'municipal_permit', '3301');
  await t.addUser('rm-nb', 'municipal_permit', '3302');
  const H = { hz: await login(t.app, 'rm-hz'), nb: await login(t.app, 'rm-nb') };
  // last valid days, the scan run on 2026-03-02: 03-01 (expired since 03-02), 03-02 (its last day), 04-30, 2031-02-28 (far), and one in Ningbo
  const cases: [string, 'hz' | 'nb', string, string][] = [
    ['expiredYesterday', 'hz', '2021-03-02', '2026-03-01'],
    ['lastDayToday', 'hz', '2021-03-03', '2026-03-02'],
    ['inTwoMonths', 'hz', '2021-05-01', '2026-04-30'],
    ['far', 'hz', '2026-03-01', '2031-02-28'],
    ['ningbo', 'nb', '2021-05-01', '2026-04-30'],
  ];
  for (const [i, [name, who, from, to]] of cases.entries()) {
    const region = who === 'hz' ? '330106' : '330203';
    const u = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: H[who], payload: { entity: { creditCode: makeCreditCode(`91330106MA7RM000${i}`), name: `提醒测试${i}有限公司`, regionCode: region }, name: `提醒测试${i}有限公司一厂`, regionCode: region, industryCode: '4430', managementCategory: 'key', address: '浙江省' } });
    expect(u.statusCode, u.body).toBe(201);
    const content = samplePermitContent({ validFrom: from, validTo: to });
    content.permittedQuantities = content.permittedQuantities.map((q) => ({ ...q, year: Number(from.slice(0, 4)) }));
    content.rectifications = [];
    const p = await t.app.inject({ method: 'POST', url: '/api/permits', headers: H[who], payload: { unitId: u.json().id, content, issuedOn: from } });
    expect(p.statusCode, p.body).toBe(201);
    numbers[name] = p.json().permit.permitNumber;
  }
  // a registration made five years ago: it runs out within the window
  const reg = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: H.hz, payload: { entity: { creditCode: makeCreditCode('91330106MA7RM0009'), name: '提醒测试登记有限公司', regionCode: '330106' }, name: '提醒测试登记有限公司一厂', regionCode: '330106', industryCode: '4430', managementCategory: 'registration', address: '浙江省' } });
  expect(reg.statusCode, reg.body).toBe(201);
  const made = await t.services.registry.createRegistration({ ...hz, role: 'admin', regionPrefix: '' }, { unitId: reg.json().id, registeredOn: '2021-03-20' });
  numbers.registration = made.registrationNumber;
  numbers.registrationValidUntil = made.validUntil;
  numbers.registrationApplyBy = new Date(Date.parse(`${made.validUntil}T00:00:00Z`) - 20 * 86_400_000).toISOString().slice(0, 10);
});
const between = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
afterAll(() => t?.close());

describe('the expiry scan', () => {
  it('finds what expires within the window and what has expired, with the day to apply for continuation by', async () => {
    const rows = await scanExpiry(t.database.db, hz, { today: '2026-03-02', within: 90 });
    expect(rows.map((r) => [r.number, r.validTo, r.daysLeft, r.state, r.applyBy])).toEqual([
      [numbers.expiredYesterday, '2026-03-01', -1, 'expired', '2025-12-31'],
      [numbers.lastDayToday, '2026-03-02', 0, 'expiring', '2026-01-01'],
      [numbers.registration, numbers.registrationValidUntil, between('2026-03-02', numbers.registrationValidUntil), 'expiring', numbers.registrationApplyBy],
      [numbers.inTwoMonths, '2026-04-30', 59, 'expiring', '2026-03-01'],
    ]);
    expect(rows.map((r) => r.kind)).toEqual(['permit', 'permit', 'registration', 'permit']);
    expect(rows.every((r) => !r.continuationApplied && r.unitName.startsWith('提醒测试'))).toBe(true);
  });

  it('a narrower window leaves out what is further off; another city sees only its own', async () => {
    expect((await scanExpiry(t.database.db, hz, { today: '2026-03-02', within: 0 })).map((r) => r.number)).toEqual([numbers.expiredYesterday, numbers.lastDayToday]);
    const nb = await scanExpiry(t.database.db, { ...hz, regionPrefix: '3302' }, { today: '2026-03-02', within: 90 });
    expect(nb.map((r) => r.number)).toEqual([numbers.ningbo]);
  });

  it('refuses a malformed day or window with a clear message', async () => {
    await expect(scanExpiry(t.database.db, hz, { today: '2026-3-2', within: 90 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(scanExpiry(t.database.db, hz, { today: '2026-03-02', within: -1 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
