import { and, eq } from 'drizzle-orm';
import type { Db } from '../../platform/db.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Actor } from '../../platform/actor.ts';
import { chinaDate } from '../../platform/work-calendar.ts';
import { NotFoundError } from '../../platform/errors.ts';
import type { PermitContent } from '../../contracts/permits.ts';
import type { ManagementCategory } from '../../contracts/registry.ts';
import { registryUnit, unitScope } from '../registry/index.ts';
import { permit, permitVersion } from '../permits/index.ts';
import type { ReferenceService } from '../reference/index.ts';
import { runRules, type RuleHit } from './review.catalog.ts';

export type ReviewService = ReturnType<typeof createReviewService>;

/**
 * The catalog where permits are made and kept: over an application's content (before submit, at
 * acceptance) and over a stored permit on demand. The reference tables are read through the
 * reference service (its snapshot is cached there).
 */
export function createReviewService(deps: { db: Db; clock: Clock; reference: Pick<ReferenceService, 'listEmissionLimits' | 'listStandards'> }) {
  const { db, clock } = deps;

  async function tables() {
    const limits = await deps.reference.listEmissionLimits();
    const referenceOxygen = (await deps.reference.listStandards()).flatMap((s) => s.referenceOxygen.map((o) => ({ standard: s.standard, percent: o.percent, confidence: o.confidence })));
    return { limits, referenceOxygen };
  }

  return {
    /** The rules over a content (an application's, or a permit's), with the site's registry facts. */
    async reviewContent(input: { content: PermitContent; permitNumber?: string; issuedOn?: string; unit?: { regionCode: string; industryCode: string; managementCategory: ManagementCategory | null } }): Promise<RuleHit[]> {
      return runRules({ ...input, today: chinaDate(clock.now()), ...(await tables()) });
    },

    /** The rules over a stored permit's current version, for a caller who may see it. @throws NotFoundError */
    async reviewPermit(actor: Actor, permitId: string) {
      const [r] = await db
        .select({ number: permit.permitNumber, content: permitVersion.content, issuedOn: permitVersion.issuedOn, versionNo: permitVersion.versionNo, region: registryUnit.regionCode, industry: registryUnit.industryCode, category: registryUnit.managementCategory })
        .from(permit)
        .innerJoin(permitVersion, and(eq(permitVersion.permitId, permit.id), eq(permitVersion.versionNo, permit.currentVersion)))
        .innerJoin(registryUnit, eq(registryUnit.id, permit.unitId))
        .where(and(eq(permit.id, permitId), unitScope(actor)));
      if (!r) throw new NotFoundError({ zh: '排污许可证', en: 'permit' });
      const hits = runRules({ content: r.content as PermitContent, permitNumber: r.number, issuedOn: r.versionNo === 1 ? r.issuedOn : undefined, unit: { regionCode: r.region, industryCode: r.industry, managementCategory: r.category as ManagementCategory | null }, today: chinaDate(clock.now()), ...(await tables()) });
      return { permitNumber: r.number, versionNo: r.versionNo, hits };
    },
  };
}
