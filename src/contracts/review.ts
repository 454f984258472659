import { z } from 'zod';

const Label = z.object({ zh: z.string(), en: z.string() });
export const Severity = z.enum(['error', 'warning', 'notice']);

/** A rule of the quality-review catalog (modules/review/review.catalog.ts). */
export const RuleView = z.object({ id: z.string(), code: z.string(), severity: Severity, title: Label, basis: Label, fix: Label });

/** One finding of a rule: where, and why, quoting the values. */
export const RuleHit = z.object({ ruleId: z.string(), code: z.string(), severity: Severity, path: z.string(), zh: z.string(), en: z.string() });
export type RuleHit = z.infer<typeof RuleHit>;

export const PermitReview = z.object({ permitNumber: z.string(), versionNo: z.number().int(), hits: z.array(RuleHit) });
