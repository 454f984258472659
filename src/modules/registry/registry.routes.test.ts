import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { sql } from 'drizzle-orm';
import { buildTestApp, login } from '../../../test/helpers.ts';
import { makeCreditCode } from './credit-code.ts';
import { verifyAuditTrail } from '../audit/index.ts';

let t: Awaited<ReturnType<typeof buildTestApp>>;
let hz: Record<string, string>; // municipal permit dept, Hangzhou (3301)
let nb: Record<string, string>; // municipal permit dept, Ningbo (3302)
let prov: Record<string, string>; // Zhejiang provincial bureau
let n = 0;
const code = () => makeCreditCode(`91330106MA2${String(++n).padStart(6, '0')}`);

const site = (over: Record<string, unknown> = {}) => ({
  name: '杭州宏达印染有限公司',
  regionCode: '330106',
  industryCode: '1713',
  managementCategory: 'key',
  address: '浙江省杭州市西湖区文三路 1 号',
  longitude: 120.13,
  latitude: 30.27,
  ...over,
});
const newUnit = (over: Record<string, unknown> = {}, entity: Record<string, unknown> = {}) => ({
  entity: { creditCode: code(), name: '杭州宏达印染有限公司', legalRepresentative: '王伟', regionCode: '330106', ...entity },
  ...site(over),
});

beforeAll(async () => {
  t = await buildTestApp();
  await t.addUser('hzuser', 'municipal_permit', '3301');
  await t.addUser('nbuser', 'municipal_permit', '3302');
  await t.addUser('provuser', 'provincial', '33');
  hz = await login(t.app, 'hzuser');
  nb = await login(t.app, 'nbuser');
  prov = await login(t.app, 'provuser');
});
afterAll(() => t?.close());

describe('creating units', () => {
  it('refuses a bad credit code with a field-level message and creates nothing', async () => {
    const bad = newUnit({}, { creditCode: '91110000101623741X' });
    const res = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: hz, payload: bad });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.details.fields[0].field).toBe('entity.creditCode');
    expect(body.detail).toContain('校验');
    const list = await t.app.inject({ url: '/api/registry/units?q=宏达', headers: hz });
    expect(list.json().total).toBe(0);
  });

  it('creates a unit with its entity and records it in the audit trail', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: hz, payload: newUnit() });
    expect(res.statusCode).toBe(201);
    const unit = res.json();
    expect(unit.siteSeq).toBe(1);
    expect(unit.regionName).toBe('西湖区');
    expect(unit.industryName).toBe('棉印染精加工');
    const history = await t.app.inject({ url: `/api/registry/units/${unit.id}/history`, headers: hz });
    const actions = history.json().map((h: any) => h.action);
    expect(actions).toContain('unit.create');
    expect(actions).toContain('entity.create');
    const created = history.json().find((h: any) => h.action === 'unit.create');
    expect(created.actorName).toBe('hzuser');
    expect(created.actorDisplayName).toBe('用户 hzuser');
    expect(created.requestId).toBeTruthy();
  });

  it('refuses a second entity with the same credit code, naming the existing one', async () => {
    const cc = code();
    const first = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: hz, payload: newUnit({ name: '杭州第一化工有限公司' }, { creditCode: cc, name: '杭州第一化工有限公司' }) });
    expect(first.statusCode).toBe(201);
    const again = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: hz, payload: newUnit({}, { creditCode: cc, name: '别的名字有限公司' }) });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ENTITY_EXISTS');
    expect(again.json().detail).toContain('杭州第一化工有限公司');
    // A second site goes to the existing entity and gets site number 2.
    const second = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: hz, payload: { entityId: first.json().entityId, ...site({ name: '杭州第一化工有限公司二厂' }) } });
    expect(second.statusCode).toBe(201);
    expect(second.json().siteSeq).toBe(2);
  });

  it('lets exactly one of several concurrent creates with the same credit code win', async () => {
    const cc = code();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => t.app.inject({ method: 'POST', url: '/api/registry/units', headers: hz, payload: newUnit({ name: `并发测试${i}` }, { creditCode: cc, name: `并发主体${i}` }) })),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(5);
  });

  it('refuses a region outside the jurisdiction and unknown reference codes', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: hz, payload: newUnit({ regionCode: '330203', industryCode: '9999' }) });
    expect(res.statusCode).toBe(400);
    const fields = res.json().details.fields.map((f: any) => f.field).sort();
    expect(fields).toEqual(['industryCode', 'regionCode']);
  });

  it('stores injection strings verbatim and finds them literally', async () => {
    const name = `'; drop table registry_unit; -- <script>alert(1)</script> 100%_`;
    const res = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: hz, payload: newUnit({ name }, { name }) });
    expect(res.statusCode).toBe(201);
    const found = await t.app.inject({ url: `/api/registry/units?q=${encodeURIComponent('100%_')}`, headers: hz });
    expect(found.json().items.map((u: any) => u.name)).toEqual([name]);
    const none = await t.app.inject({ url: `/api/registry/units?q=${encodeURIComponent('%')}&pageSize=200`, headers: hz });
    expect(none.json().items.every((u: any) => u.name.includes('%'))).toBe(true);
  });
});

