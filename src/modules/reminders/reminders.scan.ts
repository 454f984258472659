import { sql } from 'drizzle-orm';
import type { Db } from '../../platform/db.ts';
import type { Actor } from '../../platform/actor.ts';
import { ValidationError } from '../../platform/errors.ts';
import { civilDate, dayNumber } from '../../platform/work-calendar.ts';
import { lifecycleRules } from '../cases/index.ts';

export interface ExpiryRow {
  kind: 'permit' | 'registration';
  id: string;
  number: string;
  unitId: string;
  unitName: string;
  regionCode: string;
  /** the last valid day */
  validTo: string;
  /** days from today to the last valid day (0 on it, negative once expired) */
  daysLeft: number;
  /** expired from the day after the last valid day */
  state: 'expiring' | 'expired';
  /** the last day to apply for continuation (延续): permits 60 days before (条例 Art.14), registrations 20 (登记指南) */
  applyBy: string;
  /** a continuation (renewal) case for the permit is open or approved */
  continuationApplied: boolean;
}


/**
 * 到期提醒 (issue 5 item 2, the scan): valid permits and registrations of the caller's
 * jurisdiction whose last valid day is within `within` days of `today`, and those already past it
 * (still valid in the register: not renewed, not cancelled). Reads only; sends nothing.
 */
export async function scanExpiry(db: Db, actor: Actor, q: { today: string; within: number; limit?: number }): Promise<ExpiryRow[]> {
  const today = dayNumber(q.today);
  if (!Number.isInteger(q.within) || q.within < 0 || q.within > 3660) throw new ValidationError({ zh: '提前天数应为 0–3660 的整数', en: 'within must be a whole number of days, 0–3660' });
  const rules = lifecycleRules();
  const permitLead = rules.days('renewal_apply_lead');
  const registrationLead = rules.days('reg_renewal');
  const until = civilDate(today + q.within);
  const prefix = `${actor.regionPrefix}%`;
  const limit = q.limit ?? 100_000;
  const res = await db.execute(sql`
    select 'permit' as kind, p.id, p.permit_number as number, p.unit_id, u.name as unit_name, p.region_code, p.valid_to::text as valid_to,
           exists (select 1 from permit_case c where c.permit_id = p.id and c.kind = 'renewal' and c.state not in ('withdrawn', 'dropped', 'refused', 'not_accepted')) as applied
      from permit p join registry_unit u on u.id = p.unit_id
     where p.status = 'valid' and p.valid_to <= ${until}::date and p.region_code like ${prefix}
    union all
    select 'registration', r.id, r.registration_number, r.unit_id, u.name, r.region_code, r.valid_until::text, false
      from registry_registration r join registry_unit u on u.id = r.unit_id
     where r.status = 'valid' and r.valid_until <= ${until}::date and r.region_code like ${prefix}
     order by 7, 3
     limit ${limit}`);
  return (res.rows as { kind: 'permit' | 'registration'; id: string; number: string; unit_id: string; unit_name: string; region_code: string; valid_to: string; applied: boolean }[]).map((r) => {
    const daysLeft = dayNumber(r.valid_to) - today;
    return {
      kind: r.kind,
      id: r.id,
      number: r.number,
      unitId: r.unit_id,
      unitName: r.unit_name,
      regionCode: r.region_code,
      validTo: r.valid_to,
      daysLeft,
      state: daysLeft < 0 ? 'expired' : 'expiring',
      applyBy: civilDate(dayNumber(r.valid_to) - (r.kind === 'permit' ? permitLead : registrationLead)),
      continuationApplied: r.applied,
    };
  });
}
