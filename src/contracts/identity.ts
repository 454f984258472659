import { z } from 'zod';

/**
 * Roles from PRODUCT.md "Who uses it". Jurisdiction is a GB/T 2260 code prefix on the user
 * ('' = national, '33' = a province, '3301' = a city, '330102' = a county).
 */
export const Role = z.enum([
  'admin', // 系统管理员: manages users; national scope unless narrowed
  'ministry', // 生态环境部
  'provincial', // 省级生态环境厅
  'municipal_permit', // 市级审批部门
  'municipal_enforcement', // 市级执法
  'monitoring', // 监测站
  'expert', // 专家
  'enterprise', // 排污单位
  'agency', // 技术机构
]);
export type Role = z.infer<typeof Role>;

export const ROLE_LABELS: Record<Role, { zh: string; en: string }> = {
  admin: { zh: '系统管理员', en: 'System administrator' },
  ministry: { zh: '生态环境部', en: 'Ministry' },
  provincial: { zh: '省级生态环境厅', en: 'Provincial bureau' },
  municipal_permit: { zh: '市级审批部门', en: 'Municipal permit department' },
  municipal_enforcement: { zh: '市级执法部门', en: 'Municipal enforcement' },
  monitoring: { zh: '监测部门', en: 'Monitoring station' },
  expert: { zh: '专家', en: 'Expert' },
  enterprise: { zh: '排污单位', en: 'Discharging unit' },
  agency: { zh: '技术机构', en: 'Technical agency' },
};

export const CurrentUser = z.object({
  id: z.string().uuid(),
  username: z.string(),
  displayName: z.string(),
  role: Role,
  regionPrefix: z.string(),
  entityId: z.string().uuid().nullable(),
  permissions: z.array(z.string()),
  csrfToken: z.string().optional(),
});
export type CurrentUser = z.infer<typeof CurrentUser>;

export const LoginBody = z
  .object({
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(256),
  })
  .strict();