describe('bad input', () => {
  it('answers malformed JSON, wrong types, unknown fields and over-long strings with problem+json 400', async () => {
    const malformed = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: { ...hz, 'content-type': 'application/json' }, payload: '{"name": ' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe('MALFORMED_JSON');
    const wrongType = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: hz, payload: { ...newUnit(), longitude: 'east' } });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().code).toBe('VALIDATION_FAILED');
    const unknown = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: hz, payload: { ...newUnit(), isAdmin: true } });
    expect(unknown.statusCode).toBe(400);
    const long = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: hz, payload: newUnit({ name: '长'.repeat(201) }) });
    expect(long.statusCode).toBe(400);
    const en = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: { ...hz, 'accept-language': 'en-US,en;q=0.9' }, payload: { ...newUnit(), isAdmin: true } });
    expect(en.json().detail).toMatch(/^Invalid input/);
    const badId = await t.app.inject({ url: '/api/registry/units/not-a-uuid', headers: hz });
    expect(badId.statusCode).toBe(400);
  });
});

describe('jurisdiction', () => {
  let hzUnit: any;
  beforeAll(async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: hz, payload: newUnit({ name: '杭州辖区专属测试单位' }, { name: '杭州辖区专属测试主体' }) });
    hzUnit = res.json();
  });

  it('hides a city A unit from city B: read, edit, close, history and export', async () => {
    expect((await t.app.inject({ url: `/api/registry/units/${hzUnit.id}`, headers: nb })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'PATCH', url: `/api/registry/units/${hzUnit.id}`, headers: nb, payload: { version: 1, name: 'x' } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `/api/registry/units/${hzUnit.id}/close`, headers: nb, payload: { version: 1, reason: 'x' } })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/registry/units/${hzUnit.id}/history`, headers: nb })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/registry/entities/${hzUnit.entityId}`, headers: nb })).statusCode).toBe(404);
    const list = await t.app.inject({ url: '/api/registry/units?q=杭州辖区专属', headers: nb });
    expect(list.json().total).toBe(0);
    const csv = await t.app.inject({ url: '/api/registry/units/export?format=csv', headers: nb });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).not.toContain('杭州辖区专属');
    // The province sees it.
    expect((await t.app.inject({ url: `/api/registry/units/${hzUnit.id}`, headers: prov })).statusCode).toBe(200);
  });

  it('does not let city B attach a site to, learn about, or rename city A\'s entity', async () => {
    const cc = hzUnit.creditCode;
    const create = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: nb, payload: { ...newUnit({ regionCode: '330203' }, { creditCode: cc, name: '随便', regionCode: '330203' }) } });
    expect(create.statusCode).toBe(409);
    expect(create.body).not.toContain('杭州辖区专属测试主体');
    expect(create.body).not.toContain(hzUnit.entityId);
    const header = '统一社会信用代码,单位名称,行政区划代码,行业类别代码,生产经营场所地址\n';
    const csv = header + `${cc},杭州辖区专属测试主体,330203,1713,宁波某路1号\n`;
    const boundary = '----x';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="mode"\r\n\r\nall-or-nothing\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n`),
      Buffer.from(csv),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const start = await t.app.inject({ method: 'POST', url: '/api/registry/imports', headers: { ...nb, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: body });
    let job = start.json();
    for (let i = 0; i < 100 && job.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await t.app.inject({ url: `/api/registry/imports/${job.id}`, headers: nb })).json();
    }
    expect(job.result.imported).toBe(0);
    expect(job.result.errors[0].reason).toContain('其他辖区');
    expect((await t.app.inject({ method: 'PATCH', url: `/api/registry/entities/${hzUnit.entityId}`, headers: nb, payload: { version: 1, name: '被宁波改名' } })).statusCode).toBe(404);
  });

  it('lets only the registering jurisdiction edit an entity, with optimistic locking', async () => {
    const e = (await t.app.inject({ url: `/api/registry/entities/${hzUnit.entityId}`, headers: hz })).json();
    const ok = await t.app.inject({ method: 'PATCH', url: `/api/registry/entities/${hzUnit.entityId}`, headers: hz, payload: { version: e.version, legalRepresentative: '赵六' } });
    expect(ok.statusCode).toBe(200);
    const stale = await t.app.inject({ method: 'PATCH', url: `/api/registry/entities/${hzUnit.entityId}`, headers: hz, payload: { version: e.version, legalRepresentative: '钱七' } });
    expect(stale.statusCode).toBe(409);
    const empty = await t.app.inject({ method: 'PATCH', url: `/api/registry/entities/${hzUnit.entityId}`, headers: hz, payload: { version: e.version + 1 } });
    expect(empty.statusCode).toBe(400);
  });

  it('shows an enterprise user only its own units', async () => {
    await t.addUser('entuser', 'enterprise', '', hzUnit.entityId);
    const ent = await login(t.app, 'entuser');
    const list = await t.app.inject({ url: '/api/registry/units?pageSize=200', headers: ent });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.length).toBeGreaterThan(0);
    expect(list.json().items.every((u: any) => u.entityId === hzUnit.entityId)).toBe(true);
    const write = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: ent, payload: newUnit() });
    expect(write.statusCode).toBe(403);
  });

  it('edits with optimistic locking and closes/reopens with audit entries', async () => {
    const ok = await t.app.inject({ method: 'PATCH', url: `/api/registry/units/${hzUnit.id}`, headers: hz, payload: { version: 1, contactPerson: '李强' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().version).toBe(2);
    const stale = await t.app.inject({ method: 'PATCH', url: `/api/registry/units/${hzUnit.id}`, headers: hz, payload: { version: 1, contactPerson: '张三' } });
    expect(stale.statusCode).toBe(409);
    const closed = await t.app.inject({ method: 'POST', url: `/api/registry/units/${hzUnit.id}/close`, headers: hz, payload: { version: 2, reason: '停产' } });
    expect(closed.json().status).toBe('closed');
    const again = await t.app.inject({ method: 'POST', url: `/api/registry/units/${hzUnit.id}/close`, headers: hz, payload: { version: 3, reason: '停产' } });
    expect(again.json().code).toBe('UNIT_INVALID_TRANSITION');
    const reopened = await t.app.inject({ method: 'POST', url: `/api/registry/units/${hzUnit.id}/reopen`, headers: hz, payload: { version: 3 } });
    expect(reopened.json().status).toBe('active');
    const history = (await t.app.inject({ url: `/api/registry/units/${hzUnit.id}/history`, headers: hz })).json();
    const upd = history.find((h: any) => h.action === 'unit.update');
    expect(upd.before).toEqual({ contactPerson: null });
    expect(upd.after).toEqual({ contactPerson: '李强' });
    expect(history.map((h: any) => h.action)).toEqual(expect.arrayContaining(['unit.close', 'unit.reopen']));
  });
});

describe('sessions', () => {
  it('rejects writes without the CSRF token and expired sessions', async () => {
    const noCsrf = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: { cookie: hz.cookie }, payload: newUnit() });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().code).toBe('CSRF_FAILED');
    const s = await login(t.app, 'provuser');
    t.clock.advance(3 * 60 * 60_000); // past the 120-minute idle lifetime
    const expired = await t.app.inject({ url: '/api/registry/units', headers: s });
    expect(expired.statusCode).toBe(401);
    t.clock.advance(-3 * 60 * 60_000);
  });

  it('ends a session at logout', async () => {
    const s = await login(t.app, 'provuser');
    expect((await t.app.inject({ url: '/api/auth/me', headers: s })).statusCode).toBe(200);
    const out = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: s });
    expect(out.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/auth/me', headers: s })).statusCode).toBe(401);
  });

  it('locks an account after repeated failures', async () => {
    await t.addUser('victim', 'provincial', '33');
    for (let i = 0; i < 5; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'victim', password: 'wrong-password-1' } });
      expect(r.statusCode).toBe(401);
    }
    const locked = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'victim', password: 'test-password-2026' } });
    expect(locked.statusCode).toBe(423);
    expect(locked.json().code).toBe('ACCOUNT_LOCKED');
    // After the lock period the right password works again and the count starts over.
    t.clock.advance(16 * 60_000);
    const back = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'victim', password: 'test-password-2026' } });
    expect(back.statusCode).toBe(200);
    t.clock.advance(-16 * 60_000);
  });

  it('counts parallel guesses: no more than the allowed number are checked', async () => {
    await t.addUser('victim2', 'provincial', '33');
    const results = await Promise.all(
      Array.from({ length: 12 }, () => t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'victim2', password: 'wrong-password-1' } })),
    );
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401).length).toBeLessThanOrEqual(5);
    expect(codes.filter((c) => c === 423).length).toBeGreaterThanOrEqual(7);
  });
});

describe('import', () => {
  const header = '统一社会信用代码,单位名称,行政区划代码,行业类别代码,管理类别,生产经营场所地址\n';
  const upload = async (body: Buffer, filename: string, mode: string, applyCleanups = false) => {
    const boundary = '----ecopermit';
    const parts = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="mode"\r\n\r\n${mode}\r\n--${boundary}\r\nContent-Disposition: form-data; name="applyCleanups"\r\n\r\n${applyCleanups}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`),
      body,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const start = await t.app.inject({ method: 'POST', url: '/api/registry/imports', headers: { ...hz, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: parts });
    expect(start.statusCode).toBe(202);
    for (let i = 0; i < 200; i++) {
      const job = (await t.app.inject({ url: `/api/registry/imports/${start.json().id}`, headers: hz })).json();
      if (job.status !== 'running') return job;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('import did not finish');
  };

  it('reports every bad row in a dry run and writes nothing', async () => {
    const good = code();
    const csv =
      header +
      `${good},导入好单位一,330106,1713,重点管理,文三路1号\n` +
      `91330106MA2000001X,导入坏代码,330106,1713,重点管理,文三路2号\n` +
      `${code()},导入坏区划,999999,1713,,文三路3号\n` +
      `${good},导入好单位一,330106,1713,重点管理,文三路1号\n`;
    const job = await upload(Buffer.from(csv), 'units.csv', 'dry-run');
    expect(job.status).toBe('done');
    const r = job.result;
    expect(r.totalRows).toBe(4);
    expect(r.goodRows).toBe(1);
    expect(r.errors.map((e: any) => [e.row, e.column])).toEqual([
      [3, '统一社会信用代码'],
      [4, '行政区划代码'],
      [5, '生产经营场所名称'],
    ]);
    expect(r.imported).toBe(0);
    const all = await upload(Buffer.from(csv), 'units.csv', 'all-or-nothing');
    expect(all.result.imported).toBe(0);
    const list = await t.app.inject({ url: '/api/registry/units?q=导入好单位', headers: hz });
    expect(list.json().total).toBe(0);
    const some = await upload(Buffer.from(csv), 'units.csv', 'good-only');
    expect(some.result.imported).toBe(1);
    expect((await t.app.inject({ url: '/api/registry/units?q=导入好单位', headers: hz })).json().total).toBe(1);
  });

  it('reads a GBK csv and applies safe clean-ups only when asked, keeping the raw value', async () => {
    const cc = code();
    // GBK cannot carry a zero-width space; a full-width space, a dash and lowercase it can.
    const messy = `\u3000${cc.slice(0, 6)}-${cc.slice(6).toLowerCase()}`;
    const csv = header + `${messy},杭州清源环境有限公司,330106,4620,简化,文二路8号\n`;
    const gbk = iconv.encode(csv, 'gbk');
    const dry = await upload(gbk, 'gbk.csv', 'dry-run');
    expect(dry.result.encoding).toBe('gb18030');
    expect(dry.result.badRows).toBe(1);
    expect(dry.result.errors[0].reason).toContain(cc);
    const done = await upload(gbk, 'gbk.csv', 'all-or-nothing', true);
    expect(done.result.imported).toBe(1);
    expect(done.result.cleanups[0].to).toBe(cc);
    const [row] = (await t.database.db.execute(sql`select credit_code, credit_code_raw from registry_entity where credit_code = ${cc}`)).rows as any[];
    expect(row.credit_code).toBe(cc);
    expect(row.credit_code_raw).toBe(messy);
  });

  it('never stores an invisible character as part of a code', async () => {
    const cc = code();
    const csv = header + `\u200b${cc}\u2060,杭州蓝天环境有限公司,330106,4620,简化,文二路9号\n`;
    const done = await upload(Buffer.from(csv), 'zw.csv', 'good-only', true);
    expect(done.result.imported).toBe(1);
    const [row] = (await t.database.db.execute(sql`select credit_code from registry_entity where credit_code_raw like ${'%' + cc + '%'}`)).rows as any[];
    expect(row.credit_code).toBe(cc);
    expect(/[\u200b\u2060]/.test(row.credit_code)).toBe(false);
  });

  it('explains empty files and missing columns', async () => {
    const empty = await upload(Buffer.alloc(0), 'empty.csv', 'dry-run');
    expect(empty.status).toBe('failed');
    const cols = await upload(Buffer.from('名称,地址\n甲,乙\n'), 'cols.csv', 'dry-run');
    expect(cols.status).toBe('failed');
    expect(cols.error.message).toContain('统一社会信用代码');
  });
});

