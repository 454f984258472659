/**
 * Demo procedures for Hangzhou: a technical agency, a municipal and a provincial expert pool,
 * and cases in every state of every machine, dated in the last weeks so that the officials'
 * queue has cases due, near due and overdue. Written through the cases service (the same
 * checks, history and audit as the console), acting as the demo users, on a clock that steps
 * through the past weeks.
 */
import { and, asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Database } from '../../platform/db.ts';
import { fixedClock, type Clock } from '../../platform/clock.ts';
import { cliActor, type Actor } from '../../platform/actor.ts';
import { chinaDate, chinaWorkCalendar, periodEnd } from '../../platform/work-calendar.ts';
import { createReferenceService } from '../reference/index.ts';
import { createRegistryService, makeCreditCode, registryEntity, registryUnit } from '../registry/index.ts';
import { createPermitsService, permit, PERMIT_VALIDITY_YEARS } from '../permits/index.ts';
import { createCasesService, listTemplates, templateContent } from '../cases/index.ts';
import { createReviewService } from '../review/index.ts';
import { appUser } from '../identity/index.ts';
import type { CaseView } from '../../contracts/cases.ts';
import type { PermitContent } from '../../contracts/permits.ts';

const DAY = 86_400_000;
/** A minimal valid PDF standing for an uploaded document. */
const pdf = (title: string) => Buffer.from(`%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% ${title}\ntrailer<</Root 1 0 R>>\n%%EOF\n`);

/** A demo user as the actor the services take (the CLI's when the user is not there). */
export function demoActor(u: typeof appUser.$inferSelect | undefined, fallback: string): Actor {
  return u ? { userId: u.id, username: u.username, displayName: u.displayName, role: u.role, regionPrefix: u.regionPrefix, entityId: u.entityId, via: 'cli' } : cliActor(fallback);
}

