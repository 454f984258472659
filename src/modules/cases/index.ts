export { createCasesService, type CasesService } from './cases.service.ts';
export { registerCaseRoutes } from './cases.routes.ts';
export { permitCase, permitCaseEvent, caseEvaluation, caseOnSiteReview, caseAttachment, expert, technicalAgency } from './cases.tables.ts';
export { caseDue, allowedActions, transitionFor, familyOf, initialState, lifecycleRules, STATES, ENDED_STATES } from './cases.workflow.ts';
export { KIND_LABELS, STATE_LABELS, ACTION_LABELS } from './cases.labels.ts';
export { registerCaseCommands } from './cases.cli.ts';
export { listTemplates, templateContent } from './cases.templates.ts';
