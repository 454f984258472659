import { z } from 'zod';
import { ManagementCategory } from './registry.ts';

const flag = z.string().regex(/^[a-z0-9_]{1,80}$/, 'a flag name from the vocabulary / 词表中的标志名');
const term = z.string().trim().min(1).max(100);

/** A quantity in an explicit unit: one figure, or the largest single item and the total (boilers). */
export const QuantityFact = z
  .object({
    unit: z.string().trim().min(1).max(20),
    value: z.number().finite().nonnegative().optional(),
    largest: z.number().finite().nonnegative().optional(),
    total: z.number().finite().nonnegative().optional(),
  })
  .strict()
  .refine((q) => q.value !== undefined || q.largest !== undefined || q.total !== undefined, { message: 'give value, or largest and/or total / 请给出数值' });

export const ClassifyInput = z
  .object({
    industryCodes: z.array(z.string().regex(/^\d{4}$/, 'a 4-digit GB/T 4754-2017 class / 4 位行业小类代码')).min(1).max(20),
    features: z.array(flag).max(100).optional(),
    products: z.array(term).max(100).optional(),
    materials: z.array(term).max(100).optional(),
    fuels: z.array(flag).max(20).optional(),
    quantities: z.record(flag, QuantityFact).optional(),
    listedInKeyDischargerList: z.boolean().optional(),
    inIndustrialBuilding: z.boolean().optional(),
    generalProcesses: z.array(z.union([z.literal(109), z.literal(110), z.literal(111), z.literal(112)])).max(4).optional(),
    /** the category the application declares: flagged when lower than the directory's */
    declared: ManagementCategory.optional(),
  })
  .strict();
export type ClassifyInput = z.infer<typeof ClassifyInput>;

const Part = z.object({
  row: z.number().int(),
  industry: z.string(),
  industryCode: z.string().nullable(),
  category: ManagementCategory.nullable(),
  determined: z.boolean(),
  cell: z.object({ category: ManagementCategory, text: z.string() }).nullable(),
  because: z.array(z.string()),
  missing: z.array(z.string()),
});

export const ClassifyResult = z.object({
  category: ManagementCategory.nullable(),
  determined: z.boolean(),
  parts: z.array(Part),
  missing: z.array(z.string()),
  source: z.string(),
  finding: z.object({ code: z.literal('CATEGORY_DOWNGRADE'), zh: z.string(), en: z.string() }).nullable(),
});
