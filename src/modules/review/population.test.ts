import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { samplePermitContent } from '../permits/index.ts';
import { minhash, nearDuplicates, peerOutliers, shingles, type PopulationPermit } from './population.ts';

const permitOf = (i: number, over: Partial<PopulationPermit> = {}, so2 = 50 + (i % 5)): PopulationPermit => {
  const c = samplePermitContent();
  c.productionFacilities = [{ code: 'MF0001', name: `燃煤锅炉${i}`, capacity: { value: 35, unit: 't/h' } }];
  c.permittedQuantities = [{ factor: 'SO2', year: 2026, amount: so2, unit: 't/a' }];
  c.outlets[0].name = `锅炉烟囱 ${i} 号，位于厂区${['东', '西', '南', '北', '中'][i % 5]}侧 ${i * 37} 米`;
  c.specialConditions = [`第 ${i} 号专项条件：${'甲乙丙丁戊己庚辛壬癸'.slice(i % 10)}${i * 7919}`];
  return { id: `p${i}`, permitNumber: `N${i}`, industryCode: '4430', regionCode: '330106', agencyId: null, content: c, ...over };
};

describe('peer outliers', () => {
  it('flags a permitted quantity far from its peers, saying which peers and by how much', () => {
    const peers = Array.from({ length: 8 }, (_, i) => permitOf(i));
    const odd = permitOf(99, {}, 520);
    const flags = peerOutliers([...peers, odd]);
    const f = flags.find((x) => x.permitId === 'p99' && x.metric.startsWith('quantity/SO2'));
    expect(f).toBeDefined();
    expect(f).toMatchObject({ value: 520 / 35, group: { industryCode: '4430', cityCode: '330100', peers: 9, median: 52 / 35 } });
    expect(f!.ratio).toBe(10);
    expect(flags.filter((x) => x.metric.startsWith('quantity/')).map((x) => x.permitId)).toEqual(['p99']);
  });
  it('judges nothing in groups too small or without spread, nor across cities or industries', () => {
    expect(peerOutliers([permitOf(1), permitOf(2), permitOf(3, {}, 900)])).toEqual([]);
    const elsewhere = Array.from({ length: 6 }, (_, i) => permitOf(i, { regionCode: i % 2 ? '330106' : '330206' }));
    expect(peerOutliers([...elsewhere, permitOf(9, { regionCode: '330206' }, 900)]).filter((f) => f.permitId === 'p9')).toEqual([]);
  });
});

describe('near-duplicates', () => {
  it('groups copies of one content under the agency that prepared them; distinct permits stay apart', () => {
    const template = permitOf(1);
    const copies = [2, 3, 4].map((i) => ({ ...permitOf(i, { agencyId: 'agency-a' }), content: structuredClone(template.content) }));
    copies[2].content.outlets[0].heightM = 46; // a near copy: one figure changed
    const others = Array.from({ length: 10 }, (_, i) => permitOf(10 + i, { agencyId: 'agency-b' }));
    const groups = nearDuplicates([...copies, ...others]);
    expect(groups).toHaveLength(1);
    expect(groups[0].agencyId).toBe('agency-a');
    expect(groups[0].permits.map((p) => p.id).sort()).toEqual(['p2', 'p3', 'p4']);
    expect(groups[0].similarity).toBeGreaterThanOrEqual(0.9);
  });
  it('property: the MinHash estimate follows the true Jaccard similarity', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 40, maxLength: 120 }), fc.double({ min: 0, max: 1, noNaN: true }), (items, share) => {
        const cut = Math.floor(items.length * share);
        const a = new Set(items.slice(0, Math.max(cut, 1)).concat(items.slice(cut).filter((_, i) => i % 2 === 0)));
        const b = new Set(items.slice(0, Math.max(cut, 1)).concat(items.slice(cut).filter((_, i) => i % 2 === 1)));
        const jaccard = [...a].filter((x) => b.has(x)).length / new Set([...a, ...b]).size;
        const k = 256;
        const [sa, sb] = [minhash(a, k), minhash(b, k)];
        let same = 0;
        for (let i = 0; i < k; i++) if (sa[i] === sb[i]) same++;
        expect(Math.abs(same / k - jaccard)).toBeLessThan(0.2);
      }),
      { seed: 2019, numRuns: 60 },
    );
  });
  it('shingles see structure and text', () => {
    const s = shingles(samplePermitContent());
    expect([...s].some((x) => x.startsWith('p:DA001:a21026:GB 13271-2014'))).toBe(true);
    expect([...s].some((x) => x.startsWith('sc:'))).toBe(true);
  });
});
