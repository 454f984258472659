import { z } from 'zod';

const Label = z.object({ zh: z.string(), en: z.string() });
export const Severity = z.enum(['error', 'warning', 'notice']);

/** A rule of the quality-review catalog (modules/review/review.catalog.ts). */
export const RuleView = z.object({ id: z.string(), code: z.string(), severity: Severity, title: Label, basis: Label, fix: Label, problemType: z.string(), problemTypeLabel: Label });

/** One finding of a rule: where, and why, quoting the values. */
export const RuleHit = z.object({ ruleId: z.string(), code: z.string(), severity: Severity, path: z.string(), zh: z.string(), en: z.string() });
export type RuleHit = z.infer<typeof RuleHit>;

export const PermitReview = z.object({ permitNumber: z.string(), versionNo: z.number().int(), hits: z.array(RuleHit) });

export const SweepView = z.object({
  id: z.uuid(),
  regionPrefix: z.string(),
  status: z.enum(['running', 'done', 'cancelled', 'failed', 'superseded']),
  total: z.number().int(),
  processed: z.number().int(),
  hits: z.number().int(),
  errors: z.number().int(),
  referenceVersion: z.string(),
  error: z.string().nullable(),
  startedBy: z.string(),
  startedAt: z.date(),
  updatedAt: z.date(),
  finishedAt: z.date().nullable(),
});
export const SweepResults = z.object({
  items: z.array(z.object({ permitId: z.uuid(), permitNumber: z.string(), regionCode: z.string(), versionNo: z.number().int(), ruleId: z.string(), severity: Severity, path: z.string(), messageZh: z.string(), messageEn: z.string() })),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  byRule: z.array(z.object({ ruleId: z.string(), severity: z.string(), n: z.number().int(), permits: z.number().int() })),
});
