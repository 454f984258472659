import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from './db.ts';

/** PostgreSQL type of a column for a bulk insert; `text[]` columns travel as joined text. */
/** `jsonb-text`: values that are already JSON text (or null). */
export type BulkColumnType = 'uuid' | 'text' | 'integer' | 'bigint' | 'double precision' | 'timestamptz' | 'date' | 'boolean' | 'jsonb' | 'jsonb-text' | 'text[]';

/** Separator for `text[]` cells: a control character that the callers strip from values. */
const ARRAY_SEP = '\u0001';

function toParam(type: BulkColumnType, values: unknown[]): unknown[] {
  switch (type) {
    case 'jsonb':
      return values.map((v) => (v === null || v === undefined ? null : JSON.stringify(v)));
    case 'timestamptz':
      return values.map((v) => (v instanceof Date ? v.toISOString() : (v ?? null)));
    case 'text[]':
      return values.map((v) => (Array.isArray(v) ? v.join(ARRAY_SEP) : null));
    default:
      return values.map((v) => (v === undefined ? null : v));
  }
}

/**
 * Insert many rows with one array parameter per column (`insert … select from unnest(…)`):
 * the statement is the same size for 10 rows or 10,000, so building it costs nothing and the
 * server parses it once. Works on PostgreSQL 15 and PGlite alike.
 */
export async function bulkInsert(tx: Tx, table: string, columns: [name: string, type: BulkColumnType][], rows: unknown[][], chunk = 10_000): Promise<void> {
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const params: SQL[] = [];
    const selects: SQL[] = [];
    columns.forEach(([, type], i) => {
      const values = toParam(type, part.map((r) => r[i]));
      const arrayType = type === 'jsonb' || type === 'jsonb-text' || type === 'text[]' ? 'text' : type;
      params.push(sql`${sql.param(values)}::${sql.raw(arrayType)}[]`);
      const c = sql.raw(`c${i}`);
      selects.push(type === 'jsonb' || type === 'jsonb-text' ? sql`${c}::jsonb` : type === 'text[]' ? sql`string_to_array(${c}, chr(1))` : c);
    });
    const names = sql.raw(columns.map(([n]) => `"${n}"`).join(', '));
    const aliases = sql.raw(columns.map((_, i) => `c${i}`).join(', '));
    await tx.execute(
      sql`insert into ${sql.raw(`"${table}"`)} (${names}) select ${sql.join(selects, sql`, `)} from unnest(${sql.join(params, sql`, `)}) as u(${aliases})`,
    );
  }
}
