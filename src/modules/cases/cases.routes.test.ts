// Procedures on a real database (PGlite and PostgreSQL), through the HTTP API: the application
// path from draft to permit, completeness, supplements, evaluation with conflict-of-interest
// checks, on-site review, deadlines, concurrency, scope, attachments and the authority cases.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, login } from '../../../test/helpers.ts';
import { makeCreditCode } from '../registry/index.ts';
import { verifyAuditTrail } from '../audit/index.ts';
import { samplePermitContent } from '../permits/index.ts';
import { cliActor } from '../../platform/actor.ts';
import { chinaWorkCalendar } from '../../platform/work-calendar.ts';

let t: Awaited<ReturnType<typeof buildTestApp>>;
let hz: Record<string, string>; // Hangzhou permit department
let nb: Record<string, string>; // Ningbo permit department
let n = 0;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

async function newUnit(headers: Record<string, string>, over: { region?: string; category?: string } = {}) {
  const region = over.region ?? '330106';
  const creditCode = makeCreditCode(`91330106MA4${String(++n).padStart(6, '0')}`);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/registry/units',
    headers,
    payload: { entity: { creditCode, name: `办件测试热电有限公司${n}`, regionCode: region }, name: `办件测试热电有限公司${n}一厂`, regionCode: region, industryCode: '4411', managementCategory: over.category ?? 'key', address: '浙江省' },
  });
  expect(res.statusCode, res.body).toBe(201);
  const body = res.json();
  const user = `ent-${n}`;
  await t.addUser(user, 'enterprise', '', body.entityId);
  return { id: body.id as string, entityId: body.entityId as string, creditCode, headers: await loginAs(user) };
}

// Sessions expire as the fixed clock moves days ahead: every login is kept and renewed by at().
const sessions: [Record<string, string>, string][] = [];
async function loginAs(username: string) {
  const headers = await login(t.app, username);
  sessions.push([headers, username]);
  return headers;
}
async function at(iso: string) {
  t.clock.set(iso);
  for (const [headers, username] of sessions) Object.assign(headers, await login(t.app, username));
}

const post = (headers: Record<string, string>, url: string, payload: object) => t.app.inject({ method: 'POST', url, headers, payload });
const get = (headers: Record<string, string>, url: string) => t.app.inject({ method: 'GET', url, headers });
const act = (headers: Record<string, string>, id: string, payload: object) => post(headers, `/api/cases/${id}/actions`, payload);

