import { and, asc, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../platform/db.ts';
import type { Clock } from '../../platform/clock.ts';
import { cliActor } from '../../platform/actor.ts';
import { chinaDate, periodEnd } from '../../platform/work-calendar.ts';
import { createReferenceService } from '../reference/index.ts';
import { createRegistryService, registryUnit } from '../registry/index.ts';
import { createPermitsService, PERMIT_VALIDITY_YEARS, samplePermitContent } from '../permits/index.ts';
import type { PermitContent } from '../../contracts/permits.ts';
import { seededRandom } from './demo.generator.ts';
import { DEFECTS, individualise } from './demo.corpus.ts';

/**
 * Defects a demo permit may carry (one in three key boiler houses): warnings a permit can be
 * issued with. (Error-level ones would stop the demo's change and renewal applications built on
 * these permits at submit, as they should.)
 */
const DEMO_DEFECTS = DEFECTS.filter((d) => ['QR-103', 'QR-104', 'QR-111', 'QR-112', 'QR-114', 'QR-119'].includes(d.ruleId));

/** A municipal wastewater plant's permit (GB 18918-2002 Class 1A, daily means). */
function wastewaterContent(base: PermitContent): PermitContent {
  const outlet = base.outlets[1];
  return {
    ...base,
    productionFacilities: [{ code: 'MF0001', name: '污水处理生产线（A²/O）', capacity: { value: 50_000, unit: 't/d' } }],
    controlFacilities: [{ code: 'TW001', name: '生化处理及深度处理设施', process: 'A²/O + 深床滤池' }],
    outlets: [
      {
        ...outlet,
        kind: 'main',
        name: '污水处理厂总排口',
        receivingWater: '钱塘江',
        pollutants: [
          { pollutantCode: 'w01018', standard: 'GB 18918-2002', limit: { direction: 'max', value: 50, unit: 'mg/L' } },
          { pollutantCode: 'w21003', standard: 'GB 18918-2002', limit: { direction: 'max', value: 5, unit: 'mg/L' } },
          { pollutantCode: 'w21011', standard: 'GB 18918-2002', limit: { direction: 'max', value: 0.5, unit: 'mg/L' } },
          { pollutantCode: 'w01001', standard: 'GB 18918-2002', limit: { direction: 'range', low: 6, high: 9, unit: 'pH' } },
        ],
      },
    ],
    permittedQuantities: [
      { factor: 'COD', year: Number(base.validFrom.slice(0, 4)), amount: 912.5, unit: 't/a', outletCode: 'DW001' },
      { factor: 'NH3-N', year: Number(base.validFrom.slice(0, 4)), amount: 91.25, unit: 't/a', outletCode: 'DW001' },
    ],
    selfMonitoring: [
      { outletCode: 'DW001', pollutantCode: 'w01018', frequency: '自动监测', mode: 'automatic', method: 'HJ 353-2019' },
      { outletCode: 'DW001', pollutantCode: 'w21003', frequency: '自动监测', mode: 'automatic' },
      { outletCode: 'DW001', pollutantCode: 'w21011', frequency: '1次/日', mode: 'manual', method: 'GB 11893-89' },
      { outletCode: 'DW001', pollutantCode: 'w01001', frequency: '1次/日', mode: 'manual' },
    ],
  };
}

/** The boiler house with every limited pollutant monitored: the stack automatically, the wastewater quarterly by hand. */
function boilerContent(base: PermitContent): PermitContent {
  return {
    ...base,
    selfMonitoring: [
      ...base.outlets[0].pollutants.filter((p) => p.limit).map((p) => ({ outletCode: base.outlets[0].code, pollutantCode: p.pollutantCode, frequency: '自动监测', mode: 'automatic' as const, method: 'HJ 75-2017' })),
      ...base.outlets[1].pollutants.filter((p) => p.limit).map((p) => ({ outletCode: base.outlets[1].code, pollutantCode: p.pollutantCode, frequency: '1次/季度', mode: 'manual' as const })),
    ],
  };
}

/**
 * Permits for the demo region's key and simplified units (at most `max`, the oldest units first,
 * so the same seed gives the same permits): a boiler-house or wastewater-plant content placed at
 * the unit, issued on a seeded date in the last five years, and one in four changed once since
 * (SO2 limit tightened), so that version comparison has something to show.
 */
export async function seedDemoPermits(database: Database, opts: { clock: Clock; max: number; seed?: number }) {
  const reference = createReferenceService({ db: database.db });
  const registry = createRegistryService({ db: database.db, clock: opts.clock, reference, registrationLetter: 'W' });
  // (seeding renders no PDF: no font, no public address)
  const permits = createPermitsService({ db: database.db, clock: opts.clock, registry, reference, permitNumberLetter: 'P', pdfFont: { path: '' }, publicBaseUrl: '' });
  const actor = cliActor('demo-seed');
  const units = await database.db
    .select({ id: registryUnit.id, industry: registryUnit.industryCode, category: registryUnit.managementCategory, lng: registryUnit.longitude, lat: registryUnit.latitude })
    .from(registryUnit)
    .where(and(inArray(registryUnit.managementCategory, ['key', 'simplified']), sql`${registryUnit.status} = 'active'`))
    .orderBy(asc(registryUnit.createdAt), asc(registryUnit.id))
    .limit(opts.max);
  const rnd = seededRandom(opts.seed ?? 2026);
  let issued = 0;
  let changed = 0;
  let defects = 0;
  for (const u of units) {
    // issued 0–4 years ago, valid five years from then
    const daysAgo = rnd.int(1, 4 * 365);
    const issuedOn = chinaDate(new Date(opts.clock.now().getTime() - daysAgo * 86_400_000));
    const y = Number(issuedOn.slice(0, 4));
    const validTo = periodEnd(issuedOn, PERMIT_VALIDITY_YEARS);
    let content = samplePermitContent({ managementCategory: u.category as 'key' | 'simplified', validFrom: issuedOn, validTo, rectifications: [] });
    content = u.industry.startsWith('462') ? wastewaterContent(content) : boilerContent(content);
    content = {
      ...content,
      outlets: content.outlets.map((o, i) => ({ ...o, longitude: (u.lng ?? o.longitude) + i * 0.0005, latitude: u.lat ?? o.latitude })),
      permittedQuantities: content.permittedQuantities.map((q) => ({ ...q, year: y })),
    };
    // each boiler house in its own words (two sites' permits differ unless one was copied)
    if (content.outlets[0].code === 'DA001') {
      const own = { content, permitNumber: '', issuedOn, unit: { regionCode: '', industryCode: u.industry, managementCategory: 'key' as const }, today: issuedOn };
      individualise(own, rnd, issued);
      content.rectifications = [];
    }
    // realistic defects for the quality review to find (the labelled corpus's injectors)
    if (content.outlets[0].code === 'DA001' && u.category === 'key' && rnd.int(0, 2) === 0) {
      const defect = rnd.pick(DEMO_DEFECTS);
      defect.inject({ content, permitNumber: '', issuedOn, unit: { regionCode: '', industryCode: u.industry, managementCategory: 'key' }, today: issuedOn }, rnd);
      defects++;
    }
    const { permit } = await permits.issuePermit(actor, { unitId: u.id, content, issuedOn });
    issued++;
    if (rnd.int(0, 3) === 0 && content.outlets[0].code === 'DA001') {
      const tighter = structuredClone(content);
      tighter.outlets[0].pollutants = tighter.outlets[0].pollutants.map((p) => (p.pollutantCode === 'a21026' && p.limit?.direction === 'max' ? { ...p, limit: { ...p.limit, value: 200 } } : p));
      await permits.changePermit(actor, permit.id, { expectedVersion: 1, reason: 'change', content: tighter, note: '执行特别排放限值' });
      changed++;
    }
  }
  return { permits: issued, changed, defects };
}
