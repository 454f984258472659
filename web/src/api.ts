/**
 * API client: same-origin fetch, Accept-Language on every call, x-csrf-token on writes,
 * RFC 9457 problem+json errors thrown as ApiError.
 */
import type { Lang } from './i18n';

// Shapes come from the server's zod contracts (type-only imports: nothing of zod is bundled).
// JSON carries dates as ISO strings, hence Jsonify.
import type { z } from 'zod';
import type * as IdentityContracts from '../../src/contracts/identity';
import type * as RegistryContracts from '../../src/contracts/registry';
import type * as PermitContracts from '../../src/contracts/permits';
import type * as CaseContracts from '../../src/contracts/cases';

type Jsonify<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Jsonify<U>[]
    : T extends object
      ? { [K in keyof T]: Jsonify<T[K]> }
      : T;
type Wire<S extends z.ZodType> = Jsonify<z.output<S>>;

export type Role = z.output<typeof IdentityContracts.Role>;
export type CurrentUser = Wire<typeof IdentityContracts.CurrentUser>;
export type ManagementCategory = z.output<typeof RegistryContracts.ManagementCategory>;
export type UnitStatus = z.output<typeof RegistryContracts.UnitStatus>;
export type UnitView = Wire<typeof RegistryContracts.UnitView>;
export type EntityView = Wire<typeof RegistryContracts.EntityView>;
export type UnitListResult = Wire<typeof RegistryContracts.UnitListResult>;
export type AuditEntry = Wire<typeof RegistryContracts.AuditEntryView>;
export type Registration = Wire<typeof RegistryContracts.RegistrationView>;
export type PermitView = Wire<typeof PermitContracts.PermitView>;
export type PermitDetail = Wire<typeof PermitContracts.PermitDetail>;
export type PermitList = Wire<typeof PermitContracts.PermitList>;
export type PermitVersionList = Wire<typeof PermitContracts.PermitVersionList>;
export type PermitComparison = Wire<typeof PermitContracts.PermitComparison>;
export type PermitContent = Wire<typeof PermitContracts.PermitContent>;
export type PublicPermit = Wire<typeof PermitContracts.PublicPermit>;
export type CaseKind = z.output<typeof CaseContracts.CaseKind>;
export type CaseState = z.output<typeof CaseContracts.CaseState>;
export type CaseAction = z.output<typeof CaseContracts.CaseAction>;
export type CaseView = Wire<typeof CaseContracts.CaseView>;
export type CaseDetail = Wire<typeof CaseContracts.CaseDetail>;
export type CaseList = Wire<typeof CaseContracts.CaseList>;
export type TemplateSummary = Wire<typeof CaseContracts.TemplateSummary>;
export type EligibleExpert = Wire<typeof CaseContracts.EligibleExpert>;
export type AgencyView = Wire<typeof CaseContracts.AgencyView>;
export type OnSiteRatio = Wire<typeof CaseContracts.OnSiteRatio>;
export type ContentProblem = Wire<typeof PermitContracts.Problem>;

export interface Region {
  code: string;
  name: string;
  level: 'province' | 'prefecture' | 'county';
  provinceName: string | null;
  prefectureName: string | null;
  current: boolean;
}

export interface Industry {
  code: string;
  name: string;
  level: 'section' | 'division' | 'group' | 'class';
  parent: string | null;
}

export type ImportRowError = Wire<typeof RegistryContracts.ImportRowError>;
export type ImportResult = Wire<typeof RegistryContracts.ImportResult>;
export type ImportJob = Wire<typeof RegistryContracts.ImportJobView>;

