import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so a row hashes the same after a jsonb round trip. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value as object)
      .filter((k) => (value as any)[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as any)[k])}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value);
}

export interface ChainedFields {
  id: string;
  chain: string;
  seq: number;
  occurredAt: Date;
  actorId: string | null;
  actorName: string;
  requestId: string | null;
  action: string;
  entityType: string;
  entityId: string;
  regionCode: string | null;
  before: unknown;
  after: unknown;
  prevHash: string;
}

/** sha256 over every field of the row and the previous row's hash. */
export function hashAuditRow(f: ChainedFields): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        id: f.id,
        chain: f.chain,
        seq: f.seq,
        occurredAt: f.occurredAt.toISOString(),
        actorId: f.actorId,
        actorName: f.actorName,
        requestId: f.requestId,
        action: f.action,
        entityType: f.entityType,
        entityId: f.entityId,
        regionCode: f.regionCode,
        before: f.before ?? null,
        after: f.after ?? null,
        prevHash: f.prevHash,
      }),
    )
    .digest('hex');
}

export const GENESIS_HASH = '0'.repeat(64);

/** Province-level chain key: '00' for national records. */
export function chainFor(regionCode: string | null | undefined): string {
  return regionCode && /^\d{2}/.test(regionCode) ? regionCode.slice(0, 2) : '00';
}
