import { Option, type Command } from 'commander';
import type { CliContext } from '../../cli-context.ts';
import { ValidationError } from '../../platform/errors.ts';
import { MANAGEMENT_CATEGORY_LABELS } from '../../contracts/registry.ts';
import { checkDeclaredCategory, classificationVocabulary, classifyUnit, type Category, type ClassificationFacts, type GeneralProcessRow, type QuantityFact } from './classification.ts';

const collect = (v: string, all: string[]) => [...all, v];

/** NAME=VALUE UNIT, or NAME=LARGEST,TOTAL UNIT (boilers: the largest single boiler and the total). */
function parseQuantity(text: string): [string, QuantityFact] {
  const m = /^([a-z0-9_]+)=(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?\s*([^\s\d,][^\s]*)$/.exec(text.trim());
  if (!m) {
    throw new ValidationError({ zh: `数量格式应为 名称=数值单位，如 treatment_capacity=800t/d 或 boiler_capacity=10,25t/h：${text}`, en: `A quantity is NAME=VALUE UNIT, e.g. treatment_capacity=800t/d or boiler_capacity=10,25t/h (largest, total): ${text}` });
  }
  const [, name, a, b, unit] = m;
  return [name, b === undefined ? { unit, value: Number(a) } : { unit, largest: Number(a), total: Number(b) }];
}

function yesNo(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (/^(yes|true|1|是)$/i.test(v)) return true;
  if (/^(no|false|0|否)$/i.test(v)) return false;
  throw new ValidationError({ zh: `应为 yes 或 no：${v}`, en: `Expected yes or no: ${v}` });
}

export function registerPermitCommands(permits: Command, ctx: CliContext) {
  permits
    .command('classify')
    .description('Management category (重点/简化/登记) of a unit under the classification directory (分类管理名录 2019), with the reasons and any facts still missing')
    .option('--industry <code>', 'GB/T 4754-2017 class (4 digits); repeat for several', collect, [])
    .option('--feature <flag>', 'a feature flag (see --vocabulary); repeat', collect, [])
    .option('--product <name>', 'a product, in Chinese as the 名录 prints it; repeat', collect, [])
    .option('--material <name>', 'a material or waste handled; repeat', collect, [])
    .option('--fuel <fuel>', 'a fuel of the facilities concerned (see --vocabulary); repeat', collect, [])
    .option('--quantity <q>', 'NAME=VALUE UNIT, or NAME=LARGEST,TOTAL UNIT; repeat', collect, [])
    .option('--process <row>', 'a general process the unit has: 109 boilers, 110 kilns, 111 surface treatment, 112 water treatment; repeat', collect, [])
    .option('--complete', 'the features, products, materials and fuels given are all there are (else a list not given is unknown)')
    .option('--listed <yes|no>', 'listed in the 重点排污单位名录')
    .option('--industrial-building <yes|no>', 'produces in an industrial building (名录 note 1)')
    .addOption(new Option('--declared <category>', 'the category the application declares: flagged when lower').choices(['key', 'simplified', 'registration']))
    .option('--vocabulary', 'list the feature flags, quantities (with units) and fuels the rules use')
    .option('--json', 'print JSON')
    .action((o: { industry: string[]; feature: string[]; product: string[]; material: string[]; fuel: string[]; quantity: string[]; process: string[]; listed?: string; industrialBuilding?: string; complete?: boolean; declared?: Category; vocabulary?: boolean; json?: boolean }) => {
      if (o.vocabulary) {
        const v = classificationVocabulary();
        if (o.json) return ctx.out(JSON.stringify(v));
        for (const [k, label] of Object.entries(v.features)) ctx.out(`feature\t${k}\t${label}`);
        for (const [k, q] of Object.entries(v.quantities)) ctx.out(`quantity\t${k}\t${q.unit}\t${q.label}`);
        for (const [k, label] of Object.entries(v.fuels)) ctx.out(`fuel\t${k}\t${label}`);
        for (const p of v.products) ctx.out(`product\t${p}`);
        for (const m of v.materials) ctx.out(`material\t${m}`);
        return;
      }
      if (o.industry.length === 0) throw new ValidationError({ zh: '请至少给出一个 --industry', en: 'Give at least one --industry' });
      const processes = o.process.map(Number);
      const facts: ClassificationFacts = {
        industryCodes: o.industry,
        // Lists given are complete; with --complete an empty one means "none" rather than "not said".
        features: o.feature.length || o.complete ? o.feature : undefined,
        products: o.product.length || o.complete ? o.product : undefined,
        materials: o.material.length || o.complete ? o.material : undefined,
        fuels: o.fuel.length || o.complete ? o.fuel : undefined,
        quantities: Object.fromEntries(o.quantity.map(parseQuantity)),
        generalProcesses: processes as GeneralProcessRow[],
        listedInKeyDischargerList: yesNo(o.listed),
        inIndustrialBuilding: yesNo(o.industrialBuilding),
      };
      const r = classifyUnit(facts);
      const finding = o.declared ? checkDeclaredCategory(o.declared, r) : null;
      if (o.json) return ctx.out(JSON.stringify({ ...r, declared: o.declared ?? null, finding }));
      ctx.out(
        r.category
          ? `category: ${MANAGEMENT_CATEGORY_LABELS[r.category].zh} (${r.category})${r.determined ? '' : ' — other parts undecided'}`
          : r.determined
            ? 'category: none — no row of the 名录 covers the unit'
            : `category: undecided — facts missing (below)${r.atLeast ? `; at least ${MANAGEMENT_CATEGORY_LABELS[r.atLeast].zh} (${r.atLeast})` : ''}`,
      );
      for (const p of r.parts) {
        ctx.out(`  row ${p.row} ${p.industry}${p.industryCode ? ` [${p.industryCode}]` : ''}: ${p.category ?? (p.determined ? 'not covered' : 'undecided')}`);
        if (p.cell) ctx.out(`    cell (${p.cell.category}): ${p.cell.text}`);
        for (const b of p.because) ctx.out(`    · ${b}`);
      }
      for (const m of r.missing) ctx.out(`  missing: ${m}`);
      if (finding) ctx.out(`FLAG ${finding.code}: ${finding.zh} / ${finding.en}`);
      ctx.out(`  (${r.source})`);
    });
}
