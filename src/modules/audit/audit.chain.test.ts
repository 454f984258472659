import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
import { canonicalJson, chainFor, hashAuditRow, GENESIS_HASH } from './audit.chain.ts';

const row = {
  id: '7d0b8f4e-8a8c-4a57-9b1e-2f1c2e3d4a5b',
  chain: '33',
  seq: 1,
  occurredAt: new Date('2026-03-02T02:00:00.123Z'),
  actorId: null,
  actorName: 'hz-permit',
  requestId: 'req-1',
  action: 'unit.create',
  entityType: 'unit',
  entityId: 'u1',
  regionCode: '330106',
  before: null,
  after: { name: '杭州宏达印染有限公司', longitude: 120.13 },
  prevHash: GENESIS_HASH,
};

describe('audit hash chain', () => {
  it('is independent of key order (jsonb reorders keys)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null))), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
      }),
      { seed: 42 },
    );
  });

  it('changes when any field changes', () => {
    const h = hashAuditRow(row);
    expect(hashAuditRow({ ...row, actorName: 'someone' })).not.toBe(h);
    expect(hashAuditRow({ ...row, after: { ...row.after, name: '篡改' } })).not.toBe(h);
    expect(hashAuditRow({ ...row, occurredAt: new Date(row.occurredAt.getTime() + 1) })).not.toBe(h);
    expect(hashAuditRow({ ...row, prevHash: 'f'.repeat(64) })).not.toBe(h);
    expect(hashAuditRow({ ...row })).toBe(h);
  });

  it('hashes the same through the fast path as through canonical JSON of the whole row', () => {
    const { createHash } = require('node:crypto');
    const slow = createHash('sha256')
      .update(canonicalJson({ ...row, occurredAt: row.occurredAt.toISOString() }))
      .digest('hex');
    expect(hashAuditRow(row)).toBe(slow);
    expect(hashAuditRow({ ...row, actorName: '名字"引号\\' })).toBe(
      createHash('sha256').update(canonicalJson({ ...row, actorName: '名字"引号\\', occurredAt: row.occurredAt.toISOString() })).digest('hex'),
    );
  });

  it('chains per province', () => {
    expect(chainFor('330106')).toBe('33');
    expect(chainFor('')).toBe('00');
    expect(chainFor(null)).toBe('00');
  });
});
