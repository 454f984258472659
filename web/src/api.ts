/**
 * API client: same-origin fetch, Accept-Language on every call, x-csrf-token on writes,
 * RFC 9457 problem+json errors thrown as ApiError.
 */
import type { Lang } from './i18n';

export type Role =
  | 'admin'
  | 'ministry'
  | 'provincial'
  | 'municipal_permit'
  | 'municipal_enforcement'
  | 'monitoring'
  | 'expert'
  | 'enterprise'
  | 'agency';

export interface CurrentUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  regionPrefix: string;
  entityId: string | null;
  permissions: string[];
  csrfToken?: string;
}

export type ManagementCategory = 'key' | 'simplified' | 'registration';
export type UnitStatus = 'active' | 'closed';

export interface UnitView {
  id: string;
  entityId: string;
  creditCode: string;
  entityName: string;
  siteSeq: number;
  name: string;
  regionCode: string;
  regionName: string | null;
  industryCode: string;
  industryEdition: string;
  industryName: string | null;
  managementCategory: ManagementCategory | null;
  status: UnitStatus;
  address: string;
  longitude: number | null;
  latitude: number | null;
  contactPerson: string | null;
  contactPhone: string | null;
  closedAt: string | null;
  closeReason: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface UnitListResult {
  items: UnitView[];
  total: number;
  totalCapped: boolean;
  page: number;
  pageSize: number;
}

export interface AuditEntry {
  id: string;
  seq: number;
  occurredAt: string;
  actorName: string;
  requestId: string | null;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
}

export interface Registration {
  id: string;
  unitId: string;
  regionCode: string;
  registrationNumber: string;
  status: 'valid' | 'cancelled';
  registeredOn: string;
  validUntil: string;
  cancelledAt: string | null;
  createdAt: string;
}

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

export interface ImportRowError {
  row: number;
  column: string;
  value: string;
  reason: string;
  reasonEn: string;
}

export interface ImportResult {
  mode: 'dry-run' | 'all-or-nothing' | 'good-only';
  totalRows: number;
  goodRows: number;
  badRows: number;
  errors: ImportRowError[];
  cleanups: { row: number; column: string; from: string; to: string }[];
  imported: number;
  entitiesCreated: number;
  encoding: string | null;
  warnings: string[];
}

export interface ImportJob {
  id: string;
  status: 'running' | 'done' | 'failed';
  phase: string;
  processed: number;
  total: number;
  result: ImportResult | null;
  error: { code: string; message: string } | null;
}

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
};

/** Same-origin export link with the current filters (a plain anchor download). */
export function exportUrl(filters: Query, format: 'xlsx' | 'csv'): string {
  return '/api/registry/units/export' + queryString({ ...filters, page: undefined, pageSize: undefined, format });
}
