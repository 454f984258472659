// The labelled corpus is the proof that each rule finds what it is for and nothing else: every
// rule of the catalog scores precision 1.0 and recall 1.0 on it, and the population checks find
// the injected outliers and copies.
import { describe, expect, it } from 'vitest';
import { RULES, nearDuplicates, peerOutliers, runRules } from '../review/index.ts';
import { ruleTablesFromFiles } from '../reference/index.ts';
import { seededRandom } from '../../platform/random.ts';
import { DEFECTS, ISSUABLE_DEFECTS, cleanPermit, corpusContext, flagScore, labelledCorpus, populationCorpus, scoreCorpus } from './demo.corpus.ts';

const tables = ruleTablesFromFiles();

describe('the labelled corpus', () => {
  it('has a defect for every rule of the catalog, and clean permits pass every rule', () => {
    expect(DEFECTS.map((d) => d.ruleId).sort()).toEqual(RULES.map((r) => r.id).sort());
    for (const id of ISSUABLE_DEFECTS) expect(RULES.some((r) => r.id === id)).toBe(true);
    const rnd = seededRandom(5);
    for (let i = 0; i < 300; i++) expect(runRules(corpusContext(cleanPermit(rnd), tables)).map((h) => `${h.ruleId} ${h.zh}`)).toEqual([]);
  });

  it('every rule: precision 1.0 and recall 1.0', () => {
    const corpus = labelledCorpus(3000, { seed: 944, rate: 0.02 });
    const scores = scoreCorpus(corpus, (p) => runRules(corpusContext(p, tables)), RULES.map((r) => r.id));
    for (const s of scores) {
      expect(s.injected, s.ruleId).toBeGreaterThan(20);
      expect([s.ruleId, s.precision, s.recall]).toEqual([s.ruleId, 1, 1]);
    }
  });

  it('scores a rule that misses or over-reaches below 1.0 (the measure can fail)', () => {
    const corpus = labelledCorpus(500, { seed: 1, rate: 0.02 });
    const blind = scoreCorpus(corpus, () => [], ['QR-101']);
    expect(blind[0].recall).toBe(0);
    const noisy = scoreCorpus(corpus, () => [{ ruleId: 'QR-101' }], ['QR-101']);
    expect(noisy[0].precision).toBeLessThan(0.1);
  });

  it('the population checks find the injected outliers and copies', () => {
    const pop = populationCorpus(2000, { seed: 7, rate: 0.03 });
    const outliers = flagScore(new Set(peerOutliers(pop.permits).filter((f) => f.metric.startsWith('quantity/SO2')).map((f) => f.permitId)), pop.outliers);
    const copies = flagScore(new Set(nearDuplicates(pop.permits).flatMap((g) => g.permits.map((p) => p.id))), pop.copies);
    expect(outliers.labelled).toBeGreaterThan(20);
    expect(copies.labelled).toBeGreaterThan(40);
    expect([outliers.precision, outliers.recall, copies.precision, copies.recall]).toEqual([1, 1, 1, 1]);
  });
});
