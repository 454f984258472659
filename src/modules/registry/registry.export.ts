import type { UnitView } from '../../contracts/registry.ts';
import { MANAGEMENT_CATEGORY_LABELS, UNIT_STATUS_LABELS } from '../../contracts/registry.ts';
import { UNIT_COLUMNS } from './registry.import.ts';

/** Export columns: the import titles first (so an export re-imports), then read-only facts. */
export const EXPORT_HEADERS = [
  UNIT_COLUMNS.creditCode.titles[0],
  UNIT_COLUMNS.entityName.titles[0],
  UNIT_COLUMNS.siteName.titles[0],
  '场所序号',
  UNIT_COLUMNS.regionCode.titles[0],
  '行政区划名称',
  UNIT_COLUMNS.industryCode.titles[0],
  '行业类别名称',
  UNIT_COLUMNS.managementCategory.titles[0],
  '状态',
  UNIT_COLUMNS.address.titles[0],
  UNIT_COLUMNS.longitude.titles[0],
  UNIT_COLUMNS.latitude.titles[0],
  UNIT_COLUMNS.contactPerson.titles[0],
  UNIT_COLUMNS.contactPhone.titles[0],
  '创建时间',
];

export function exportRow(u: UnitView): (string | number | null)[] {
  return [
    u.creditCode,
    u.entityName,
    u.name,
    u.siteSeq,
    u.regionCode,
    u.regionName,
    u.industryCode,
    u.industryName,
    u.managementCategory ? MANAGEMENT_CATEGORY_LABELS[u.managementCategory].zh : null,
    UNIT_STATUS_LABELS[u.status].zh,
    u.address,
    u.longitude,
    u.latitude,
    u.contactPerson,
    u.contactPhone,
    u.createdAt.toISOString(),
  ];
}
