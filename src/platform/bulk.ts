import { sql } from 'drizzle-orm';
import type { Tx } from './db.ts';

/** PostgreSQL type of a column for a bulk insert; `text[]` columns travel as joined text. */
/** `jsonb-text`: values that are already JSON text (or null). */
export type BulkColumnType = 'uuid' | 'text' | 'integer' | 'bigint' | 'double precision' | 'timestamptz' | 'date' | 'boolean' | 'jsonb' | 'jsonb-text' | 'text[]';

/** Separator for `text[]` cells: a control character that the callers strip from values. */
const ARRAY_SEP = '\u0001';

/** One cell as the JSON value it travels as (JSON columns travel as their text). */
function cellValue(type: BulkColumnType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'jsonb':
      return JSON.stringify(v);
    case 'timestamptz':
      return v instanceof Date ? v.toISOString() : v;
    case 'text[]':
      return Array.isArray(v) ? v.join(ARRAY_SEP) : null;
    default:
      return v;
  }
}

/** The select expression reading column i of a row array `r`. */
function cellSql(type: BulkColumnType, i: number): string {
  switch (type) {
    case 'jsonb':
    case 'jsonb-text':
      return `(r->>${i})::jsonb`;
    case 'text[]':
      return `string_to_array(r->>${i}, chr(1))`;
    case 'text':
      return `r->>${i}`;
    default:
      return `(r->>${i})::${type}`;
  }
}

/**
 * Insert many rows as one parameter: a JSON array of row arrays, unpacked by the server
 * (`insert … select … from jsonb_array_elements($1)`). The statement is the same for 10 rows or
 * 10,000, and each chunk is encoded by one native JSON.stringify — escaping every cell into
 * PostgreSQL array literals in JavaScript (one parameter per column) cost more than the insert.
 * Works on PostgreSQL 15 and PGlite alike.
 */
export async function bulkInsert(tx: Tx, table: string, columns: [name: string, type: BulkColumnType][], rows: unknown[][], chunk = 10_000, onConflict?: 'do nothing'): Promise<void> {
  await sendBulkInsert(tx, table, columns, rows, chunk, onConflict);
}

/**
 * The same, but every chunk's statement is sent before this returns, without waiting for the
 * first to finish: the caller prepares more work while the database inserts. The statements
 * run in order on the transaction's connection; the promise settles when all have (a failure
 * aborts the transaction, so the later ones fail too and the first error is reported).
 */
export function sendBulkInsert(tx: Tx, table: string, columns: [name: string, type: BulkColumnType][], rows: unknown[][], chunk = 10_000, onConflict?: 'do nothing'): Promise<void> {
  const names = columns.map(([n]) => `"${n}"`).join(', ');
  const selects = columns.map(([, type], i) => cellSql(type, i)).join(', ');
  // `on conflict do nothing`: rows already there (a resumed job writing a page again) are skipped
  const [head, tail] = `insert into "${table}" (${names}) select ${selects} from jsonb_array_elements($1::jsonb) as e(r)${onConflict ? ' on conflict do nothing' : ''}`.split('$1');
  const sent: Promise<unknown>[] = [];
  for (let start = 0; start < rows.length; start += chunk) {
    const end = Math.min(start + chunk, rows.length);
    const part: unknown[][] = new Array(end - start);
    for (let k = start; k < end; k++) {
      const row = rows[k];
      const cells = new Array(columns.length);
      for (let i = 0; i < columns.length; i++) cells[i] = cellValue(columns[i][1], row[i]);
      part[k - start] = cells;
    }
    // One native JSON encoding per chunk.
    const json = JSON.stringify(part);
    sent.push(sendNow(tx, () => tx.execute(sql`${sql.raw(head)}${json}${sql.raw(tail)}`)));
  }
  return quiet(Promise.all(sent).then(() => undefined));
}

/**
 * Statements queued per transaction: each is sent when the one before it has finished (one
 * connection runs one statement at a time, and pg 9 will refuse a second `query()` on a busy
 * client). Once one fails, the rest are not sent (the transaction is aborted anyway).
 */
const queues = new WeakMap<object, Promise<unknown>>();

/**
 * Queue a statement on the transaction and return its promise, marked as handled: its error
 * surfaces where the caller awaits it, not as an unhandled rejection while the caller is still
 * preparing the next statement.
 */
export function sendNow<T>(tx: Tx, run: () => PromiseLike<T>): Promise<T> {
  const tail = queues.get(tx) ?? Promise.resolve();
  const p = tail.then(() => run());
  queues.set(tx, p);
  return quiet(p);
}

/** Mark a promise as handled (its error is still delivered to whoever awaits it). */
export function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}
