import { uuidv7 } from '../../platform/ids.ts';
import { and, asc, desc, eq, sql, gt } from 'drizzle-orm';
import type { Db, Tx } from '../../platform/db.ts';
import { sendBulkInsert, sendNow, type BulkColumnType } from '../../platform/bulk.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Actor } from '../../platform/actor.ts';
import { auditEvent, auditChainHead } from './audit.tables.ts';
import { GENESIS_HASH, canonicalJson, chainFor, hashAuditRow, hashAuditRowJson } from './audit.chain.ts';

export interface AuditInput {
  action: string;
  entityType: string;
  entityId: string;
  regionCode?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditProblem {
  chain: string;
  seq: number;
  id?: string;
  kind: 'hash_mismatch' | 'broken_link' | 'missing_rows' | 'head_mismatch' | 'anchor_mismatch';
  message: string;
}

/** A chain position recorded outside the database (e.g. printed and filed) to check later. */
export interface AuditAnchor {
  chain: string;
  seq: number;
  hash: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  chains: number;
  rows: number;
  problems: AuditProblem[];
  /** the last link of every chain now: save these to detect later rewrites of whole chains */
  heads: AuditAnchor[];
}

/**
 * Values as they will read back from jsonb: Dates become ISO strings, undefined goes. Plain
 * values (the common case) are returned as they are, without a JSON round trip.
 */
function plain(v: unknown): unknown {
  if (v === undefined) return null;
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined && typeof x !== 'function') out[k] = plain(x);
  return out;
}

/**
 * Append events inside the caller's transaction. An advisory lock per chain serialises
 * writers so `seq` stays contiguous and each row links to the one before it. Many events
 * (an import) go in as few multi-row inserts.
 */
export async function recordAuditBatch(tx: Tx, clock: Clock, actor: Actor, inputs: AuditInput[]): Promise<void> {
  if (inputs.length === 0) return;
  const writer = await openAuditWriter(tx, clock, actor, inputs.map((i) => i.regionCode));
  await writer.append(inputs);
  await writer.close();
}

const AUDIT_COLUMNS: [string, BulkColumnType][] = [
  ['id', 'uuid'], ['chain', 'text'], ['seq', 'bigint'], ['occurred_at', 'timestamptz'], ['actor_id', 'uuid'], ['actor_name', 'text'], ['request_id', 'text'],
  ['action', 'text'], ['entity_type', 'text'], ['entity_id', 'text'], ['region_code', 'text'], ['before', 'jsonb-text'], ['after', 'jsonb-text'], ['prev_hash', 'text'], ['hash', 'text'],
];

export interface AuditWriter {
  /**
   * Hash and send these events. The insert is sent at once but not awaited: a bulk writer
   * goes on preparing its next rows while the database stores these (the transaction's
   * connection runs its statements in order). Await the result, or `close()`, to see errors.
   */
  append(inputs: AuditInput[]): Promise<void>;
  /** Record the chain heads; resolves when everything appended has been stored. */
  close(): Promise<void>;
}

/**
 * Lock the chains these regions write to (in a fixed order, so two writers never deadlock),
 * read their heads, then take events in any number of batches: one hash chain per province,
 * contiguous seq, each row linked to the one before it.
 */
