export { canonicalJson } from './audit.chain.ts';
export { recordAudit, recordAuditBatch, openAuditWriter, listAuditForEntity, verifyAuditTrail } from './audit.service.ts';
export type { AuditWriter, AuditInput, AuditVerifyResult, AuditProblem, AuditAnchor } from './audit.service.ts';
export { auditEvent } from './audit.tables.ts';
