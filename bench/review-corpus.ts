// The labelled corpus (issue 4, proof of correctness): demo permits with known defects of each
// rule at a known rate, plus clean ones; the catalog run over them gives each rule's precision
// and recall. Then the population leads: peer outliers and copied permits injected into a
// population with its own words, and how many of them the statistical checks find.
import { RULES, runRules, nearDuplicates, peerOutliers } from '../src/modules/review/index.ts';
import { ruleTablesFromFiles } from '../src/modules/reference/index.ts';
import { corpusContext, flagScore, labelledCorpus, populationCorpus, scoreCorpus, type RuleScore } from '../src/modules/demo/demo.corpus.ts';
import { fmt, log } from './common.ts';

export interface CorpusBenchRow {
  permits: number;
  rate: number;
  seed: number;
  rules: RuleScore[];
  /** rules below 1.0 precision or recall */
  imperfect: string[];
  outliers: ReturnType<typeof flagScore>;
  duplicates: ReturnType<typeof flagScore>;
  populationPermits: number;
  seconds: number;
}

export async function benchCorpus(opts: { permits: number; seed?: number; rate?: number }): Promise<CorpusBenchRow> {
  const seed = opts.seed ?? 2026;
  const rate = opts.rate ?? 0.02;
  const started = performance.now();
  const tables = ruleTablesFromFiles();
  const corpus = labelledCorpus(opts.permits, { seed, rate });
  log(`labelled corpus: ${fmt(corpus.length)} permits, each of ${RULES.length} defects in ${rate * 100}% of them, ${fmt(corpus.filter((p) => !p.defect).length)} clean`);
  const rules = scoreCorpus(corpus, (p) => runRules(corpusContext(p, tables)), RULES.map((r) => r.id));
  const imperfect = rules.filter((r) => r.precision !== 1 || r.recall !== 1).map((r) => r.ruleId);
  console.table(rules.map((r) => ({ rule: r.ruleId, labelled: r.injected, found: r.found, 'false +': r.falsePositives, precision: r.precision === null ? '—' : r.precision.toFixed(3), recall: r.recall === null ? '—' : r.recall.toFixed(3) })));
  const populationPermits = Math.min(opts.permits, 20_000);
  const pop = populationCorpus(populationPermits, { seed, rate });
  const outliers = flagScore(new Set(peerOutliers(pop.permits).filter((f) => f.metric.startsWith('quantity/SO2')).map((f) => f.permitId)), pop.outliers);
  const duplicates = flagScore(new Set(nearDuplicates(pop.permits).flatMap((g) => g.permits.map((p) => p.id))), pop.copies);
  log(`population leads over ${fmt(populationPermits)} permits: outliers precision ${outliers.precision?.toFixed(3)} recall ${outliers.recall?.toFixed(3)}; copies precision ${duplicates.precision?.toFixed(3)} recall ${duplicates.recall?.toFixed(3)}`);
  return { permits: corpus.length, rate, seed, rules, imperfect, outliers, duplicates, populationPermits, seconds: (performance.now() - started) / 1000 };
}