describe('audit trail', () => {
  it('verifies, then detects an edited row and a deleted row by name', async () => {
    expect((await verifyAuditTrail(t.database.db)).ok).toBe(true);
    const [victim] = (await t.database.db.execute(sql`select id, seq from audit_event where action = 'unit.create' order by seq limit 1`)).rows as any[];
    await t.database.db.execute(sql`update audit_event set after = jsonb_set(after, '{name}', '"篡改"') where id = ${victim.id}`);
    const edited = await verifyAuditTrail(t.database.db);
    expect(edited.ok).toBe(false);
    expect(edited.problems[0].id).toBe(victim.id);
    expect(edited.problems[0].kind).toBe('hash_mismatch');
    const [other] = (await t.database.db.execute(sql`select id, chain, seq from audit_event where seq > ${victim.seq} and chain = '33' order by seq limit 1 offset 2`)).rows as any[];
    await t.database.db.execute(sql`delete from audit_event where id = ${other.id}`);
    const deleted = await verifyAuditTrail(t.database.db);
    expect(deleted.problems.some((p) => p.kind === 'missing_rows' && p.seq === Number(other.seq))).toBe(true);
  });

  it('catches a whole chain deleted with its head, given anchors saved before', async () => {
    const before = await verifyAuditTrail(t.database.db);
    const anchors = before.heads;
    expect(anchors.some((a) => a.chain === '00')).toBe(true);
    await t.database.db.execute(sql`delete from audit_event where chain = '00'`);
    await t.database.db.execute(sql`delete from audit_chain_head where chain = '00'`);
    const blind = await verifyAuditTrail(t.database.db);
    expect(blind.problems.some((p) => p.chain === '00')).toBe(false);
    const anchored = await verifyAuditTrail(t.database.db, { anchors });
    expect(anchored.problems.some((p) => p.chain === '00' && p.kind === 'anchor_mismatch')).toBe(true);
  });
});

