export { RULES, PROBLEM_TYPES, problemTypeOf, thresholds, runRules, rulesMarkdown, timesPerYear, type Rule, type RuleContext, type RuleHit, type Severity, type ProblemType } from './review.catalog.ts';
export { reviewPermits, type PermitReview } from './review.run.ts';
export { registerReviewCommands } from './review.cli.ts';
export { createReviewService, type ReviewService } from './review.service.ts';
export { registerReviewRoutes } from './review.routes.ts';
export { reviewRun, reviewResult } from './review.tables.ts';
export { peerOutliers, nearDuplicates, nearDuplicateIndex, contentSignature, minhash, shingles, type PopulationPermit, type OutlierFlag, type DuplicateGroup } from './population.ts';
export { createReviewTasksService, drawSample, periodRange, levelOf, type ReviewTasksService } from './review.tasks.ts';
export { reviewPlan, reviewTask, reviewFinding } from './review.tables.ts';
