// The rectification ledger on a real database: a permit's requirements put on it once, progress
// and evidence from the unit, close-out only after evidence, concurrent decisions, scope, clearance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, login } from '../../../test/helpers.ts';
import { makeCreditCode } from '../registry/index.ts';
import { samplePermitContent } from '../permits/index.ts';
import { verifyAuditTrail } from '../audit/index.ts';

let t: Awaited<ReturnType<typeof buildTestApp>>;
let hz: Record<string, string>;
let hz2: Record<string, string>;
let nb: Record<string, string>;
let unitHeaders: Record<string, string>;
let permitId = '';

const post = (h: Record<string, string>, url: string, payload: object) => t.app.inject({ method: 'POST', url, headers: h, payload });
const get = (h: Record<string, string>, url: string) => t.app.inject({ url, headers: h });

beforeAll(async () => {
  t = await buildTestApp();
  await t.addUser('ledger-hz', 'municipal_permit', '3301');
  await t.addUser('ledger-hz2', 'municipal_enforcement', '3301');
  await t.addUser('ledger-nb', 'municipal_permit', '3302');
  hz = await login(t.app, 'ledger-hz');
  hz2 = await login(t.app, 'ledger-hz2');
  nb = await login(t.app, 'ledger-nb');
  const u = await post(hz, '/api/registry/units', { entity: { creditCode: makeCreditCode('91330106MA7LDG001'), name: '台账测试有限公司', regionCode: '330106' }, name: '台账测试有限公司一厂', regionCode: '330106', industryCode: '4430', managementCategory: 'key', address: '浙江省' });
  await t.addUser('ledger-unit', 'enterprise', '', u.json().entityId);
  unitHeaders = await login(t.app, 'ledger-unit');
  const content = samplePermitContent({ rectifications: [{ requirement: '2026年6月30日前完成排放口规范化整治', deadline: '2026-06-30' }, { requirement: '2026年12月31日前安装颗粒物自动监测设备', deadline: '2026-12-31' }] });
  permitId = (await post(hz, '/api/permits', { unitId: u.json().id, content, issuedOn: '2026-02-27' })).json().permit.id;
});
afterAll(() => t?.close());

