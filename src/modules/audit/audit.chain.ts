import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so a row hashes the same after a jsonb round trip. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
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
  return hashAuditRowJson(f, canonicalJson(f.before ?? null), canonicalJson(f.after ?? null));
}

/**
 * The same hash with `before`/`after` already in canonical JSON (bulk writers reuse that text
 * as the stored jsonb). Builds exactly canonicalJson() of the row: keys in sorted order.
 */
export function hashAuditRowJson(f: Omit<ChainedFields, 'before' | 'after'>, beforeJson: string, afterJson: string): string {
  const s = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));
  const text =
    `{"action":${s(f.action)},"actorId":${s(f.actorId)},"actorName":${s(f.actorName)},"after":${afterJson},"before":${beforeJson}` +
    `,"chain":${s(f.chain)},"entityId":${s(f.entityId)},"entityType":${s(f.entityType)},"id":${s(f.id)}` +
    `,"occurredAt":${s(f.occurredAt.toISOString())},"prevHash":${s(f.prevHash)},"regionCode":${s(f.regionCode)},"requestId":${s(f.requestId)},"seq":${f.seq}}`;
  return createHash('sha256').update(text).digest('hex');
}

export const GENESIS_HASH = '0'.repeat(64);

/** Province-level chain key: '00' for national records. */
export function chainFor(regionCode: string | null | undefined): string {
  return regionCode && /^\d{2}/.test(regionCode) ? regionCode.slice(0, 2) : '00';
}
