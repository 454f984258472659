// The demo region on a real database: units, users, and permits whose content passes the
// permit checks, some with a second version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/helpers.ts';
import { fixedClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db.ts';
import { checkPermitContent } from '../permits/index.ts';
import { seedDemo } from './index.ts';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.close());

describe('the demo region', () => {
  it('loads units, users and permits whose content passes the checks, some changed once', async () => {
    const clock = fixedClock('2026-11-29T02:00:00Z');
    const r = await seedDemo(database, { clock, units: 300, seed: 11 });
    expect(r).toMatchObject({ units: 300, permits: 30 });
    const rows = (await database.pool.query("select p.permit_number, p.current_version, v.content, u.management_category from permit p join permit_version v on v.permit_id = p.id and v.version_no = p.current_version join registry_unit u on u.id = p.unit_id")).rows;
    expect(rows).toHaveLength(30);
    for (const row of rows) {
      expect(checkPermitContent(row.content).filter((p) => p.severity === 'error')).toEqual([]);
      expect(row.content.managementCategory).toBe(row.management_category);
      expect(row.permit_number).toMatch(/^[0-9A-Z]{18}\d{3}P$/);
    }
    expect(rows.some((x) => x.current_version === 2)).toBe(true);
    const wastewater = rows.filter((x) => x.content.outlets[0].code === 'DW001');
    for (const w of wastewater) expect(w.content.outlets[0].pollutants.every((p: { standard: string }) => p.standard === 'GB 18918-2002')).toBe(true);
  });
});
