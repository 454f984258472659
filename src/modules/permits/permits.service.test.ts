// Permits on a real database (PGlite and PostgreSQL): issue, versions, comparison, scope,
// concurrency, immutability and the audit trail, through the HTTP API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, login } from '../../../test/helpers.ts';
import { makeCreditCode } from '../registry/index.ts';
import { verifyAuditTrail } from '../audit/index.ts';
import { PermitDetail, type PermitContent } from '../../contracts/permits.ts';
import { samplePermitContent } from './permit-content.sample.ts';

let t: Awaited<ReturnType<typeof buildTestApp>>;
let hz: Record<string, string>; // Hangzhou permit department
let nb: Record<string, string>; // Ningbo permit department
let prov: Record<string, string>; // Zhejiang provincial bureau
let n = 0;

// One main air outlet with two limits, as the changes below expect.
const content = (over: Partial<PermitContent> = {}): PermitContent => {
  const c = samplePermitContent(over);
  return { ...c, outlets: [{ ...c.outlets[0], pollutants: c.outlets[0].pollutants.slice(0, 2) }], permittedQuantities: c.permittedQuantities.slice(0, 1), selfMonitoring: c.selfMonitoring.slice(0, 1), reports: [{ type: 'annual' }], rectifications: [], specialConditions: [], ...over };
};

async function newUnit(headers: Record<string, string>, region = '330106') {
  const creditCode = makeCreditCode(`91330106MA3${String(++n).padStart(6, '0')}`);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/registry/units',
    headers,
    payload: { entity: { creditCode, name: `许可测试热电有限公司${n}`, regionCode: region }, name: `许可测试热电有限公司${n}一厂`, regionCode: region, industryCode: '4411', managementCategory: 'key', address: '浙江省' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json().id as string, creditCode };
}

const issue = (headers: Record<string, string>, payload: object) => t.app.inject({ method: 'POST', url: '/api/permits', headers, payload });

beforeAll(async () => {
  t = await buildTestApp();
  await t.addUser('permit-hz', 'municipal_permit', '3301');
  await t.addUser('permit-nb', 'municipal_permit', '3302');
  await t.addUser('permit-prov', 'provincial', '33');
  hz = await login(t.app, 'permit-hz');
  nb = await login(t.app, 'permit-nb');
  prov = await login(t.app, 'permit-prov');
});
afterAll(() => t?.close());

