import { sql } from 'drizzle-orm';
import type { Database } from '../../platform/db.ts';
import type { Clock } from '../../platform/clock.ts';
import { cliActor } from '../../platform/actor.ts';
import { createReferenceService } from '../reference/index.ts';
import { bulkInsertUnits, registryEntity } from '../registry/index.ts';
import { createIdentityService } from '../identity/index.ts';
import { DEMO_INDUSTRIES, DEMO_PASSWORD, DEMO_PROVINCE, DEMO_USERS } from './demo.data.ts';
import { generateDemoRows, type DemoCounty } from './demo.generator.ts';
import { seedDemoPermits } from './demo.permits.ts';
import { seedDemoCases } from './demo.cases.ts';
import { seedDemoReview } from './demo.review.ts';

export { DEMO_PASSWORD, DEMO_USERS } from './demo.data.ts';
export { generateDemoRows, seededRandom } from './demo.generator.ts';

/** Counties of the demo province in use today, with their city. */
export async function demoCounties(database: Database): Promise<DemoCounty[]> {
  const reference = createReferenceService({ db: database.db });
  const cities = (await reference.listRegions({ parent: DEMO_PROVINCE.code })).filter((c) => c.level === 'prefecture');
  const out: DemoCounty[] = [];
  for (const city of cities) {
    for (const county of await reference.listRegions({ parent: city.code.slice(0, 4) })) {
      if (county.level === 'county') out.push({ code: county.code, name: county.name, cityCode: city.code.slice(0, 4), cityName: city.name });
    }
  }
  if (out.length === 0) throw new Error('demo: no counties found for the demo province; is reference data loaded?');
  for (const ind of DEMO_INDUSTRIES) {
    if (!(await reference.isIndustryClass(ind.code))) throw new Error(`demo: industry ${ind.code} is not a GB/T 4754-2017 class`);
  }
  return out;
}

/**
 * `ecopermit seed demo`: a deterministic region (same seed, same data) written through the
 * registry's bulk path (with audit events), plus one demo login per role.
 */
export async function seedDemo(database: Database, opts: { clock: Clock; units: number; seed?: number; log?: (m: string) => void }) {
  const counties = await demoCounties(database);
  const rows = generateDemoRows(counties, opts.units, opts.seed ?? 2022);
  const actor = cliActor('demo-seed');
  const written = rows.length ? await bulkInsertUnits(database.db, opts.clock, actor, rows, new Map()) : { units: 0, entities: 0 };
  opts.log?.(`demo: ${written.units} units / ${written.entities} entities`);
  const identity = createIdentityService({ db: database.db, clock: opts.clock, options: { sessionTtlMinutes: 120, maxFailures: 5, lockMinutes: 15 } });
  // The enterprise demo user belongs to the first generated entity in Hangzhou.
  const firstHz = rows.find((r) => r.regionCode.startsWith('3301')) ?? rows[0];
  let users = 0;
  for (const u of DEMO_USERS) {
    if (await identity.getUserByUsername(u.username)) continue;
    let entityId: string | null = null;
    if (u.enterprise) {
      if (!firstHz) continue;
      const [e] = await database.db.select({ id: registryEntity.id }).from(registryEntity).where(sql`${registryEntity.creditCode} = ${firstHz.creditCode}`);
      entityId = e?.id ?? null;
      if (!entityId) continue;
    }
    await identity.createUser(actor, { username: u.username, displayName: u.displayName, password: DEMO_PASSWORD, role: u.role, regionPrefix: u.regionPrefix, entityId });
    users++;
  }
  const seeded = await seedDemoPermits(database, { clock: opts.clock, max: Math.min(200, Math.ceil(opts.units / 10)), seed: opts.seed });
  opts.log?.(`demo: ${seeded.permits} permits (${seeded.changed} changed once, ${seeded.defects} with a defect for the review to find)`);
  const enterprise = await identity.getUserByUsername('enterprise1');
  const procedures = await seedDemoCases(database, { clock: opts.clock, enterpriseEntityId: enterprise?.entityId ?? null });
  opts.log?.(`demo: ${procedures.cases} permit cases, ${procedures.experts} experts, ${procedures.agencies} agencies`);
  const quality = await seedDemoReview(database, { clock: opts.clock });
  opts.log?.(`demo: a quality-review sweep of Hangzhou, ${quality.items} ledger items, ${quality.plan ? `a review plan (${quality.tasksDone} task completed)` : 'no review plan (no permit issued in the last eight quarters)'}`);
  return { units: written.units, entities: written.entities, users, permits: seeded.permits, cases: procedures.cases };
}

/** First start: load the demo region only into an empty database. */
export async function seedDemoIfEmpty(database: Database, opts: { clock: Clock; units: number; log?: (m: string) => void }) {
  const [r] = (await database.db.execute(sql`select (select count(*) from registry_unit)::int as units, (select count(*) from app_user)::int as users`)).rows as { units: number; users: number }[];
  if (r.units > 0 || r.users > 0) return;
  opts.log?.(`empty database: loading the demo region (${opts.units} units)…`);
  await seedDemo(database, opts);
}
