/**
 * Running the catalog over stored permits: one (by number) or every permit the caller may see,
 * in pages, with the site's registry facts and the reference tables as they are now. (The batch
 * sweep as a resumable background job with stored results is the next slice of issue 4.)
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db.ts';
import type { Actor } from '../../platform/actor.ts';
import { chinaDate } from '../../platform/work-calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { PermitContent } from '../../contracts/permits.ts';
import type { ManagementCategory } from '../../contracts/registry.ts';
import { registryUnit, unitScope } from '../registry/index.ts';
import { permit, permitVersion } from '../permits/index.ts';
import type { ReferenceService } from '../reference/index.ts';
import { runRules, type RuleHit } from './review.catalog.ts';

export interface PermitReview {
  permitId: string;
  permitNumber: string;
  regionCode: string;
  hits: RuleHit[];
}

export async function* reviewPermits(
  deps: { db: Db; clock: Clock; reference: Pick<ReferenceService, 'listEmissionLimits' | 'listStandards'> },
  actor: Actor,
  opts: { permitNumber?: string; pageSize?: number },
): AsyncGenerator<PermitReview> {
  const { db } = deps;
  const limits = await deps.reference.listEmissionLimits();
  const referenceOxygen = (await deps.reference.listStandards()).flatMap((s) => s.referenceOxygen.map((o) => ({ standard: s.standard, percent: o.percent, confidence: o.confidence })));
  const today = chinaDate(deps.clock.now());
  const pageSize = opts.pageSize ?? 1000;
  let after = '';
  for (;;) {
    const rows = await db
      .select({ id: permit.id, number: permit.permitNumber, region: permit.regionCode, content: permitVersion.content, issuedOn: permitVersion.issuedOn, versionNo: permitVersion.versionNo, unitRegion: registryUnit.regionCode, industry: registryUnit.industryCode, category: registryUnit.managementCategory })
      .from(permit)
      .innerJoin(permitVersion, and(eq(permitVersion.permitId, permit.id), eq(permitVersion.versionNo, permit.currentVersion)))
      .innerJoin(registryUnit, eq(registryUnit.id, permit.unitId))
      .where(and(unitScope(actor), eq(permit.status, 'valid'), opts.permitNumber ? eq(permit.permitNumber, opts.permitNumber) : sql`true`, after ? gt(permit.id, after) : sql`true`))
      .orderBy(asc(permit.id))
      .limit(pageSize);
    for (const r of rows) {
      // the issue date bears on the validity's start for the first version only (a change keeps the period)
      const hits = runRules({ content: r.content as PermitContent, permitNumber: r.number, issuedOn: r.versionNo === 1 ? r.issuedOn : undefined, unit: { regionCode: r.unitRegion, industryCode: r.industry, managementCategory: r.category as ManagementCategory | null }, today, limits, referenceOxygen });
      yield { permitId: r.id, permitNumber: r.number, regionCode: r.region, hits };
    }
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].id;
  }
}
