import { describe, expect, it } from 'vitest';
import { UnitRowCache } from './unit-row-cache.ts';

const row = (id: string, version: number, name = id) => ({ id, version, name });

describe('UnitRowCache', () => {
  it('answers only at the exact version asked for', () => {
    const c = new UnitRowCache<ReturnType<typeof row>>(10);
    c.put([row('a', 2)], c.generation, 0);
    expect(c.get('a', 2, 0)?.name).toBe('a');
    expect(c.get('a', 1, 0)).toBeUndefined();
    expect(c.get('a', 3, 0)).toBeUndefined();
    expect(c.get('b', 1, 0)).toBeUndefined();
    expect([c.hits, c.misses]).toEqual([1, 3]);
  });

  it('forgets evicted units, and everything on a rebuild', () => {
    const c = new UnitRowCache<ReturnType<typeof row>>(10);
    c.put([row('a', 1), row('b', 1)], c.generation, 0);
    c.evict(['a']);
    expect(c.get('a', 1, 0)).toBeUndefined();
    expect(c.get('b', 1, 0)).toBeDefined();
    c.evict(null);
    expect(c.get('b', 1, 0)).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('does not keep a read that was under way when something was evicted', () => {
    const c = new UnitRowCache<ReturnType<typeof row>>(10);
    const started = c.generation;
    c.evict(['x']); // a change announced while the read ran: the read may predate it
    c.put([row('a', 1, 'old name')], started, 0);
    expect(c.get('a', 1, 0)).toBeUndefined();
    c.put([row('a', 1, 'new name')], c.generation, 0);
    expect(c.get('a', 1, 0)?.name).toBe('new name');
  });

  it('keeps at most its capacity, dropping the least recently used', () => {
    const c = new UnitRowCache<ReturnType<typeof row>>(3);
    c.put([row('a', 1), row('b', 1), row('c', 1)], c.generation, 0);
    c.get('a', 1, 0); // a is now the most recently used
    c.put([row('d', 1)], c.generation, 0);
    expect(c.size).toBe(3);
    expect(c.get('b', 1, 0)).toBeUndefined();
    expect(['a', 'c', 'd'].map((id) => !!c.get(id, 1, 0))).toEqual([true, true, true]);
  });

  it('lets a kept row expire after maxAgeMs', () => {
    const c = new UnitRowCache<ReturnType<typeof row>>(10, 5_000);
    c.put([row('a', 1)], c.generation, 1_000);
    expect(c.get('a', 1, 6_000)).toBeDefined();
    expect(c.get('a', 1, 6_001)).toBeUndefined();
  });

  it('with capacity 0 keeps nothing', () => {
    const c = new UnitRowCache<ReturnType<typeof row>>(0);
    c.put([row('a', 1)], c.generation, 0);
    expect(c.size).toBe(0);
  });
});