describe('the rectification ledger', () => {
  it('takes a permit\'s 改正规定 once, however often it is synced', async () => {
    expect((await post(hz, `/api/permits/${permitId}/rectifications/sync`, {})).json()).toEqual({ requirements: 2, created: 2 });
    expect((await post(hz, `/api/permits/${permitId}/rectifications/sync`, {})).json()).toEqual({ requirements: 2, created: 0 });
    const list = (await get(unitHeaders, `/api/rectifications?permitId=${permitId}`)).json();
    expect(list.items.map((i: { deadline: string; status: string; source: string }) => [i.deadline, i.status, i.source])).toEqual([
      ['2026-06-30', 'open', 'permit_requirement'],
      ['2026-12-31', 'open', 'permit_requirement'],
    ]);
  });

  it('closes out only after evidence; rejected evidence reopens; two officials at once: one wins', async () => {
    const [item] = (await get(hz, `/api/rectifications?permitId=${permitId}`)).json().items;
    const early = await post(hz, `/api/rectifications/${item.id}/close`, { expectedVersion: 1, note: '同意销号' });
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('LEDGER_NO_EVIDENCE');
    expect((await post(unitHeaders, `/api/rectifications/${item.id}/updates`, { kind: 'progress', note: '已完成标志牌采购' })).statusCode).toBe(200);
    expect((await post(unitHeaders, `/api/rectifications/${item.id}/updates`, { kind: 'evidence', note: '整治完成' })).json().code).toBe('VALIDATION_FAILED');
    const ev = await post(unitHeaders, `/api/rectifications/${item.id}/updates`, { kind: 'evidence', note: '整治完成，附照片', evidenceName: '排放口标志牌照片.pdf', evidenceSha256: 'a'.repeat(64) });
    expect(ev.json()).toMatchObject({ status: 'evidence_submitted', version: 3 });
    // the unit cannot close its own item
    expect((await post(unitHeaders, `/api/rectifications/${item.id}/close`, { expectedVersion: 3, note: '自行销号' })).statusCode).toBe(403);
    const rejected = await post(hz, `/api/rectifications/${item.id}/reject`, { expectedVersion: 3, note: '照片不清晰' });
    expect(rejected.json()).toMatchObject({ status: 'open', version: 4 });
    await post(unitHeaders, `/api/rectifications/${item.id}/updates`, { kind: 'evidence', note: '重新上传', evidenceName: '照片2.pdf' });
    const [a, b] = await Promise.all([post(hz, `/api/rectifications/${item.id}/close`, { expectedVersion: 5, note: '核实销号' }), post(hz2, `/api/rectifications/${item.id}/close`, { expectedVersion: 5, note: '核实销号' })]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const detail = (await get(unitHeaders, `/api/rectifications/${item.id}`)).json();
    expect(detail).toMatchObject({ status: 'closed' });
    expect(detail.updates.map((u: { kind: string }) => u.kind)).toEqual(['progress', 'evidence', 'reject', 'evidence', 'verify']);
    expect((await post(unitHeaders, `/api/rectifications/${item.id}/updates`, { kind: 'progress', note: '再补充' })).json().code).toBe('LEDGER_CLOSED');
    expect((await verifyAuditTrail(t.database.db)).ok).toBe(true);
  });

  it('flags overdue items and reports clearance by city; another city sees nothing', async () => {
    t.clock.set('2026-07-15T02:00:00Z');
    hz = await login(t.app, 'ledger-hz');
    nb = await login(t.app, 'ledger-nb');
    const overdue = (await get(hz, '/api/rectifications?overdue=true')).json();
    expect(overdue.items.map((i: { deadline: string; overdue: boolean }) => [i.deadline, i.overdue])).toEqual([]);
    const unit = (await get(hz, `/api/registry/units?q=${encodeURIComponent('台账测试')}`)).json().items[0];
    const manual = await post(hz, '/api/rectifications', { unitId: unit.id, permitId, source: 'review_finding', sourceRef: 'review:test-1', problem: '主要排放口二氧化硫未自动监测（QR-104）', basis: 'QR-104', deadline: '2026-07-31' });
    expect(manual.statusCode, manual.body).toBe(201);
    expect((await post(hz, '/api/rectifications', { unitId: unit.id, source: 'review_finding', sourceRef: 'review:test-1', problem: '重复', deadline: '2026-07-31' })).json().code).toBe('LEDGER_EXISTS');
    expect((await post(hz, '/api/rectifications', { unitId: unit.id, source: 'manual', problem: '过期', deadline: '2026-07-01' })).statusCode).toBe(400);
    t.clock.set('2026-08-02T02:00:00Z');
    hz = await login(t.app, 'ledger-hz');
    nb = await login(t.app, 'ledger-nb');
    expect((await get(hz, '/api/rectifications?overdue=true')).json().items.map((i: { problem: string }) => i.problem)).toEqual(['主要排放口二氧化硫未自动监测（QR-104）']);
    expect((await get(hz, '/api/rectifications/summary')).json().rows).toEqual([{ cityCode: '330100', total: 3, closed: 1, open: 2, overdue: 1, clearance: 1 / 3 }]);
    expect((await get(nb, '/api/rectifications')).json().total).toBe(0);
    // the ledger exported: every item the filters select, in Chinese and English headers
    const csv = await get(hz, '/api/rectifications/export?format=csv&overdue=true');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.replace(/^\ufeff/, '').trim().split(/\r?\n/);
    expect(lines[0]).toContain('问题 problem');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('QR-104');
    const xlsx = await get(hz, '/api/rectifications/export');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect((await get(nb, '/api/rectifications/export?format=csv')).body.replace(/^\ufeff/, '').trim().split(/\r?\n/)).toHaveLength(1);
    expect((await get(nb, `/api/rectifications/${manual.json().id}`)).statusCode).toBe(404);
  });

  it('escalates overdue items once per level: to the city, then the province; closed ones never', async () => {
    const system = { userId: '00000000-0000-0000-0000-000000000000', username: 'test', displayName: '测试', role: 'admin', regionPrefix: '', entityId: null, via: 'cli' as const };
    // 2026-08-02: the 07-31 item is two days late, the 12-31 one not yet due
    expect(await t.services.ledger.escalateOverdue(system)).toEqual({ city: 1, province: 0 });
    expect(await t.services.ledger.escalateOverdue(system)).toEqual({ city: 0, province: 0 });
    expect((await get(hz, '/api/rectifications?escalated=true')).json().items.map((i: { escalationLevel: number; problem: string }) => [i.escalationLevel, i.problem])).toEqual([[1, '主要排放口二氧化硫未自动监测（QR-104）']]);
    t.clock.set('2026-09-01T02:00:00Z');
    hz = await login(t.app, 'ledger-hz');
    expect(await t.services.ledger.escalateOverdue(system)).toEqual({ city: 0, province: 1 });
    t.clock.set('2027-03-01T02:00:00Z');
    hz = await login(t.app, 'ledger-hz');
    // the 12-31 requirement is now 60 days late: straight to the province
    expect(await t.services.ledger.escalateOverdue(system)).toEqual({ city: 0, province: 1 });
    const csv = (await get(hz, '/api/rectifications/export?format=csv&escalated=true')).body;
    expect(csv).toContain('已报省级');
    expect((await verifyAuditTrail(t.database.db)).ok).toBe(true);
  });
});