export async function openAuditWriter(tx: Tx, clock: Clock, actor: Actor, regionCodes: Iterable<string | null | undefined>): Promise<AuditWriter> {
  const chains = [...new Set([...regionCodes].map(chainFor))].sort();
  const heads = new Map<string, { seq: number; hash: string }>();
  // Through the transaction's statement queue: a bulk writer may have inserts queued before
  // this, and the lock is then taken only once they are done (held for the audit part alone).
  for (const chain of chains) {
    await sendNow(tx, () => tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'audit:' + chain}))`));
    const [head] = await sendNow(tx, () => tx.select().from(auditChainHead).where(eq(auditChainHead.chain, chain)));
    heads.set(chain, { seq: head?.lastSeq ?? 0, hash: head?.lastHash ?? GENESIS_HASH });
  }
  // Millisecond precision: the column keeps milliseconds, so the hash is reproducible.
  const occurredAt = new Date(Math.floor(clock.now().getTime()));
  const sent: Promise<unknown>[] = [];
  return {
    append(inputs) {
      const rows: unknown[][] = [];
      for (const input of inputs) {
        const chain = chainFor(input.regionCode);
        const head = heads.get(chain);
        if (!head) throw new Error(`audit chain ${chain} was not opened by this writer`);
        head.seq++;
        const row = {
          id: uuidv7(),
          chain,
          seq: head.seq,
          occurredAt,
          actorId: actor.via === 'cli' ? null : actor.userId,
          actorName: actor.username,
          requestId: actor.requestId ?? null,
          action: input.action,
          entityType: input.entityType,
          entityId: input.entityId,
          regionCode: input.regionCode ?? null,
          prevHash: head.hash,
        };
        // Canonical JSON serves twice: inside the hash and as the stored jsonb text.
        const beforeJson = canonicalJson(plain(input.before));
        const afterJson = canonicalJson(plain(input.after));
        const hash = hashAuditRowJson(row, beforeJson, afterJson);
        head.hash = hash;
        rows.push([row.id, chain, row.seq, occurredAt, row.actorId, row.actorName, row.requestId, row.action, row.entityType, row.entityId, row.regionCode, beforeJson === 'null' ? null : beforeJson, afterJson === 'null' ? null : afterJson, row.prevHash, hash]);
      }
      const done = sendBulkInsert(tx, 'audit_event', AUDIT_COLUMNS, rows);
      sent.push(done);
      return done;
    },
    async close() {
      for (const [chain, head] of heads) {
        sent.push(
          sendNow(tx, () =>
            tx
              .insert(auditChainHead)
              .values({ chain, lastSeq: head.seq, lastHash: head.hash })
              .onConflictDoUpdate({ target: auditChainHead.chain, set: { lastSeq: head.seq, lastHash: head.hash } }),
          ),
        );
      }
      await Promise.all(sent);
    },
  };
}

/** Append one event inside the caller's transaction (see recordAuditBatch). */
export function recordAudit(tx: Tx, clock: Clock, actor: Actor, input: AuditInput): Promise<void> {
  return recordAuditBatch(tx, clock, actor, [input]);
}

/** Events about one record, newest first. Scoping is the caller's job (it checks the record first). */
export async function listAuditForEntity(db: Tx, entityType: string, entityId: string, limit = 200) {
  return db
    .select()
    .from(auditEvent)
    .where(and(eq(auditEvent.entityType, entityType), eq(auditEvent.entityId, entityId)))
    .orderBy(desc(auditEvent.occurredAt), desc(auditEvent.seq))
    .limit(limit);
}

/**
 * Recompute every chain: each row's hash, its link to the previous row, contiguous seq and
 * the recorded head. Reads in pages so a national trail does not need to fit in memory.
 */
export async function verifyAuditTrail(db: Db, opts: { anchors?: AuditAnchor[]; onProgress?: (rows: number) => void } = {}): Promise<AuditVerifyResult> {
  const onProgress = opts.onProgress;
  const heads = await db.select().from(auditChainHead).orderBy(asc(auditChainHead.chain));
  const problems: AuditProblem[] = [];
  let rows = 0;
  const chainsInEvents = await db.selectDistinct({ chain: auditEvent.chain }).from(auditEvent);
  const chainNames = new Set([...heads.map((h) => h.chain), ...chainsInEvents.map((c) => c.chain)]);
  for (const chain of [...chainNames].sort()) {
    const head = heads.find((h) => h.chain === chain);
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    let lastSeq = 0;
    for (;;) {
      const page = await db
        .select()
        .from(auditEvent)
        .where(and(eq(auditEvent.chain, chain), gt(auditEvent.seq, lastSeq)))
        .orderBy(asc(auditEvent.seq))
        .limit(5000);
      if (page.length === 0) break;
      for (const r of page) {
        if (r.seq !== expectedSeq) {
          problems.push({
            chain,
            seq: expectedSeq,
            kind: 'missing_rows',
            message: `chain ${chain}: rows ${expectedSeq}..${r.seq - 1} are missing (deleted?)`,
          });
        }
        const computed = hashAuditRow({ ...r, occurredAt: new Date(r.occurredAt) });
        if (computed !== r.hash) {
          problems.push({ chain, seq: r.seq, id: r.id, kind: 'hash_mismatch', message: `chain ${chain} seq ${r.seq} (id ${r.id}, ${r.action} ${r.entityType} ${r.entityId}): content was edited` });
        } else if (r.prevHash !== prevHash && r.seq === expectedSeq) {
          problems.push({ chain, seq: r.seq, id: r.id, kind: 'broken_link', message: `chain ${chain} seq ${r.seq} (id ${r.id}): does not link to the previous row` });
        }
        prevHash = r.hash;
        expectedSeq = r.seq + 1;
        lastSeq = r.seq;
        rows++;
      }
      onProgress?.(rows);
    }
    if (!head) {
      problems.push({ chain, seq: lastSeq, kind: 'head_mismatch', message: `chain ${chain}: head record is missing` });
    } else if (head.lastSeq !== lastSeq || head.lastHash !== prevHash) {
      problems.push({
        chain,
        seq: head.lastSeq,
        kind: head.lastSeq > lastSeq ? 'missing_rows' : 'head_mismatch',
        message:
          head.lastSeq > lastSeq
            ? `chain ${chain}: rows ${lastSeq + 1}..${head.lastSeq} are missing (deleted from the end)`
            : `chain ${chain}: last row is seq ${lastSeq} but the head says ${head.lastSeq}`,
      });
    }
  }
  // Anchors saved earlier catch what the chain alone cannot: a whole chain deleted together
  // with its head, or a tail cut off and the head rewritten to match.
  for (const a of opts.anchors ?? []) {
    const [row] = await db.select({ hash: auditEvent.hash }).from(auditEvent).where(and(eq(auditEvent.chain, a.chain), eq(auditEvent.seq, a.seq)));
    if (!row || row.hash !== a.hash) {
      problems.push({
        chain: a.chain,
        seq: a.seq,
        kind: 'anchor_mismatch',
        message: row ? `chain ${a.chain} seq ${a.seq}: differs from the saved anchor (rewritten)` : `chain ${a.chain} seq ${a.seq}: the anchored row is gone (deleted)`,
      });
    }
  }
  const finalHeads = (await db.select().from(auditChainHead).orderBy(asc(auditChainHead.chain))).map((h) => ({ chain: h.chain, seq: h.lastSeq, hash: h.lastHash }));
  return { ok: problems.length === 0, chains: chainNames.size, rows, problems, heads: finalHeads };
}
