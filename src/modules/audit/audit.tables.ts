import { pgTable, text, bigint, timestamp, jsonb, index, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * Append-only, hash-chained audit trail. Chains are per province (first two digits of the
 * region code, or "00" for national records) so that a sharded deployment never needs one
 * global sequence; `seq` is contiguous within a chain.
 */
export const auditEvent = pgTable(
  'audit_event',
  {
    id: uuid('id').primaryKey(),
    chain: text('chain').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, precision: 3 }).notNull(),
    actorId: uuid('actor_id'),
    actorName: text('actor_name').notNull(),
    requestId: text('request_id'),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    regionCode: text('region_code'),
    before: jsonb('before'),
    after: jsonb('after'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    uniqueIndex('audit_event_chain_seq_uq').on(t.chain, t.seq),
    index('audit_event_entity_idx').on(t.entityType, t.entityId),
  ],
);

/** Last link of each chain, so that deleting the newest rows is detected too. */
export const auditChainHead = pgTable('audit_chain_head', {
  chain: text('chain').primaryKey(),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull(),
  lastHash: text('last_hash').notNull(),
});