describe('permits', () => {
  it('issues version 1 numbered credit code + site + letter, and shows it', async () => {
    const unit = await newUnit(hz);
    const res = await issue(hz, { unitId: unit.id, content: content(), issuedOn: '2026-02-27' });
    expect(res.statusCode, res.body).toBe(201);
    const { permit } = res.json();
    expect(permit).toMatchObject({ permitNumber: `${unit.creditCode}001P`, currentVersion: 1, status: 'valid', managementCategory: 'key', validTo: '2031-02-28' });
    const detail = await t.app.inject({ url: `/api/permits/${permit.id}`, headers: hz });
    expect(detail.headers['content-type']).toMatch(/^application\/json/);
    const got = detail.json();
    // the spliced response is what the schema says: every field, the content as issued
    const parsed = PermitDetail.strict().parse({ ...got, createdAt: new Date(got.createdAt), updatedAt: new Date(got.updatedAt) });
    expect(parsed).toMatchObject({ id: permit.id, content: content() });
    expect(got.content.outlets[0].pollutants[1].limit).toEqual({ direction: 'max', value: 300, unit: 'mg/m3' });
    expect(got.issuedOn).toBe('2026-02-27');
    const list = (await t.app.inject({ url: `/api/permits?number=${unit.creditCode.slice(-6)}`, headers: hz })).json();
    expect(list.items.map((p: { id: string }) => p.id)).toEqual([permit.id]);
  });

  it('records an existing permit with the number the national platform gave, flagging what looks odd', async () => {
    const unit = await newUnit(hz);
    const res = await issue(hz, { unitId: unit.id, content: content(), permitNumber: `${unit.creditCode}001V` });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().permit.permitNumber).toBe(`${unit.creditCode}001V`);
    expect(res.json().numberFindings.map((f: { code: string }) => f.code)).toEqual(['LETTER_UNUSUAL']);
    // a change keeps the number as the platform issued it
    const id = res.json().permit.id;
    const changed = await t.app.inject({ method: 'POST', url: `/api/permits/${id}/versions`, headers: hz, payload: { expectedVersion: 1, reason: 'change', content: content({ specialConditions: ['新增条件'] }) } });
    expect(changed.statusCode, changed.body).toBe(201);
    expect(changed.json().permit.permitNumber).toBe(`${unit.creditCode}001V`);
    // a number made of another holder's code is taken as written, with a warning
    const other = await newUnit(hz);
    const foreign = await issue(hz, { unitId: other.id, content: content(), permitNumber: `${makeCreditCode('91330106MA3YYYYY9')}001P` });
    expect(foreign.statusCode, foreign.body).toBe(201);
    expect(foreign.json().numberFindings.map((f: { code: string }) => f.code)).toContain('NOT_HOLDERS_CODE');
  });

  it('refuses content with errors, listing each, and a registration-category unit', async () => {
    const unit = await newUnit(hz);
    const bad = content({ validTo: '2032-01-01', selfMonitoring: [{ outletCode: 'DA009', pollutantCode: 'a21026', frequency: '1次/月', mode: 'manual' }] });
    const res = await issue(hz, { unitId: unit.id, content: bad });
    expect(res.statusCode).toBe(400);
    expect(res.json().details.problems.map((p: { code: string }) => p.code).sort()).toEqual(['UNKNOWN_OUTLET', 'VALIDITY_TOO_LONG']);
    const reg = await issue(hz, { unitId: unit.id, content: content({ managementCategory: 'registration' }) });
    expect(reg.statusCode).toBe(409);
    expect(reg.json().code).toBe('PERMIT_NOT_APPLICABLE');
    const future = await issue(hz, { unitId: unit.id, content: content(), issuedOn: '2099-12-31' });
    expect(future.statusCode).toBe(400);
    // a site the registry keeps under registration management gets no permit
    const u = (await t.app.inject({ url: `/api/registry/units/${unit.id}`, headers: hz })).json();
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/registry/units/${unit.id}`, headers: hz, payload: { version: u.version, managementCategory: 'registration' } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect((await issue(hz, { unitId: unit.id, content: content() })).json().code).toBe('PERMIT_NOT_APPLICABLE');
  });

  it('gives a site one valid permit: of two concurrent issues exactly one wins', async () => {
    const unit = await newUnit(hz);
    const results = await Promise.all([issue(hz, { unitId: unit.id, content: content() }), issue(hz, { unitId: unit.id, content: content() })]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.statusCode === 409)!.json().code).toBe('PERMIT_EXISTS');
  });

  it('changes by a new immutable version, compares any two, and refuses a stale change', async () => {
    const unit = await newUnit(hz);
    const { permit } = (await issue(hz, { unitId: unit.id, content: content() })).json();
    const tighter = content();
    tighter.outlets[0].pollutants[1].limit = { direction: 'max', value: 200, unit: 'mg/m3' };
    const change = (expectedVersion: number, c = tighter) => t.app.inject({ method: 'POST', url: `/api/permits/${permit.id}/versions`, headers: hz, payload: { expectedVersion, reason: 'change', content: c } });
    const [a, b] = await Promise.all([change(1), change(1)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    const won = a.statusCode === 201 ? a : b;
    expect(won.json().permit.currentVersion).toBe(2);
    expect(won.json().changes).toEqual([{ path: 'outlets[DA001].pollutants[a21026].limit.value', kind: 'changed', before: 300, after: 200 }]);
    expect((a.statusCode === 409 ? a : b).json()).toMatchObject({ code: 'PERMIT_CHANGED', details: { currentVersion: 2 } });

    const versions = (await t.app.inject({ url: `/api/permits/${permit.id}/versions`, headers: hz })).json();
    expect(versions.items.map((v: { versionNo: number; reason: string }) => [v.versionNo, v.reason])).toEqual([
      [1, 'issue'],
      [2, 'change'],
    ]);
    const cmp = (await t.app.inject({ url: `/api/permits/${permit.id}/compare?from=2&to=1`, headers: hz })).json();
    expect(cmp.changes).toEqual([{ path: 'outlets[DA001].pollutants[a21026].limit.value', kind: 'changed', before: 200, after: 300 }]);
    expect((await t.app.inject({ url: `/api/permits/${permit.id}/versions/3`, headers: hz })).statusCode).toBe(404);

    // a version is what was issued: the database refuses to change or delete it
    await expect(t.database.pool.query("update permit_version set note = 'x' where permit_id = $1", [permit.id])).rejects.toThrow(/immutable/);
    await expect(t.database.pool.query('delete from permit_version where permit_id = $1', [permit.id])).rejects.toThrow(/immutable/);

    await expect(t.database.pool.query('truncate permit_version cascade')).rejects.toThrow(/immutable/);

    // a change keeps the period; a renewal starts a new one after the current one ends
    const moved = await t.app.inject({ method: 'POST', url: `/api/permits/${permit.id}/versions`, headers: hz, payload: { expectedVersion: 2, reason: 'change', content: { ...tighter, validTo: '2030-12-31' } } });
    expect(moved.json()).toMatchObject({ code: 'PERMIT_NOT_APPLICABLE', details: { reason: 'change-dates' } });
    const renewal = await t.app.inject({ method: 'POST', url: `/api/permits/${permit.id}/versions`, headers: hz, payload: { expectedVersion: 2, reason: 'renewal', content: tighter } });
    expect(renewal.statusCode).toBe(409);
    const overlapping = await t.app.inject({ method: 'POST', url: `/api/permits/${permit.id}/versions`, headers: hz, payload: { expectedVersion: 2, reason: 'renewal', content: { ...tighter, validFrom: '2026-03-02', validTo: '2031-03-01' } } });
    expect(overlapping.json()).toMatchObject({ code: 'PERMIT_NOT_APPLICABLE', details: { reason: 'renewal-dates' } });
    const renewed = await t.app.inject({ method: 'POST', url: `/api/permits/${permit.id}/versions`, headers: hz, payload: { expectedVersion: 2, reason: 'renewal', content: { ...tighter, validFrom: '2031-03-01', validTo: '2036-02-29', permittedQuantities: [] } } });
    expect(renewed.statusCode, renewed.body).toBe(201);
    expect(renewed.json().permit).toMatchObject({ currentVersion: 3, validTo: '2036-02-29' });
  });

  it('keeps each jurisdiction and each enterprise to its own permits', async () => {
    const unit = await newUnit(hz);
    const { permit } = (await issue(hz, { unitId: unit.id, content: content() })).json();
    const nbUnit = await newUnit(nb, '330203');
    const nbPermit = (await issue(nb, { unitId: nbUnit.id, content: content() })).json().permit;
    for (const url of [`/api/permits/${permit.id}`, `/api/permits/${permit.id}/versions`, `/api/permits/${permit.id}/compare?from=1&to=1`]) {
      expect((await t.app.inject({ url, headers: nb })).statusCode, url).toBe(404);
    }
    const change = await t.app.inject({ method: 'POST', url: `/api/permits/${permit.id}/versions`, headers: nb, payload: { expectedVersion: 1, reason: 'change', content: content() } });
    expect(change.statusCode).toBe(404);
    expect((await issue(nb, { unitId: unit.id, content: content() })).statusCode).toBe(404);
    const nbList = (await t.app.inject({ url: '/api/permits?pageSize=100', headers: nb })).json();
    expect(nbList.items.map((p: { id: string }) => p.id)).toContain(nbPermit.id);
    expect(nbList.items.map((p: { id: string }) => p.id)).not.toContain(permit.id);

    // an enterprise user sees its own permits only, and may not issue
    const own = (await t.app.inject({ url: `/api/registry/units/${unit.id}`, headers: hz })).json();
    await t.addUser('permit-ent', 'enterprise', '', own.entityId);
    const ent = await login(t.app, 'permit-ent');
    const mine = (await t.app.inject({ url: '/api/permits', headers: ent })).json();
    expect(mine.items.map((p: { id: string }) => p.id)).toEqual([permit.id]);
    for (const url of [`/api/permits/${nbPermit.id}`, `/api/permits/${nbPermit.id}/versions`, `/api/permits/${nbPermit.id}/compare?from=1&to=1`]) {
      expect((await t.app.inject({ url, headers: ent })).statusCode, url).toBe(404);
    }
    expect((await issue(ent, { unitId: unit.id, content: content() })).statusCode).toBe(403);

    // experts and technical agencies do not browse permits
    await t.addUser('permit-agency', 'agency', '33');
    const agency = await login(t.app, 'permit-agency');
    expect((await t.app.inject({ url: '/api/permits', headers: agency })).statusCode).toBe(403);
    expect((await t.app.inject({ url: `/api/permits/${permit.id}`, headers: agency })).statusCode).toBe(403);
  });

  it('lets a permit follow its site when the site moves to another city', async () => {
    const unit = await newUnit(hz);
    const { permit } = (await issue(hz, { unitId: unit.id, content: content() })).json();
    const u = (await t.app.inject({ url: `/api/registry/units/${unit.id}`, headers: prov })).json();
    const moved = await t.app.inject({ method: 'PATCH', url: `/api/registry/units/${unit.id}`, headers: prov, payload: { version: u.version, regionCode: '330203' } });
    expect(moved.statusCode, moved.body).toBe(200);
    expect((await t.app.inject({ url: `/api/permits/${permit.id}`, headers: hz })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/permits/${permit.id}`, headers: nb })).statusCode).toBe(200);
    const change = await t.app.inject({ method: 'POST', url: `/api/permits/${permit.id}/versions`, headers: nb, payload: { expectedVersion: 1, reason: 'change', content: content({ specialConditions: ['迁址后'] }) } });
    expect(change.statusCode, change.body).toBe(201);
    expect(change.json().permit.regionCode).toBe('330203');
  });

  it('refuses malformed input at the edge', async () => {
    const unit = await newUnit(hz);
    const res = await issue(hz, { unitId: unit.id, content: { ...content(), outlets: [{ ...content().outlets[0], code: 'D-01' }] } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('problem+json');
    expect((await t.app.inject({ url: '/api/permits/not-a-uuid', headers: hz })).statusCode).toBe(400);
  });

  it('writes one audit event per version, none for a refused attempt, and the trail stays intact', async () => {
    const unit = await newUnit(hz);
    const { permit } = (await issue(hz, { unitId: unit.id, content: content() })).json();
    const change = (expectedVersion: number) => t.app.inject({ method: 'POST', url: `/api/permits/${permit.id}/versions`, headers: hz, payload: { expectedVersion, reason: 'change', content: content({ specialConditions: [`第${expectedVersion + 1}版`] }) } });
    expect((await change(1)).statusCode).toBe(201);
    expect((await change(1)).statusCode).toBe(409); // stale: refused, no event
    const events = await t.database.pool.query("select action, after->>'version' as v from audit_event where entity_type = 'permit' and entity_id = $1 order by seq", [permit.id]);
    expect(events.rows.map((r) => [r.action, r.v])).toEqual([
      ['permit.issue', '1'],
      ['permit.change', '2'],
    ]);
    expect((await verifyAuditTrail(t.database.db)).ok).toBe(true);
  });
});