export interface FieldError {
  field: string;
  value?: unknown;
  message: string;
  messageEn?: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  messages?: { zh: string; en: string };
  requestId?: string;
  errors?: { path: string; message: string }[];
  details?: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem;
  constructor(status: number, problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code ?? `HTTP_${status}`;
    this.problem = problem;
  }
  /** Field-level messages from `details.fields` (domain checks) or `errors` (schema validation). */
  fieldErrors(lang: Lang): FieldError[] {
    const out: FieldError[] = [];
    const details = this.problem.details as { fields?: FieldError[] } | undefined;
    for (const f of details?.fields ?? []) {
      out.push({ ...f, message: lang === 'en' && f.messageEn ? f.messageEn : f.message });
    }
    for (const e of this.problem.errors ?? []) {
      out.push({ field: e.path.replace(/^body\./, ''), message: e.message });
    }
    return out;
  }
}

let currentLang: Lang = 'zh';
let csrfToken: string | undefined;
let onUnauthorized: (() => void) | undefined;

export function setApiLang(lang: Lang) {
  currentLang = lang;
}
export function setCsrfToken(token: string | undefined) {
  csrfToken = token;
}
export function setUnauthorizedHandler(fn: () => void) {
  onUnauthorized = fn;
}

type Query = Record<string, string | number | undefined | null>;

export function queryString(q: Query): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