describe('platform', () => {
  it('serves health, readiness and the OpenAPI document', async () => {
    expect((await t.app.inject('/api/health')).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject('/api/ready')).json().status).toBe('ready');
    const doc = (await t.app.inject('/api/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/api/registry/units');
    const missing = await t.app.inject('/api/nothing-here');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('ROUTE_NOT_FOUND');
    const anon = await t.app.inject('/api/registry/units');
    expect(anon.statusCode).toBe(401);
  });
});

describe('registrations (排污登记)', () => {
  it('numbers a registration from the credit code and site, refuses a second, and re-registers with the same number', async () => {
    const cc = code();
    const unit = (await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: hz, payload: newUnit({ name: '杭州登记管理单位', managementCategory: 'registration' }, { creditCode: cc, name: '杭州登记管理单位' }) })).json();
    const reg = await t.app.inject({ method: 'POST', url: '/api/registry/registrations', headers: hz, payload: { unitId: unit.id, registeredOn: '2026-03-02' } });
    expect(reg.statusCode).toBe(201);
    expect(reg.json().registrationNumber).toBe(`${cc}001W`);
    expect(reg.json().validUntil).toBe('2031-03-01');
    const dup = await t.app.inject({ method: 'POST', url: '/api/registry/registrations', headers: hz, payload: { unitId: unit.id } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('REGISTRATION_EXISTS');
    const other = await t.app.inject({ method: 'POST', url: `/api/registry/registrations/${reg.json().id}/cancel`, headers: nb });
    expect(other.statusCode).toBe(404);
    const cancelled = await t.app.inject({ method: 'POST', url: `/api/registry/registrations/${reg.json().id}/cancel`, headers: hz });
    expect(cancelled.json().status).toBe('cancelled');
    const again = await t.app.inject({ method: 'POST', url: '/api/registry/registrations', headers: hz, payload: { unitId: unit.id } });
    expect(again.statusCode).toBe(201);
    expect(again.json().registrationNumber).toBe(`${cc}001W`);
    const list = (await t.app.inject({ url: `/api/registry/units/${unit.id}/registrations`, headers: hz })).json();
    expect(list.map((r: any) => r.status).sort()).toEqual(['cancelled', 'valid']);
    const twice = await t.app.inject({ method: 'POST', url: `/api/registry/registrations/${reg.json().id}/cancel`, headers: hz });
    expect(twice.json().code).toBe('REGISTRATION_NOT_VALID');
  });

  it('refuses a registration for a key-management unit', async () => {
    const unit = (await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: hz, payload: newUnit({ name: '杭州重点管理单位' }, { name: '杭州重点管理单位' }) })).json();
    const reg = await t.app.inject({ method: 'POST', url: '/api/registry/registrations', headers: hz, payload: { unitId: unit.id } });
    expect(reg.statusCode).toBe(409);
    expect(reg.json().code).toBe('REGISTRATION_NOT_APPLICABLE');
  });
});