export async function seedDemoCases(database: Database, opts: { clock: Clock; enterpriseEntityId?: string | null }) {
  const { db } = database;
  const now = opts.clock.now().getTime();
  const clock = fixedClock(new Date(now));
  const reference = createReferenceService({ db });
  const registry = createRegistryService({ db, clock, reference, registrationLetter: 'W' });
  const permits = createPermitsService({ db, clock, registry, reference, permitNumberLetter: 'P', pdfFont: { path: '' }, publicBaseUrl: '' });
  const calendar = chinaWorkCalendar();
  const reviewService = createReviewService({ db, clock, reference });
  const cases = createCasesService({ db, clock, registry, permits, reference, review: reviewService, calendar, counting: 'working', nearDays: 3, attachmentMaxBytes: 20 * 1024 * 1024 });
  /** 10:00 China time, `days` calendar days ago */
  const at = (days: number) => clock.set(new Date(Math.floor((now - days * DAY) / DAY) * DAY + 2 * 3_600_000));

  const users = new Map((await db.select().from(appUser)).map((u) => [u.username, u]));
  const as = (username: string) => demoActor(users.get(username), username);
  const official = as('hz-permit');
  const applicantOf = (entityId: string, name: string): Actor => ({ userId: '00000000-0000-0000-0000-000000000000', username: 'demo-applicant', displayName: `${name} 申报员`, role: 'enterprise', regionPrefix: '', entityId, via: 'cli' });

  // The agency and the expert pools.
  const agencyUser = users.get('agency1');
  const agency = await cases.createAgency(cliActor('demo-seed'), { name: '浙江绿环环境技术咨询有限公司', creditCode: makeCreditCode('91330100MA2GREEN1'), regionCode: '330106', userIds: agencyUser ? [agencyUser.id] : [] });
  const other = await cases.createAgency(cliActor('demo-seed'), { name: '杭州清源环境工程咨询有限公司', creditCode: makeCreditCode('91330100MA2QYUAN2'), regionCode: '330105' });
  const pool = async (e: { poolRegion: string; name: string; specialties: string[]; title: string; employer: string; employerAgencyId?: string; userId?: string; activeTo?: string }) =>
    cases.createExpert(cliActor('demo-seed'), { activeFrom: '2024-01-01', ...e });
  const zhou = await pool({ poolRegion: '33', name: '周建华', specialties: ['44', '46'], title: '教授级高工', employer: '浙江大学环境与资源学院', userId: users.get('expert1')?.id });
  const wu = await pool({ poolRegion: '3301', name: '吴敏', specialties: ['30', '44'], title: '高级工程师', employer: '杭州市环境保护科学研究院' });
  await pool({ poolRegion: '3301', name: '郑涛', specialties: ['26', '17'], title: '高级工程师', employer: '杭州清源环境工程咨询有限公司', employerAgencyId: other.id });
  await pool({ poolRegion: '3301', name: '孙丽', specialties: ['46', '77'], title: '研究员', employer: '浙江省环境科技有限公司' });
  await pool({ poolRegion: '33', name: '钱国强', specialties: ['44'], title: '教授级高工', employer: '浙江省电力设计院', activeTo: '2025-12-31' });

  // Sites: Hangzhou key/simplified sites without a permit (applications), with one (changes,
  // renewals, authority cases), and registration-category sites.
  const base = and(sql`${registryUnit.regionCode} like '3301%'`, eq(registryUnit.status, 'active'), sql`${registryUnit.longitude} is not null`);
  const withPermit = db.select({ u: permit.unitId }).from(permit).where(eq(permit.status, 'valid'));
  const cols = { id: registryUnit.id, entityId: registryUnit.entityId, name: registryUnit.name, regionCode: registryUnit.regionCode, industry: registryUnit.industryCode, category: registryUnit.managementCategory, lng: registryUnit.longitude, lat: registryUnit.latitude };
  const fresh = await db.select(cols).from(registryUnit).where(and(base, inArray(registryUnit.managementCategory, ['key', 'simplified']), notInArray(registryUnit.id, withPermit))).orderBy(asc(registryUnit.createdAt), asc(registryUnit.id)).limit(20);
  const registrations = await db.select(cols).from(registryUnit).where(and(base, eq(registryUnit.managementCategory, 'registration'))).orderBy(asc(registryUnit.createdAt), asc(registryUnit.id)).limit(3);
  const names = new Map((await db.select({ id: registryEntity.id, name: registryEntity.name }).from(registryEntity).where(sql`${registryEntity.regionCode} like '3301%'`)).map((e) => [e.id, e.name]));
  const applicant = (u: { entityId: string }) => (opts.enterpriseEntityId === u.entityId ? as('enterprise1') : applicantOf(u.entityId, names.get(u.entityId) ?? ''));

  const templates = listTemplates();
  const contentFor = (u: (typeof fresh)[number]): PermitContent => {
    const tpl = templates.find((t) => t.industryCodes.includes(u.industry)) ?? templates.find((t) => t.id === (u.industry.startsWith('46') ? 'municipal_wwtp' : 'boiler'))!;
    const c = templateContent(tpl.id, { longitude: u.lng, latitude: u.lat }, clock.now())!;
    const year = Number(chinaDate(clock.now()).slice(0, 4));
    const amounts: Record<string, number> = { SO2: 86.4, NOx: 120.5, particulate: 21.6, COD: 912.5, 'NH3-N': 91.3, TN: 273.8, TP: 9.1 };
    return {
      ...c,
      managementCategory: u.category as 'key' | 'simplified',
      // a limit the template could not fill (cement) is filled here as an applicant would, from GB 4915-2013
      outlets: c.outlets.map((o) => ({ ...o, pollutants: o.pollutants.map((p) => (p.limit ? p : { ...p, limit: { direction: 'max' as const, value: p.pollutantCode === 'a34013' ? 30 : p.pollutantCode === 'a21026' ? 200 : 400, unit: 'mg/m3' } })) })),
      permittedQuantities: tpl.permittedFactors.map((f) => ({ factor: f, year, amount: amounts[f] ?? 10, unit: 't/a' as const })),
    };
  };
  const step = (c: CaseView, actor: Actor, action: Parameters<typeof cases.act>[2]['action'], extra: Partial<Parameters<typeof cases.act>[2]> = {}) => cases.act(actor, c.id, { action, expectedVersion: c.version, ...extra });
  const materials = async (c: CaseView, u: { entityId: string }) => {
    for (const [kind, file] of [['application_form', '排污许可证申请表.pdf'], ['commitment', '承诺书.pdf'], ['eia_approval', '环评批复.pdf']] as const) {
      await cases.addAttachment(applicant(u), c.id, { kind, fileName: file, data: pdf(file) });
    }
  };
  /** A first application opened and submitted `days` ago (with its materials). */
  const submitted = async (u: (typeof fresh)[number], days: number, prepared = true) => {
    at(days);
    let c = await cases.openCase(applicant(u), { kind: 'first', unitId: u.id, content: contentFor(u), preparedByAgencyId: prepared ? agency.id : undefined });
    await materials(c, u);
    c = await step(c, applicant(u), 'submit');
    return c;
  };
  const accepted = async (u: (typeof fresh)[number], days: number) => step(await submitted(u, days), official, 'accept');
  const review = (c: CaseView, days: number, outcome: 'no_problem' | 'problems_found' = 'no_problem') => {
    at(days);
    return cases.recordOnSiteReview(official, c.id, c.version, { reviewDate: chinaDate(clock.now()), people: ['王科长', '林工'], findings: outcome === 'no_problem' ? '生产设施、治理设施与申请一致；排放口已规范化设置标志牌。' : '脱硫设施旁路未拆除，与申请材料不符，需整改。', outcome }).then((r) => r.case);
  };

  let n = 0;
  const u = (i: number) => fresh[i];
  // The demo enterprise gets two new boiler houses: one with a draft application begun from the
  // boiler template, one without, for a visitor to apply for (its older sites hold permits).
  const own: (typeof fresh)[number][] = [];
  if (opts.enterpriseEntityId) {
    const [site] = await db.select(cols).from(registryUnit).where(eq(registryUnit.entityId, opts.enterpriseEntityId)).orderBy(asc(registryUnit.createdAt)).limit(1);
    if (site) {
      at(3);
      for (const [k, suffix] of ['二期热力站', '三期热力站'].entries()) {
        const created = await registry.createUnit(cliActor('demo-seed'), { entityId: site.entityId, name: `${names.get(site.entityId) ?? site.name}${suffix}`, regionCode: site.regionCode, industryCode: '4430', managementCategory: 'key', address: `${site.name}东侧 ${k + 1} 号`, longitude: (site.lng ?? 120.15) + 0.002 * (k + 1), latitude: site.lat ?? 30.28 });
        own.push({ id: created.id, entityId: created.entityId, name: created.name, regionCode: created.regionCode, industry: created.industryCode, category: created.managementCategory, lng: created.longitude, lat: created.latitude });
      }
    }
  }
  const draftSite = own[0] ?? u(0);
  if (draftSite) {
    at(1);
    await cases.openCase(applicant(draftSite), { kind: 'first', unitId: draftSite.id, templateId: (templates.find((t) => t.industryCodes.includes(draftSite.industry)) ?? templates[1]).id });
    n++;
  }
  if (u(1)) (await submitted(u(1), 0), n++); // submitted today
  if (u(2)) (await submitted(u(2), 9), n++); // notice period over: deemed accepted
  if (u(3)) {
    const c = await submitted(u(3), 2);
    await step(c, official, 'request_supplement', { items: ['自行监测方案中缺少汞及其化合物的监测频次', '环评批复文件不清晰，请重新扫描上传'] });
    n++;
  }
  if (u(4)) (await accepted(u(4), 60), n++); // overdue
  if (u(5)) {
    // near due: accepted so that its period ends within two working days
    const key = u(5).category === 'key' ? 30 : 20;
    let days = 1;
    while (calendar.workingDaysBetween(chinaDate(new Date(now - days * DAY)), chinaDate(new Date(now))) < key - 2) days++;
    await accepted(u(5), days);
    n++;
  }
  if (u(6)) {
    const c = await accepted(u(6), 12);
    at(11);
    await step(c, official, 'assign_evaluation', { expertIds: [zhou.id, wu.id] });
    n++;
  }
  if (u(7)) {
    let c = await accepted(u(7), 20);
    at(19);
    c = await step(c, official, 'assign_evaluation', { agencyId: other.id });
    c = await review(c, 15);
    at(12);
    // the department records the agency's report
    await step(c, official, 'complete_evaluation', { conclusion: 'pass_with_changes', reason: '杭州清源环境工程咨询有限公司评估意见：建议补充无组织排放控制要求，其余符合技术规范。' });
    n++;
  }
  for (const [i, onSite] of [[8, true], [9, false], [10, true]] as const) {
    if (!u(i)) continue;
    let c = await accepted(u(i), 30 + i);
    if (onSite) c = await review(c, 25 + i);
    at(20);
    await step(c, official, 'approve');
    n++;
  }
  if (u(11)) {
    let c = await accepted(u(11), 28);
    c = await review(c, 24, 'problems_found');
    at(18);
    await step(c, official, 'refuse', { reason: '现场核查发现脱硫设施旁路未拆除，不符合《排污许可管理条例》第十一条许可条件。' });
    n++;
  }
  if (u(12)) {
    const c = await submitted(u(12), 15, false);
    at(13);
    await step(c, official, 'not_accept', { reason: '申请事项不属于本机关职权范围（该单位生产经营场所已迁至外市）。' });
    n++;
  }
  if (u(13)) {
    const c = await submitted(u(13), 7);
    at(6);
    await step(c, applicant(u(13)), 'withdraw', { reason: '企业决定调整产能后重新申请' });
    n++;
  }

  // On permitted sites: a change, a renewal, and the authority's cases. A small demo region may
  // have too few permits in Hangzhou: the remaining fresh sites get one, issued a year ago.
  for (let i = 14; i < fresh.length; i++) {
    at(365 + i);
    await permits.issuePermit(official, { unitId: u(i).id, content: { ...contentFor(u(i)), validFrom: chinaDate(clock.now()), validTo: periodEnd(chinaDate(clock.now()), PERMIT_VALIDITY_YEARS) }, issuedOn: chinaDate(clock.now()) });
  }
  const permitted = await db
    .select({ ...cols, permitId: permit.id })
    .from(registryUnit)
    .innerJoin(permit, and(eq(permit.unitId, registryUnit.id), eq(permit.status, 'valid')))
    .where(and(base, notInArray(registryUnit.id, fresh.slice(0, 14).map((x) => x.id))))
    .orderBy(asc(registryUnit.createdAt), asc(registryUnit.id))
    .limit(6);
  const p = (i: number) => permitted[i];
  const permitContent = async (i: number) => (await permits.getPermit(cliActor('demo-seed'), p(i).permitId)).content;
  if (p(0)) {
    at(8);
    let c = await cases.openCase(applicant(p(0)), { kind: 'change', unitId: p(0).id, permitId: p(0).permitId, content: { ...(await permitContent(0)), specialConditions: ['法定代表人变更'] } });
    await cases.addAttachment(applicant(p(0)), c.id, { kind: 'application_form', fileName: '变更申请表.pdf', data: pdf('change') });
    await cases.addAttachment(applicant(p(0)), c.id, { kind: 'commitment', fileName: '承诺书.pdf', data: pdf('commitment') });
    c = await step(c, applicant(p(0)), 'submit');
    await step(c, official, 'accept');
    n++;
  }
  if (p(1)) {
    at(3);
    const c = await cases.openCase(applicant(p(1)), { kind: 'renewal', unitId: p(1).id, permitId: p(1).permitId, content: await permitContent(1) });
    await cases.addAttachment(applicant(p(1)), c.id, { kind: 'application_form', fileName: '延续申请表.pdf', data: pdf('renewal') });
    await step(c, applicant(p(1)), 'submit');
    n++;
  }
  if (p(2)) {
    at(4);
    await cases.openCase(official, { kind: 'cancellation', unitId: p(2).id, permitId: p(2).permitId, grounds: '经核实，该单位已于本年度停产并注销营业执照，依《行政许可法》第七十条应办理注销。' });
    n++;
  }
  if (p(3)) {
    at(10);
    const c = await cases.openCase(official, { kind: 'penaltyRevocation', unitId: p(3).id, permitId: p(3).permitId, grounds: '在线监测数据显示二氧化硫连续超过许可排放浓度，情节严重（《排污许可管理条例》第三十四条）。' });
    at(9);
    await step(c, official, 'notify_hearing', { reason: '已送达《行政处罚事先告知书》，告知拟吊销排污许可证及申请听证的权利。' });
    n++;
  }
  if (p(4)) {
    at(14);
    const c = await cases.openCase(official, { kind: 'revocation', unitId: p(4).id, permitId: p(4).permitId, grounds: '申请时提供虚假的环评批复文件，以欺骗手段取得排污许可证（《排污许可管理条例》第四十条）。' });
    at(5);
    await step(c, official, 'decide', { reason: '依《行政许可法》第六十九条第二款撤销该排污许可证。' });
    n++;
  }
  if (p(5)) {
    at(12);
    const c = await cases.openCase(official, { kind: 'cancellation', unitId: p(5).id, permitId: p(5).permitId, grounds: '群众反映该单位已停产。' });
    at(7);
    await step(c, official, 'drop', { reason: '现场核查：该单位正常生产，停产信息不实，终止注销程序。' });
    n++;
  }

  // Registrations: submitted, returned, recorded.
  for (const [i, end] of [[0, 'submitted'], [1, 'returned'], [2, 'recorded']] as const) {
    const r = registrations[i];
    if (!r) continue;
    at(5 - i);
    let c = await cases.openCase(applicant(r), { kind: 'registration', unitId: r.id });
    c = await step(c, applicant(r), 'submit');
    if (end === 'returned') await step(c, official, 'return', { reason: '排放去向填写不完整，请补充纳管污水处理厂名称。' });
    if (end === 'recorded') await step(c, official, 'record');
    n++;
  }
  return { cases: n, experts: 5, agencies: 2 };
}