async function request<T>(method: string, path: string, body?: unknown, opts: { silent401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json, application/problem+json',
    'Accept-Language': currentLang === 'en' ? 'en' : 'zh-CN',
  };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (err) {
    throw new ApiError(0, { code: 'NETWORK', detail: currentLang === 'en' ? 'Cannot reach the server' : '无法连接服务器' });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const problem: Problem = (data && typeof data === 'object' ? data : { detail: text || res.statusText }) as Problem;
    const error = new ApiError(res.status, problem);
    if (res.status === 401 && !opts.silent401 && onUnauthorized) onUnauthorized();
    throw error;
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, q: Query = {}) => request<T>('GET', path + queryString(q)),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),

  login: (username: string, password: string) => request<CurrentUser>('POST', '/api/auth/login', { username, password }, { silent401: true }),
  logout: () => request<void>('POST', '/api/auth/logout', {}, { silent401: true }),
  me: () => request<CurrentUser>('GET', '/api/auth/me', undefined, { silent401: true }),

  listUnits: (q: Query) => request<UnitListResult>('GET', '/api/registry/units' + queryString(q)),
  getUnit: (id: string) => request<UnitView>('GET', `/api/registry/units/${encodeURIComponent(id)}`),
  createUnit: (body: unknown) => request<UnitView>('POST', '/api/registry/units', body),
  updateUnit: (id: string, body: unknown) => request<UnitView>('PATCH', `/api/registry/units/${encodeURIComponent(id)}`, body),
  closeUnit: (id: string, reason: string, version: number) =>
    request<UnitView>('POST', `/api/registry/units/${encodeURIComponent(id)}/close`, { reason, version }),
  reopenUnit: (id: string, version: number) => request<UnitView>('POST', `/api/registry/units/${encodeURIComponent(id)}/reopen`, { version }),
  getEntity: (id: string) => request<EntityView>('GET', `/api/registry/entities/${encodeURIComponent(id)}`),
  updateEntity: (id: string, body: { version: number; name: string; legalRepresentative: string | null }) =>
    request<EntityView>('PATCH', `/api/registry/entities/${encodeURIComponent(id)}`, body),
  unitHistory: (id: string) => request<AuditEntry[]>('GET', `/api/registry/units/${encodeURIComponent(id)}/history`),
  unitRegistrations: (id: string) => request<Registration[]>('GET', `/api/registry/units/${encodeURIComponent(id)}/registrations`),
  createRegistration: (unitId: string) => request<Registration>('POST', '/api/registry/registrations', { unitId }),
  cancelRegistration: (id: string) => request<Registration>('POST', `/api/registry/registrations/${encodeURIComponent(id)}/cancel`, {}),

  regions: async (q: { parent?: string; q?: string }) => {
    // parent '' means "provinces", so an empty parent is sent, not dropped
    const p = new URLSearchParams();
    if (q.parent !== undefined) p.set('parent', q.parent);
    if (q.q) p.set('q', q.q);
    const r = await request<{ items: Region[] } | Region[]>('GET', `/api/reference/regions?${p.toString()}`);
    return Array.isArray(r) ? r : r.items;
  },
  industries: async (q: { parent?: string; level?: string; q?: string }) => {
    const r = await request<{ items: Industry[] } | Industry[]>('GET', '/api/reference/industries' + queryString(q));
    return Array.isArray(r) ? r : r.items;
  },

  startImport: (file: File, mode: string, applyCleanups: boolean) => {
    const fd = new FormData();
    fd.append('mode', mode);
    fd.append('applyCleanups', applyCleanups ? 'true' : 'false');
    fd.append('file', file, file.name);
    return request<ImportJob>('POST', '/api/registry/imports', fd);
  },
  importJob: (id: string) => request<ImportJob>('GET', `/api/registry/imports/${encodeURIComponent(id)}`),

  listPermits: (q: Query) => request<PermitList>('GET', '/api/permits' + queryString(q)),
  getPermit: (id: string) => request<PermitDetail>('GET', `/api/permits/${encodeURIComponent(id)}`),
  permitVersions: (id: string) => request<PermitVersionList>('GET', `/api/permits/${encodeURIComponent(id)}/versions`),
  listCases: (q: Query) => request<CaseList>('GET', '/api/cases' + queryString(q)),
  getCase: (id: string) => request<CaseDetail>('GET', `/api/cases/${encodeURIComponent(id)}`),
  openCase: (body: { kind: CaseKind; unitId: string; permitId?: string; templateId?: string; grounds?: string }) => request<CaseView>('POST', '/api/cases', body),
  saveCaseContent: (id: string, expectedVersion: number, content: PermitContent) =>
    request<{ case: CaseView; problems: ContentProblem[] }>('PUT', `/api/cases/${encodeURIComponent(id)}/content`, { expectedVersion, content }),
  caseAction: (id: string, body: { action: CaseAction; expectedVersion: number; reason?: string; items?: string[]; agencyId?: string; expertIds?: string[]; conclusion?: string }) =>
    request<CaseView>('POST', `/api/cases/${encodeURIComponent(id)}/actions`, body),
  recordOnSiteReview: (id: string, body: { expectedVersion: number; reviewDate: string; people: string[]; findings: string; outcome: 'no_problem' | 'problems_found' }) =>
    request<{ reviewId: string; case: CaseView }>('POST', `/api/cases/${encodeURIComponent(id)}/on-site-reviews`, body),
  uploadCaseAttachment: (id: string, file: File, kind: string, onSiteReviewId?: string) => {
    const fd = new FormData();
    fd.append('kind', kind);
    if (onSiteReviewId) fd.append('onSiteReviewId', onSiteReviewId);
    fd.append('file', file, file.name);
    return request<{ id: string }>('POST', `/api/cases/${encodeURIComponent(id)}/attachments`, fd);
  },
  caseTemplates: () => request<{ items: TemplateSummary[] }>('GET', '/api/cases/templates'),
  eligibleExperts: (id: string) => request<{ items: EligibleExpert[] }>('GET', `/api/cases/${encodeURIComponent(id)}/eligible-experts`),
  agencies: () => request<{ items: AgencyView[] }>('GET', '/api/agencies'),
  onSiteRatio: (q: Query) => request<OnSiteRatio>('GET', '/api/cases/on-site-ratio' + queryString(q)),
  publicPermit: (number: string) => request<PublicPermit>('GET', `/api/public/permits/${encodeURIComponent(number)}`, undefined, { silent401: true }),
  comparePermitVersions: (id: string, from: number, to: number) => request<PermitComparison>('GET', `/api/permits/${encodeURIComponent(id)}/compare` + queryString({ from, to })),
};

/** Same-origin export link with the current filters (a plain anchor download). */
export function exportUrl(filters: Query, format: 'xlsx' | 'csv'): string {
  return '/api/registry/units/export' + queryString({ ...filters, page: undefined, pageSize: undefined, format });
}