describe('the permit document and its public page', () => {
  it('renders the copy as a PDF with the CJK font embedded, and serves the public part without login', async () => {
    const unit = await newUnit(hz);
    const { permit } = (await issue(hz, { unitId: unit.id, content: content(), issuedOn: '2026-02-27' })).json();
    const started = Date.now();
    const res = await t.app.inject({ url: `/api/permits/${permit.id}/pdf`, headers: hz });
    const ms = Date.now() - started;
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toContain(encodeURIComponent(permit.permitNumber));
    const pdf = res.rawPayload.toString('latin1');
    expect(pdf.startsWith('%PDF-')).toBe(true);
    expect(pdf).toMatch(/\/BaseFont \/[A-Z]{6}\+WenQuanYiMicroHei/); // the subset, embedded
    expect(pdf).toMatch(/\/FontFile2/);
    expect(pdf).toMatch(/\/Subtype \/Image/); // the QR code
    expect(ms).toBeLessThan(10_000);
    // another city's official may not download it
    expect((await t.app.inject({ url: `/api/permits/${permit.id}/pdf`, headers: nb })).statusCode).toBe(404);

    const pub = await t.app.inject({ url: `/api/public/permits/${permit.permitNumber}` });
    expect(pub.statusCode, pub.body).toBe(200);
    expect(pub.json()).toMatchObject({ permitNumber: permit.permitNumber, status: 'valid', creditCode: unit.creditCode, authority: '杭州市生态环境局', validTo: '2031-02-28', versionNo: 1 });
    expect(pub.json().content.outlets[0].code).toBe('DA001');
    expect((await t.app.inject({ url: `/api/public/permits/${permit.permitNumber}/pdf` })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/public/permits/91330106MA0000000X001P' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/public/permits/<script>' })).statusCode).toBe(400);
  });

  it('says clearly when the CJK font is missing', async () => {
    const other = await buildTestApp({ PDF_FONT: '/nonexistent/font.ttc' });
    try {
      await other.addUser('pdf-admin', 'admin', '');
      const h = await login(other.app, 'pdf-admin');
      const res = await other.app.inject({ method: 'POST', url: '/api/registry/units', headers: h, payload: { entity: { creditCode: makeCreditCode('91330106MA3999990'), name: '字体测试有限公司', regionCode: '330106' }, name: '字体测试有限公司一厂', regionCode: '330106', industryCode: '4411', managementCategory: 'key', address: '浙江省' } });
      const p = (await other.app.inject({ method: 'POST', url: '/api/permits', headers: h, payload: { unitId: res.json().id, content: content(), issuedOn: '2026-02-27' } })).json().permit;
      const pdf = await other.app.inject({ url: `/api/permits/${p.id}/pdf`, headers: h });
      expect(pdf.statusCode).toBe(503);
      expect(pdf.json()).toMatchObject({ code: 'PDF_FONT_MISSING' });
    } finally {
      await other.close();
    }
  });
});