describe('API tokens', () => {
  it('accepts a bearer token with the user scope and refuses a wrong one', async () => {
    const user = await t.services.identity.getUserByUsername('nbuser');
    const { secret } = await t.services.identity.createApiToken({ userId: user!.id, username: 'test', displayName: 'test', role: 'admin', regionPrefix: '', entityId: null, via: 'cli' }, user!.id, 'sync');
    const ok = await t.app.inject({ url: '/api/registry/units?pageSize=200', headers: { authorization: `Bearer ${secret}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().items.every((u: any) => u.regionCode.startsWith('3302'))).toBe(true);
    const bad = await t.app.inject({ url: '/api/registry/units', headers: { authorization: 'Bearer ept_wrong' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().code).toBe('TOKEN_INVALID');
  });
});

describe('export', () => {
  it('pages through every unit in scope exactly once, also when timestamps tie', async () => {
    const actor = { userId: 'x', username: 'x', displayName: 'x', role: 'municipal_permit', regionPrefix: '3301', entityId: null, via: 'cli' as const };
    const all = (await t.app.inject({ url: '/api/registry/units?pageSize=200', headers: hz })).json();
    const ids: string[] = [];
    for await (const page of t.services.registry.exportUnits(actor, {}, 1_000_000, 3)) ids.push(...page.map((u) => u.id));
    expect(ids.length).toBe(all.total);
    expect(new Set(ids).size).toBe(ids.length);
    const xlsx = await t.app.inject({ url: '/api/registry/units/export?format=xlsx', headers: hz });
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-disposition']).toContain("filename*=UTF-8''");
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
  });
});

describe('list filters', () => {
  it('returns exactly the units a brute-force filter finds, for every combination', async () => {
    const actor = { userId: 'x', username: 'x', displayName: 'x', role: 'provincial', regionPrefix: '33', entityId: null, via: 'cli' as const };
    const all: any[] = [];
    for await (const page of t.services.registry.exportUnits(actor, {})) all.push(...page);
    const cases = [
      { region: '3301' },
      { region: '330' },
      { region: '33010' },
      { industry: '17' },
      { industry: '171' },
      { industry: '1713', category: 'key' as const },
      { status: 'closed' as const },
      { q: '杭州', region: '330106', industry: '17' },
      { q: '印' },
      { q: '有限公司' },
      { q: '印染有限' },
      { category: 'registration' as const, status: 'active' as const },
    ];
    for (const c of cases) {
      const url = `/api/registry/units?pageSize=200&${new URLSearchParams(c as unknown as Record<string, string>)}`;
      const got = (await t.app.inject({ url, headers: prov })).json().items.map((u: any) => u.id).sort();
      const want = all
        .filter((u) => !c.region || u.regionCode.startsWith(c.region))
        .filter((u) => !c.industry || u.industryCode.startsWith(c.industry))
        .filter((u) => !('category' in c) || u.managementCategory === c.category)
        .filter((u) => !('status' in c) || u.status === c.status)
        .filter((u) => !c.q || u.name.toLowerCase().includes(c.q))
        .map((u) => u.id)
        .sort();
      expect(got, JSON.stringify(c)).toEqual(want);
    }
  });
});

describe('paging', () => {
  it('pages through a sorted list without gaps or repeats', async () => {
    for (const sort of ['name', 'createdAt', 'regionCode', 'creditCode']) {
      const whole = (await t.app.inject({ url: `/api/registry/units?sort=${sort}&order=desc&pageSize=9`, headers: prov })).json().items.map((u: any) => u.id);
      const p1 = (await t.app.inject({ url: `/api/registry/units?sort=${sort}&order=desc&pageSize=3&page=1`, headers: prov })).json().items.map((u: any) => u.id);
      const p2 = (await t.app.inject({ url: `/api/registry/units?sort=${sort}&order=desc&pageSize=3&page=2`, headers: prov })).json().items.map((u: any) => u.id);
      const p3 = (await t.app.inject({ url: `/api/registry/units?sort=${sort}&order=desc&pageSize=3&page=3`, headers: prov })).json().items.map((u: any) => u.id);
      expect(whole.length).toBe(9);
      expect([...p1, ...p2, ...p3], sort).toEqual(whole);
    }
  });
});

describe('values the database cannot store', () => {
  it('refuses NUL characters, broken Unicode and impossible dates with 400, never 500', async () => {
    const nul = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: hz, payload: newUnit({ name: 'a\u0000b' }) });
    expect(nul.statusCode).toBe(400);
    const surrogate = await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: hz, payload: newUnit({ name: 'a\ud800b' }) });
    expect(surrogate.statusCode).toBe(400);
    const q = await t.app.inject({ url: '/api/registry/units?creditCode=%00', headers: hz });
    expect(q.statusCode).toBe(400);
    const unit = (await t.app.inject({ method: 'POST', url: '/api/registry/units', headers: hz, payload: newUnit({ name: '杭州日期测试单位', managementCategory: 'registration' }, { name: '杭州日期测试单位' }) })).json();
    for (const d of ['2024-13-45', '2024-02-30', '9999-12-31', '0050-06-01']) {
      const r = await t.app.inject({ method: 'POST', url: '/api/registry/registrations', headers: hz, payload: { unitId: unit.id, registeredOn: d } });
      expect(r.statusCode, d).toBe(400);
    }
    const leap = await t.app.inject({ method: 'POST', url: '/api/registry/registrations', headers: hz, payload: { unitId: unit.id, registeredOn: '2024-02-29' } });
    expect(leap.json().validUntil).toBe('2029-02-28');
  });
});