function upload(headers: Record<string, string>, caseId: string, kind: string, fileName: string, data: Buffer, extra: Record<string, string> = {}) {
  const boundary = '----ecopermit' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries({ kind, ...extra })) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`), data, Buffer.from(`\r\n--${boundary}--\r\n`));
  return t.app.inject({ method: 'POST', url: `/api/cases/${caseId}/attachments`, headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: Buffer.concat(parts) });
}

async function materials(headers: Record<string, string>, caseId: string, kinds = ['application_form', 'commitment', 'eia_approval']) {
  for (const k of kinds) expect((await upload(headers, caseId, k, `${k}.pdf`, PDF)).statusCode).toBe(201);
}

/** A first application submitted and accepted; returns the case. */
async function acceptedFirst(unit: Awaited<ReturnType<typeof newUnit>>) {
  const opened = await post(unit.headers, '/api/cases', { kind: 'first', unitId: unit.id, content: samplePermitContent() });
  expect(opened.statusCode, opened.body).toBe(201);
  const c = opened.json();
  await materials(unit.headers, c.id);
  expect((await act(unit.headers, c.id, { action: 'submit', expectedVersion: 1 })).statusCode).toBe(200);
  const accepted = await act(hz, c.id, { action: 'accept', expectedVersion: 2 });
  expect(accepted.statusCode, accepted.body).toBe(200);
  return accepted.json();
}

beforeAll(async () => {
  t = await buildTestApp();
  await t.addUser('case-hz', 'municipal_permit', '3301');
  await t.addUser('case-hz2', 'municipal_permit', '3301');
  await t.addUser('case-nb', 'municipal_permit', '3302');
  await t.addUser('case-expert', 'expert', '33');
  hz = await loginAs('case-hz');
  nb = await loginAs('case-nb');
});
afterAll(() => t?.close());
// Each test's unit users are its own: only the departments' sessions carry over.
beforeEach(() => void sessions.splice(2));

describe('a first application from draft to permit', () => {
  it('runs: supplement, acceptance, experts with conflicts excluded, evaluation, on-site review, approval', async () => {
    await at('2026-03-02T02:00:00Z'); // Monday
    const unit = await newUnit(hz);
    const agency = (await post(hz, '/api/agencies', { name: '杭州环科技术咨询有限公司', creditCode: makeCreditCode('91330100MA2000001'), regionCode: '330100' })).json();

    const opened = await post(unit.headers, '/api/cases', { kind: 'first', unitId: unit.id, preparedByAgencyId: agency.id });
    expect(opened.statusCode, opened.body).toBe(201);
    const c = opened.json();
    expect(c).toMatchObject({ kind: 'first', state: 'draft', version: 1, due: { date: null } });
    expect(c.caseNumber).toMatch(/^330106-2026-\d{7}$/);

    // Submitting without content is refused; the content is saved, then submitted without materials.
    expect((await act(unit.headers, c.id, { action: 'submit', expectedVersion: 1 })).json().code).toBe('CASE_NOT_APPLICABLE');
    const saved = await t.app.inject({ method: 'PUT', url: `/api/cases/${c.id}/content`, headers: unit.headers, payload: { expectedVersion: 1, content: samplePermitContent() } });
    expect(saved.statusCode, saved.body).toBe(200);
    const submitted = await act(unit.headers, c.id, { action: 'submit', expectedVersion: 2 });
    expect(submitted.statusCode, submitted.body).toBe(200);
    // Received Mon 03-02: the 3-working-day notice runs to Thu 03-05.
    expect(submitted.json()).toMatchObject({ state: 'submitted', receivedOn: '2026-03-02', due: { date: '2026-03-05', rule: 'incomplete_materials_notice' } });

    // Acceptance checks completeness: the materials are missing.
    const incomplete = await act(hz, c.id, { action: 'accept', expectedVersion: 3 });
    expect(incomplete.statusCode).toBe(409);
    expect(incomplete.json().code).toBe('CASE_INCOMPLETE');
    expect(incomplete.json().details.missing.map((m: { code: string }) => m.code)).toEqual(['material:application_form', 'material:commitment', 'material:eia_approval']);

    // The one-time list of what to supplement; the unit uploads and resubmits.
    const asked = await act(hz, c.id, { action: 'request_supplement', expectedVersion: 3, items: ['排污许可证申请表', '承诺书', '环评批复'] });
    expect(asked.statusCode, asked.body).toBe(200);
    expect(asked.json()).toMatchObject({ state: 'supplement_requested', due: { date: null } });
    await materials(unit.headers, c.id);
    await at('2026-03-03T02:00:00Z');
    expect((await act(unit.headers, c.id, { action: 'submit', expectedVersion: 4 })).json()).toMatchObject({ state: 'submitted', receivedOn: '2026-03-03' });

    const accepted = await act(hz, c.id, { action: 'accept', expectedVersion: 5 });
    expect(accepted.statusCode, accepted.body).toBe(200);
    // key management, 30 working days from Tue 03-03: 20 in March (4th–31st), 1–3 April, then
    // Qingming (4–6 April, Monday off), 7–10 and 13–15 April: 04-15
    expect(accepted.json()).toMatchObject({ state: 'accepted', acceptedOn: '2026-03-03', due: { date: '2026-04-15', rule: 'approval_key', overdue: false } });

    // Experts: one from the preparing agency, one related to the unit, one from Ningbo's pool, one fine.
    const mk = (over: object) => post(hz, '/api/experts', { poolRegion: '3301', name: '专家', specialties: ['44'], activeFrom: '2025-01-01', ...over }).then((r) => r.json());
    const sameAgency = await mk({ name: '王工', employerAgencyId: agency.id });
    const related = await mk({ name: '李工', relatedEntityIds: [unit.entityId] });
    const ningbo = (await post(nb, '/api/experts', { poolRegion: '3302', name: '赵工', specialties: ['44'], activeFrom: '2025-01-01' })).json();
    const ex = await loginAs('case-expert');
    const expertUser = (await get(ex, '/api/auth/me')).json().id;
    const good = await mk({ name: '陈工', userId: expertUser });
    const retired = await mk({ name: '周工', activeTo: '2026-01-31' });

    const eligible = (await get(hz, `/api/cases/${c.id}/eligible-experts`)).json().items;
    const byName = Object.fromEntries(eligible.map((e: { name: string; exclusions: { code: string }[] }) => [e.name, e.exclusions.map((x) => x.code)]));
    expect(byName).toMatchObject({ 王工: ['same-agency'], 李工: ['related-to-unit'], 陈工: [], 周工: ['inactive'] });
    expect(byName['赵工']).toBeUndefined(); // another city's pool is not offered

    const conflict = await act(hz, c.id, { action: 'assign_evaluation', expectedVersion: 6, expertIds: [good.id, sameAgency.id, related.id, ningbo.id, retired.id] });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().code).toBe('EXPERT_CONFLICT');
    expect(conflict.json().details.problems).toHaveLength(4);
    expect((await act(hz, c.id, { action: 'assign_evaluation', expectedVersion: 6, agencyId: agency.id })).json().code).toBe('AGENCY_CONFLICT');

    const assigned = await act(hz, c.id, { action: 'assign_evaluation', expectedVersion: 6, expertIds: [good.id] });
    expect(assigned.statusCode, assigned.body).toBe(200);
    expect(assigned.json().state).toBe('under_evaluation');

    // Approval waits for the evaluation.
    const early = await act(hz, c.id, { action: 'approve', expectedVersion: 7 });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: 'CASE_INVALID_TRANSITION' });

    // While the evaluation runs the clock stands still (行政许可法 Art.45).
    expect(assigned.json().due).toMatchObject({ date: null, rule: 'expert_review_excluded' });
    // On-site review during the evaluation: key management now has 45 working days.
    const review = await post(hz, `/api/cases/${c.id}/on-site-reviews`, { expectedVersion: 7, reviewDate: '2026-03-03', people: ['张三', '李四'], findings: '治理设施与申请一致，排放口规范化', outcome: 'no_problem' });
    expect(review.statusCode, review.body).toBe(201);
    expect(review.json().case).toMatchObject({ onSite: true });
    const photo = await upload(hz, c.id, 'on_site_record', '现场照片.png', PNG, { onSiteReviewId: review.json().reviewId });
    expect(photo.statusCode, photo.body).toBe(201);

    // The expert (a platform user) sees the case and completes the evaluation.
    const queue = (await get(ex, '/api/cases')).json();
    expect(queue.items.map((x: { id: string }) => x.id)).toEqual([c.id]);
    expect((await get(ex, `/api/cases/${c.id}`)).json().allowedActions).toEqual(['complete_evaluation']);
    // the evaluation takes five working days (Tue 03-03 to Tue 03-10): they extend the period
    await at('2026-03-10T02:00:00Z');
    const done = await act(ex, c.id, { action: 'complete_evaluation', expectedVersion: 8, conclusion: 'pass', reason: '申请材料与技术规范一致' });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().due).toMatchObject({ rule: 'approval_key_onsite', date: chinaWorkCalendar().deadline('2026-03-03', 45 + 5, 'working').date });

    await at('2026-03-20T02:00:00Z');
    const approved = await act(hz, c.id, { action: 'approve', expectedVersion: 9 });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ state: 'approved', decidedOn: '2026-03-20', due: { date: null } });
    const permit = (await get(hz, `/api/permits/${approved.json().resultPermitId}`)).json();
    expect(permit).toMatchObject({ permitNumber: `${unit.creditCode}001P`, status: 'valid', validFrom: '2026-03-20', validTo: '2031-03-19', issuedOn: '2026-03-20' });

    const detail = (await get(unit.headers, `/api/cases/${c.id}`)).json();
    expect(detail.events.map((e: { action: string }) => e.action)).toEqual(['open', 'submit', 'request_supplement', 'submit', 'accept', 'assign_evaluation', 'on_site_review', 'complete_evaluation', 'approve']);
    // the catalog ran again at acceptance, its result recorded with the step
    expect(detail.events.find((e: { action: string }) => e.action === 'accept').data.review).toMatchObject({ errors: 0 });
    expect(detail.evaluations[0]).toMatchObject({ experts: [{ name: '陈工' }], conclusion: 'pass' });
    expect(detail.attachments).toHaveLength(4);
    expect(detail.attachments.find((a: { kind: string }) => a.kind === 'on_site_record')).toMatchObject({ mediaType: 'image/png', onSiteReviewId: review.json().reviewId });
    expect(detail.allowedActions).toEqual([]);
    expect((await verifyAuditTrail(t.database.db)).ok).toBe(true);

    // The on-site ratio dashboard counts the decision.
    const ratio = (await get(hz, '/api/cases/on-site-ratio?from=2026-03-01&to=2026-03-31')).json();
    expect(ratio.target).toBe(0.5);
    expect(ratio.rows.find((r: { cityCode: string }) => r.cityCode === '330100')).toMatchObject({ decided: 1, withOnSite: 1, ratio: 1, meetsTarget: true });
  });
});

describe('bad input, faults, security', () => {
  it('two officials deciding the same case at once: one wins, the other gets a conflict', async () => {
    await at('2026-03-02T02:00:00Z');
    const unit = await newUnit(hz);
    const c = await acceptedFirst(unit);
    const hz2 = await loginAs('case-hz2');
    const [a, b] = await Promise.all([act(hz, c.id, { action: 'approve', expectedVersion: c.version }), act(hz2, c.id, { action: 'refuse', expectedVersion: c.version, reason: '不符合许可条件' })]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const loser = a.statusCode === 409 ? a : b;
    expect(loser.json().code).toBe('CASE_CHANGED');
    const final = (await get(hz, `/api/cases/${c.id}`)).json();
    expect(['approved', 'refused']).toContain(final.state);
    expect(final.events.filter((e: { action: string }) => ['approve', 'refuse'].includes(e.action))).toHaveLength(1);
  });

  it('a refusal needs a reason, and is recorded', async () => {
    await at('2026-03-02T02:00:00Z');
    const unit = await newUnit(hz);
    const c = await acceptedFirst(unit);
    expect((await act(hz, c.id, { action: 'refuse', expectedVersion: c.version })).json().code).toBe('VALIDATION_FAILED');
    const refused = await act(hz, c.id, { action: 'refuse', expectedVersion: c.version, reason: '未取得环评批复，不符合条例第十一条' });
    expect(refused.json()).toMatchObject({ state: 'refused', decisionReason: '未取得环评批复，不符合条例第十一条' });
    expect((await get(unit.headers, `/api/cases/${c.id}`)).json().events.at(-1)).toMatchObject({ action: 'refuse', party: 'official', reason: '未取得环评批复，不符合条例第十一条' });
  });

  it('scope: another unit\'s user and another city\'s official do not see the case; the applicant cannot decide', async () => {
    await at('2026-03-02T02:00:00Z');
    const unit = await newUnit(hz);
    const other = await newUnit(hz);
    const c = await acceptedFirst(unit);
    expect((await get(other.headers, `/api/cases/${c.id}`)).statusCode).toBe(404);
    expect((await act(other.headers, c.id, { action: 'withdraw', expectedVersion: c.version })).statusCode).toBe(404);
    expect((await act(nb, c.id, { action: 'approve', expectedVersion: c.version })).statusCode).toBe(404);
    const self = await act(unit.headers, c.id, { action: 'approve', expectedVersion: c.version });
    expect(self.statusCode).toBe(403);
    expect((await get(nb, '/api/cases')).json().items.some((x: { id: string }) => x.id === c.id)).toBe(false);
    // an enterprise user cannot open an application for another entity's site
    expect((await post(unit.headers, '/api/cases', { kind: 'first', unitId: other.id })).statusCode).toBe(404);
  });

  it('attachments: too large, or not what the extension says, are refused', async () => {
    await at('2026-03-02T02:00:00Z');
    const unit = await newUnit(hz);
    const c = (await post(unit.headers, '/api/cases', { kind: 'first', unitId: unit.id })).json();
    const fake = await upload(unit.headers, c.id, 'application_form', '申请表.pdf', PNG);
    expect(fake.statusCode).toBe(415);
    expect(fake.json().code).toBe('ATTACHMENT_TYPE_MISMATCH');
    expect((await upload(unit.headers, c.id, 'other', 'run.exe', Buffer.from('MZ....'))).statusCode).toBe(415);
    expect((await upload(unit.headers, c.id, 'other', 'notes.pdf', Buffer.from('just text'))).statusCode).toBe(415);
    const big = Buffer.concat([PDF, Buffer.alloc(21 * 1024 * 1024)]);
    const tooBig = await upload(unit.headers, c.id, 'other', 'big.pdf', big);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().code).toBe('ATTACHMENT_TOO_LARGE');
    const ok = await upload(unit.headers, c.id, 'application_form', '申请表.pdf', PDF);
    expect(ok.json()).toMatchObject({ mediaType: 'application/pdf', size: PDF.length });
    const file = await get(unit.headers, `/api/cases/${c.id}/attachments/${ok.json().id}`);
    expect(file.rawPayload.equals(PDF)).toBe(true);
    expect(file.headers['x-content-sha256']).toBe(ok.json().sha256);
  });

  it('the notice of missing materials cannot come after its period: the application counts as accepted', async () => {
    await at('2026-03-02T02:00:00Z');
    const unit = await newUnit(hz, { category: 'simplified' });
    const c = (await post(unit.headers, '/api/cases', { kind: 'first', unitId: unit.id, content: samplePermitContent({ managementCategory: 'simplified' }) })).json();
    await act(unit.headers, c.id, { action: 'submit', expectedVersion: 1 });
    await at('2026-03-09T02:00:00Z'); // Mon: the notice period ended Thu 03-05
    const late = await act(hz, c.id, { action: 'request_supplement', expectedVersion: 2, items: ['申请表'] });
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: 'CASE_DEEMED_ACCEPTED', details: { noticeDue: '2026-03-05' } });
    // The queue shows the decision period running from receipt (20 working days from 03-02: 03-30).
    const queued = (await get(hz, `/api/cases?unitId=${unit.id}`)).json().items[0];
    expect(queued.due).toMatchObject({ date: '2026-03-30', deemedAccepted: true, rule: 'approval_simplified' });
    await at('2026-03-31T02:00:00Z');
    const overdue = (await get(hz, '/api/cases?due=overdue&open=true')).json().items.map((x: { id: string }) => x.id);
    expect(overdue).toContain(c.id);
    await at('2026-03-26T02:00:00Z');
    const near = (await get(hz, '/api/cases?due=near')).json().items.map((x: { id: string }) => x.id);
    expect(near).toContain(c.id);
  });

  it('a second open application for the same site and kind is refused', async () => {
    await at('2026-03-02T02:00:00Z');
    const unit = await newUnit(hz);
    expect((await post(unit.headers, '/api/cases', { kind: 'first', unitId: unit.id })).statusCode).toBe(201);
    const again = await post(unit.headers, '/api/cases', { kind: 'first', unitId: unit.id });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('CASE_ALREADY_OPEN');
  });
});

describe('changes, renewals and the authority cases', () => {
  async function issued(unit: Awaited<ReturnType<typeof newUnit>>, validFrom = '2026-03-01', validTo = '2031-02-28') {
    const res = await post(hz, '/api/permits', { unitId: unit.id, content: samplePermitContent({ validFrom, validTo }), issuedOn: '2026-02-27' });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().permit;
  }

  it('a change application on an expired permit is refused; a renewal is refused too', async () => {
    await at('2026-03-02T02:00:00Z');
    const unit = await newUnit(hz);
    const old = await post(hz, '/api/permits', { unitId: unit.id, content: samplePermitContent({ validFrom: '2021-01-01', validTo: '2025-12-31' }), issuedOn: '2021-01-01', permitNumber: `${unit.creditCode}001P` });
    expect(old.statusCode, old.body).toBe(201);
    for (const kind of ['change', 'renewal']) {
      const res = await post(unit.headers, '/api/cases', { kind, unitId: unit.id, permitId: old.json().permit.id, content: samplePermitContent() });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'CASE_NOT_APPLICABLE', details: { reason: 'permit-expired' } });
    }
  });

  it('a renewal gives a new period after the old one; a late renewal is flagged', async () => {
    await at('2026-03-02T02:00:00Z');
    const unit = await newUnit(hz);
    const p = await issued(unit, '2021-04-01', '2026-03-31');
    const c = (await post(unit.headers, '/api/cases', { kind: 'renewal', unitId: unit.id, permitId: p.id, content: samplePermitContent() })).json();
    expect(c.flags.map((f: { code: string }) => f.code)).toContain('RENEWAL_LATE');
    await materials(unit.headers, c.id, ['application_form', 'commitment']);
    await act(unit.headers, c.id, { action: 'submit', expectedVersion: 1 });
    const accepted = (await act(hz, c.id, { action: 'accept', expectedVersion: 2 })).json();
    // 20 working days from 03-02 would be 03-30; never later than the last valid day anyway
    expect(accepted.due).toMatchObject({ date: '2026-03-30', rule: 'renewal_review' });
    const approved = await act(hz, c.id, { action: 'approve', expectedVersion: 3 });
    expect(approved.statusCode, approved.body).toBe(200);
    const after = (await get(hz, `/api/permits/${p.id}`)).json();
    expect(after).toMatchObject({ currentVersion: 2, validFrom: '2026-04-01', validTo: '2031-03-31', permitNumber: p.permitNumber });
    expect((await get(hz, `/api/permits/${p.id}/versions`)).json().items.map((v: { reason: string }) => v.reason)).toEqual(['issue', 'renewal']);
  });

  it('a cancellation ends the permit, which can then no longer be changed or renewed', async () => {
    await at('2026-03-02T02:00:00Z');
    const unit = await newUnit(hz);
    const p = await issued(unit);
    // the unit asks for its cancellation (注销); the department decides
    const c = await post(unit.headers, '/api/cases', { kind: 'cancellation', unitId: unit.id, permitId: p.id, grounds: '企业关停，申请注销排污许可证' });
    expect(c.statusCode, c.body).toBe(201);
    expect(c.json()).toMatchObject({ state: 'opened' });
    expect((await act(unit.headers, c.json().id, { action: 'decide', expectedVersion: 1, reason: '同意注销' })).statusCode).toBe(403);
    const decided = await act(hz, c.json().id, { action: 'decide', expectedVersion: 1, reason: '依行政许可法第七十条注销' });
    expect(decided.statusCode, decided.body).toBe(200);
    expect((await get(hz, `/api/permits/${p.id}`)).json().status).toBe('cancelled');
    const change = await post(unit.headers, '/api/cases', { kind: 'change', unitId: unit.id, permitId: p.id, content: samplePermitContent() });
    expect(change.json()).toMatchObject({ code: 'CASE_NOT_APPLICABLE', details: { reason: 'permit-ended' } });
    const direct = await post(hz, `/api/permits/${p.id}/versions`, { expectedVersion: 1, reason: 'change', content: samplePermitContent() });
    expect(direct.statusCode).toBe(409);
  });

  it('a penalty revocation is decided only after the hearing notice; a revocation only by the department', async () => {
    await at('2026-03-02T02:00:00Z');
    const unit = await newUnit(hz);
    const p = await issued(unit);
    expect((await post(unit.headers, '/api/cases', { kind: 'revocation', unitId: unit.id, permitId: p.id, grounds: '自行撤销' })).statusCode).toBe(403);
    expect((await post(hz, '/api/cases', { kind: 'penaltyRevocation', unitId: unit.id, permitId: p.id })).json()).toMatchObject({ details: { reason: 'grounds' } });
    const c = (await post(hz, '/api/cases', { kind: 'penaltyRevocation', unitId: unit.id, permitId: p.id, grounds: '超过许可排放浓度，情节严重（条例第三十四条）' })).json();
    const early = await act(hz, c.id, { action: 'decide', expectedVersion: 1, reason: '吊销' });
    expect(early.statusCode).toBe(409);
    expect(early.json().details.allowed).toEqual(['notify_hearing', 'drop']);
    expect((await act(hz, c.id, { action: 'notify_hearing', expectedVersion: 1, reason: '告知拟吊销及听证权利' })).statusCode).toBe(200);
    // the party has five days to ask for a hearing (notified Mon 03-02: until Sat 03-07, moved to Mon 03-09)
    const soon = await act(hz, c.id, { action: 'decide', expectedVersion: 2, reason: '吊销' });
    expect(soon.json()).toMatchObject({ code: 'CASE_NOT_APPLICABLE', details: { reason: 'hearing-period', until: '2026-03-09' } });
    expect((await get(hz, `/api/cases/${c.id}`)).json().allowedActions).toEqual(['drop']);
    await at('2026-03-10T02:00:00Z');
    expect((await act(hz, c.id, { action: 'decide', expectedVersion: 2, reason: '听证后决定吊销' })).statusCode).toBe(200);
    expect((await get(hz, `/api/permits/${p.id}`)).json().status).toBe('penalty_revoked');
  });

  it('a registration is recorded with its number', async () => {
    await at('2026-03-02T02:00:00Z');
    const unit = await newUnit(hz, { category: 'registration' });
    expect((await post(unit.headers, '/api/cases', { kind: 'first', unitId: unit.id })).json().details.reason).toBe('category');
    const c = (await post(unit.headers, '/api/cases', { kind: 'registration', unitId: unit.id })).json();
    await act(unit.headers, c.id, { action: 'submit', expectedVersion: 1 });
    const returned = await act(hz, c.id, { action: 'return', expectedVersion: 2, reason: '排放去向填写不完整' });
    expect(returned.json().state).toBe('returned');
    await act(unit.headers, c.id, { action: 'submit', expectedVersion: 3 });
    const recorded = await act(hz, c.id, { action: 'record', expectedVersion: 4 });
    expect(recorded.statusCode, recorded.body).toBe(200);
    const events = (await get(hz, `/api/cases/${c.id}`)).json().events;
    expect(events.at(-1).data.registrationNumber).toBe(`${unit.creditCode}001W`);
  });

  it('closing a site opens the cancellation of its permit; deciding it cancels the permit', async () => {
    await at('2026-03-02T02:00:00Z');
    const unit = await newUnit(hz);
    const p = await issued(unit);
    const u = (await get(hz, `/api/registry/units/${unit.id}`)).json();
    const closed = await post(hz, `/api/registry/units/${unit.id}/close`, { reason: '企业搬迁关停', version: u.version });
    expect(closed.statusCode, closed.body).toBe(200);
    const queue = (await get(hz, `/api/cases?unitId=${unit.id}`)).json().items;
    expect(queue).toHaveLength(1);
    expect(queue[0]).toMatchObject({ kind: 'cancellation', state: 'opened', permitId: p.id });
    expect(queue[0].grounds).toContain('企业搬迁关停');
    // a second sweep finds nothing more to open
    expect(await t.services.cases.openCancellationsForClosedUnits(cliActor('test'))).toMatchObject({ closedWithPermit: 1, opened: [] });
    expect((await act(hz, queue[0].id, { action: 'decide', expectedVersion: 1, reason: '生产经营场所已关闭，注销' })).statusCode).toBe(200);
    expect((await get(hz, `/api/permits/${p.id}`)).json().status).toBe('cancelled');
    expect(await t.services.cases.openCancellationsForClosedUnits(cliActor('test'))).toMatchObject({ closedWithPermit: 0 });
  });

  it('an application starts from a typical-industry template filled for the site', async () => {
    await at('2026-03-02T02:00:00Z');
    const unit = await newUnit(hz);
    const templates = (await get(unit.headers, '/api/cases/templates')).json().items;
    expect(templates.map((x: { id: string }) => x.id)).toContain('thermal_power');
    // the site has no coordinates yet: the template cannot place its outlets
    const refused = await post(unit.headers, '/api/cases', { kind: 'first', unitId: unit.id, templateId: 'thermal_power' });
    expect(refused.json()).toMatchObject({ code: 'CASE_NOT_APPLICABLE', details: { reason: 'coordinates' } });
    const u = (await get(hz, `/api/registry/units/${unit.id}`)).json();
    expect((await t.app.inject({ method: 'PATCH', url: `/api/registry/units/${unit.id}`, headers: hz, payload: { version: u.version, longitude: 120.15, latitude: 30.28 } })).statusCode).toBe(200);
    const c = await post(unit.headers, '/api/cases', { kind: 'first', unitId: unit.id, templateId: 'thermal_power' });
    expect(c.statusCode, c.body).toBe(201);
    const detail = (await get(unit.headers, `/api/cases/${c.json().id}`)).json();
    expect(detail.content.outlets[0]).toMatchObject({ code: 'DA001', longitude: 120.15, latitude: 30.28 });
    expect(detail.content.outlets[0].pollutants[1]).toMatchObject({ pollutantCode: 'a21026', standard: 'GB 13223-2011', limit: { direction: 'max', value: 100, unit: 'mg/m3' }, referenceO2: 6 });
    expect((await get(unit.headers, `/api/cases/templates/cement/content?unitId=${unit.id}`)).json().outlets).toHaveLength(3);
    expect((await get(unit.headers, `/api/cases/templates/nope/content?unitId=${unit.id}`)).statusCode).toBe(409);
  });

  it('the technical agency the unit names acts for it on that case; another agency cannot', async () => {
    await at('2026-03-02T02:00:00Z');
    await t.addUser('agency-a', 'agency', '33');
    await t.addUser('agency-b', 'agency', '33');
    const a = await loginAs('agency-a');
    const b = await loginAs('agency-b');
    const idOf = async (h: Record<string, string>) => (await get(h, '/api/auth/me')).json().id;
    const agencyA = (await post(hz, '/api/agencies', { name: '代理测试甲技术公司', creditCode: makeCreditCode('91330100MA2AGA001'), regionCode: '330100', userIds: [await idOf(a)] })).json();
    await post(hz, '/api/agencies', { name: '代理测试乙技术公司', creditCode: makeCreditCode('91330100MA2AGB001'), regionCode: '330100', userIds: [await idOf(b)] });
    const unit = await newUnit(hz);
    const c = (await post(unit.headers, '/api/cases', { kind: 'first', unitId: unit.id, preparedByAgencyId: agencyA.id })).json();
    // agency A fills it in, uploads the materials and submits, for the unit
    expect((await get(a, `/api/cases/${c.id}`)).json().allowedActions).toEqual(['submit', 'withdraw']);
    const saved = await t.app.inject({ method: 'PUT', url: `/api/cases/${c.id}/content`, headers: a, payload: { expectedVersion: 1, content: samplePermitContent() } });
    expect(saved.statusCode, saved.body).toBe(200);
    await materials(a, c.id);
    const submitted = await act(a, c.id, { action: 'submit', expectedVersion: 2 });
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect((await get(unit.headers, `/api/cases/${c.id}`)).json().events.at(-1)).toMatchObject({ action: 'submit', party: 'applicant', actorName: '用户 agency-a' });
    // agency B sees nothing of it; agency A cannot decide
    expect((await get(b, `/api/cases/${c.id}`)).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'PUT', url: `/api/cases/${c.id}/content`, headers: b, payload: { expectedVersion: 3, content: samplePermitContent() } })).statusCode).toBe(404);
    expect((await act(a, c.id, { action: 'accept', expectedVersion: 3 })).statusCode).toBe(403);
  });

  it('expert pools change over time: an expert who left is excluded; a city cannot edit the provincial pool', async () => {
    await at('2026-03-02T02:00:00Z');
    const prov = await (async () => {
      await t.addUser('case-prov', 'provincial', '33');
      return loginAs('case-prov');
    })();
    const provincial = (await post(prov, '/api/experts', { poolRegion: '33', name: '省库专家', specialties: ['44'], activeFrom: '2025-01-01' })).json();
    const municipal = (await post(hz, '/api/experts', { poolRegion: '3301', name: '市库专家', specialties: ['44'], activeFrom: '2025-01-01' })).json();
    expect((await post(hz, '/api/experts', { poolRegion: '3302', name: '越权', specialties: ['44'], activeFrom: '2025-01-01' })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'PATCH', url: `/api/experts/${provincial.id}`, headers: hz, payload: { expectedVersion: 1, activeTo: '2026-03-01' } })).statusCode).toBe(404);
    const left = await t.app.inject({ method: 'PATCH', url: `/api/experts/${municipal.id}`, headers: hz, payload: { expectedVersion: 1, activeTo: '2026-03-01' } });
    expect(left.statusCode, left.body).toBe(200);
    expect((await t.app.inject({ method: 'PATCH', url: `/api/experts/${municipal.id}`, headers: hz, payload: { expectedVersion: 1, activeTo: '2026-02-01' } })).json().code).toBe('EXPERT_CHANGED');
    const unit = await newUnit(hz);
    const c = await acceptedFirst(unit);
    const eligible = (await get(hz, `/api/cases/${c.id}/eligible-experts`)).json().items;
    expect(eligible.find((e: { id: string }) => e.id === municipal.id).exclusions.map((x: { code: string }) => x.code)).toEqual(['inactive']);
    expect(eligible.find((e: { id: string }) => e.id === provincial.id).eligible).toBe(true);
    const active = (await get(hz, '/api/experts?activeOn=2026-03-02')).json().items.map((e: { id: string }) => e.id);
    expect(active).toContain(provincial.id);
    expect(active).not.toContain(municipal.id);
  });

  it('an application made on an older version of the permit is not approved over a newer one', async () => {
    await at('2026-03-02T02:00:00Z');
    const unit = await newUnit(hz);
    const p = await issued(unit);
    const changeCase = (await post(unit.headers, '/api/cases', { kind: 'change', unitId: unit.id, permitId: p.id, content: samplePermitContent({ specialConditions: ['甲'] }) })).json();
    const other = (await post(unit.headers, '/api/cases', { kind: 'reapplication', unitId: unit.id, permitId: p.id, content: samplePermitContent({ specialConditions: ['乙'] }) })).json();
    for (const c of [changeCase, other]) {
      await materials(unit.headers, c.id);
      await act(unit.headers, c.id, { action: 'submit', expectedVersion: 1 });
      await act(hz, c.id, { action: 'accept', expectedVersion: 2 });
    }
    expect((await act(hz, changeCase.id, { action: 'approve', expectedVersion: 3 })).statusCode).toBe(200);
    const stale = await act(hz, other.id, { action: 'approve', expectedVersion: 3 });
    expect(stale.json()).toMatchObject({ code: 'CASE_NOT_APPLICABLE', details: { reason: 'permit-changed', base: 1, current: 2 } });
    expect((await get(hz, `/api/permits/${p.id}`)).json().content.specialConditions).toEqual(['甲']);
  });

  it('a renewal applied for in time is approved even after the permit\'s last day', async () => {
    await at('2026-03-02T02:00:00Z');
    const unit = await newUnit(hz);
    const p = await issued(unit, '2021-03-06', '2026-03-05');
    const c = (await post(unit.headers, '/api/cases', { kind: 'renewal', unitId: unit.id, permitId: p.id, content: samplePermitContent() })).json();
    await materials(unit.headers, c.id, ['application_form', 'commitment']);
    await act(unit.headers, c.id, { action: 'submit', expectedVersion: 1 });
    const accepted = (await act(hz, c.id, { action: 'accept', expectedVersion: 2 })).json();
    expect(accepted.due).toMatchObject({ date: '2026-03-05', rule: 'renewal_decide_before_expiry' });
    await at('2026-03-09T02:00:00Z');
    const late = await act(hz, c.id, { action: 'approve', expectedVersion: 3 });
    expect(late.statusCode, late.body).toBe(200);
    expect((await get(hz, `/api/permits/${p.id}`)).json()).toMatchObject({ validFrom: '2026-03-06', validTo: '2031-03-05' });
  });

  it('past the notice period an application can be neither refused acceptance nor sent back; a supplement is asked for once', async () => {
    await at('2026-03-02T02:00:00Z');
    const unit = await newUnit(hz);
    const c = (await post(unit.headers, '/api/cases', { kind: 'first', unitId: unit.id, content: samplePermitContent() })).json();
    await act(unit.headers, c.id, { action: 'submit', expectedVersion: 1 });
    expect((await act(hz, c.id, { action: 'request_supplement', expectedVersion: 2, items: ['申请表'] })).statusCode).toBe(200);
    await act(unit.headers, c.id, { action: 'submit', expectedVersion: 3 });
    const again = await act(hz, c.id, { action: 'request_supplement', expectedVersion: 4, items: ['承诺书'] });
    expect(again.json()).toMatchObject({ code: 'CASE_NOT_APPLICABLE', details: { reason: 'supplement-once' } });
    expect((await get(hz, `/api/cases/${c.id}`)).json().allowedActions).toEqual(['accept', 'not_accept']);
    await at('2026-03-09T02:00:00Z');
    const refused = await act(hz, c.id, { action: 'not_accept', expectedVersion: 4, reason: '材料不全' });
    expect(refused.json().code).toBe('CASE_DEEMED_ACCEPTED');
    expect((await get(hz, `/api/cases/${c.id}`)).json().allowedActions).toEqual(['accept']);
  });

  it('quality at the source: the review catalog\'s errors stop a submission, each explained; warnings are shown', async () => {
    await at('2026-03-02T02:00:00Z');
    const unit = await newUnit(hz);
    const c = (await post(unit.headers, '/api/cases', { kind: 'first', unitId: unit.id, content: samplePermitContent({ reports: [{ type: 'annual' }] }) })).json();
    const detail = (await get(unit.headers, `/api/cases/${c.id}`)).json();
    expect(detail.review.map((h: { ruleId: string }) => h.ruleId)).toEqual(expect.arrayContaining(['QR-110', 'QR-112']));
    const refused = await act(unit.headers, c.id, { action: 'submit', expectedVersion: 1 });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().details.problems.map((h: { ruleId: string; severity: string }) => `${h.ruleId}:${h.severity}`)).toEqual(['QR-110:error']);
    expect(refused.json().detail).toContain('[QR-110]');
    await t.app.inject({ method: 'PUT', url: `/api/cases/${c.id}/content`, headers: unit.headers, payload: { expectedVersion: 1, content: samplePermitContent() } });
    expect((await act(unit.headers, c.id, { action: 'submit', expectedVersion: 2 })).statusCode).toBe(200);
  });

  it('a permit reviewed on demand, in scope only; the catalog is public', async () => {
    await at('2026-03-02T02:00:00Z');
    const unit = await newUnit(hz);
    const p = await issued(unit);
    const r = await get(hz, `/api/permits/${p.id}/review`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ permitNumber: p.permitNumber, versionNo: 1 });
    expect(r.json().hits.every((h: { ruleId: string; zh: string }) => /^QR-\d{3}$/.test(h.ruleId) && h.zh.length > 0)).toBe(true);
    expect((await get(nb, `/api/permits/${p.id}/review`)).statusCode).toBe(404);
    const rules = await t.app.inject({ url: '/api/review/rules' });
    expect(rules.json().items.length).toBeGreaterThanOrEqual(40);
  });
});