describe('bad content is refused at issue with every problem listed', () => {
  it('a limit looser than the applicable standard, an absurd quantity, a wrong unit, an outlet code clash', async () => {
    const unit = await newUnit(hz);
    const c = content();
    c.outlets[0].pollutants[1] = { ...c.outlets[0].pollutants[1], limit: { direction: 'max', value: 600, unit: 'mg/m3' } }; // GB 13271-2014 SO2: at most 400 (550 in four provinces)
    c.outlets[0].pollutants[0] = { ...c.outlets[0].pollutants[0], limit: { direction: 'max', value: 30, unit: 'mg/L' } }; // a water unit on a stack
    c.permittedQuantities = [{ factor: 'SO2', year: 2026, amount: 9_000_000, unit: 't/a' }];
    c.outlets = [...c.outlets, { ...c.outlets[0], pollutants: [] }];
    const res = await issue(hz, { unitId: unit.id, content: c });
    expect(res.statusCode).toBe(400);
    const codes = res.json().details.problems.map((p: { code: string }) => p.code);
    expect(codes).toEqual(expect.arrayContaining(['LIMIT_ABOVE_STANDARD', 'QUANTITY_ABSURD', 'UNIT_OF_MEASURE', 'CODE_DUPLICATE']));
    expect((await t.app.inject({ url: `/api/permits?unitId=${unit.id}`, headers: hz })).json().total).toBe(0);
  });
});

