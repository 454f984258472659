/**
 * Typical-industry application templates (典型行业信息化填报模板, action plan measure 37), from
 * reference-data/permit-templates/templates.json. A template's limits point at rows of the
 * emission-limit reference table and are read from there; a pointer that matches no row is a
 * data error found when the templates are first read, not when an applicant opens one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ControlFactor, Limit, PermitContent } from '../../contracts/permits.ts';
import type { UnitView } from '../../contracts/registry.ts';
import { chinaDate, periodEnd } from '../../platform/work-calendar.ts';
import { REFERENCE_DATA_DIR } from '../reference/index.ts';
import { PERMIT_VALIDITY_YEARS } from '../permits/index.ts';

type Label = { zh: string; en: string };
type RefPointer = [standard: string, table: string, sourceCategory: string, pollutant: string, appliesTo: string];

interface TemplatePollutant {
  pollutantCode: string;
  ref?: RefPointer;
  standard?: string;
  referenceO2?: number;
}
interface TemplateData {
  id: string;
  name: Label;
  industryCodes: string[];
  managementCategory: 'key' | 'simplified';
  note: Label;
  productionFacilities: PermitContent['productionFacilities'];
  controlFacilities: PermitContent['controlFacilities'];
  outlets: { code: string; name: string; kind: 'main' | 'general' | 'special' | 'workshop'; heightM?: number; receivingWater?: string; pollutants: TemplatePollutant[] }[];
  permittedFactors: ControlFactor[];
  selfMonitoring: PermitContent['selfMonitoring'];
  reports: PermitContent['reports'][number]['type'][];
}

export interface TemplateSummary {
  id: string;
  name: Label;
  industryCodes: string[];
  managementCategory: 'key' | 'simplified';
  note: Label;
  permittedFactors: ControlFactor[];
  /** limits the template could not fill from the reference tables (left missing) */
  limitsMissing: number;
}

interface LimitRow {
  standard: string;
  table: string;
  source_category: string;
  pollutant: string;
  applies_to: string;
  limit: number | string;
  unit: string;
}

/** A reference row's limit as a permit limit: "6-9" is a range, "<=1" a maximum, a number a maximum. */
function toLimit(row: LimitRow): Limit {
  if (typeof row.limit === 'number') return { direction: 'max', value: row.limit, unit: row.unit };
  const range = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(row.limit);
  if (range) return { direction: 'range', low: Number(range[1]), high: Number(range[2]), unit: row.unit };
  const max = /^<=\s*(\d+(?:\.\d+)?)$/.exec(row.limit);
  if (max) return { direction: 'max', value: Number(max[1]), unit: row.unit };
  throw new Error(`permit template: cannot read the limit "${row.limit}" of ${row.standard} ${row.pollutant}`);
}

let cache: { data: TemplateData[]; limits: Map<string, Map<string, { standard: string; limit: Limit }>> } | undefined;

function load() {
  if (cache) return cache;
  const read = (path: string) => JSON.parse(readFileSync(join(REFERENCE_DATA_DIR, path), 'utf8'));
  const data = (read('permit-templates/templates.json') as { templates: TemplateData[] }).templates;
  const rows = (read('emission-limits/emission-limits.json') as { limits: LimitRow[] }).limits;
  const key = (r: RefPointer) => r.join('|');
  const byKey = new Map(rows.map((r) => [key([r.standard, r.table, r.source_category, r.pollutant, r.applies_to]), r]));
  const limits = new Map<string, Map<string, { standard: string; limit: Limit }>>();
  for (const t of data) {
    const m = new Map<string, { standard: string; limit: Limit }>();
    for (const o of t.outlets) {
      for (const p of o.pollutants) {
        if (!p.ref) continue;
        const row = byKey.get(key(p.ref));
        if (!row) throw new Error(`permit template ${t.id}: no emission-limit row ${key(p.ref)}`);
        m.set(`${o.code}|${p.pollutantCode}`, { standard: row.standard, limit: toLimit(row) });
      }
    }
    limits.set(t.id, m);
  }
  cache = { data, limits };
  return cache;
}

export function listTemplates(): TemplateSummary[] {
  const { data } = load();
  return data.map((t) => ({
    id: t.id,
    name: t.name,
    industryCodes: t.industryCodes,
    managementCategory: t.managementCategory,
    note: t.note,
    permittedFactors: t.permittedFactors,
    limitsMissing: t.outlets.reduce((n, o) => n + o.pollutants.filter((p) => !p.ref).length, 0),
  }));
}

/**
 * The content a template starts an application with, for a site (which must have coordinates): its coordinates, today's
 * validity (set again when the permit is issued), no permitted quantities yet (the applicant
 * computes them). Undefined for an unknown template.
 */
export function templateContent(id: string, unit: Pick<UnitView, 'longitude' | 'latitude'>, now: Date): PermitContent | undefined {
  const { data, limits } = load();
  const t = data.find((x) => x.id === id);
  if (!t) return undefined;
  const filled = limits.get(id)!;
  const from = chinaDate(now);
  return {
    managementCategory: t.managementCategory,
    validFrom: from,
    validTo: periodEnd(from, PERMIT_VALIDITY_YEARS),
    productionFacilities: structuredClone(t.productionFacilities),
    controlFacilities: structuredClone(t.controlFacilities),
    outlets: t.outlets.map((o) => ({
      code: o.code,
      name: o.name,
      kind: o.kind,
      // the site's location until the applicant enters each outlet's own (checked by the caller)
      longitude: unit.longitude!,
      latitude: unit.latitude!,
      ...(o.heightM !== undefined ? { heightM: o.heightM } : {}),
      ...(o.receivingWater !== undefined ? { receivingWater: o.receivingWater } : {}),
      pollutants: o.pollutants.map((p) => {
        const f = filled.get(`${o.code}|${p.pollutantCode}`);
        return { pollutantCode: p.pollutantCode, standard: f?.standard ?? p.standard!, ...(f ? { limit: f.limit } : {}), ...(p.referenceO2 !== undefined ? { referenceO2: p.referenceO2 } : {}) };
      }),
    })),
    permittedQuantities: [],
    selfMonitoring: structuredClone(t.selfMonitoring),
    reports: t.reports.map((type) => ({ type })),
    rectifications: [],
    specialConditions: [],
  };
}
