import { AppError, ConflictError, NotFoundError } from '../../platform/errors.ts';

export class UnitNotFoundError extends NotFoundError {
  constructor() {
    super({ zh: '排污单位', en: 'discharging unit' });
  }
}
export class EntityNotFoundError extends NotFoundError {
  constructor() {
    super({ zh: '法人主体', en: 'legal entity' });
  }
}
export class EntityExistsError extends ConflictError {
  constructor(existing: { id: string; name: string; creditCode: string; regionCode: string }) {
    super(
      'ENTITY_EXISTS',
      {
        zh: `统一社会信用代码 ${existing.creditCode} 已登记为「${existing.name}」（区划 ${existing.regionCode}），不能重复创建；如需为其新增生产经营场所，请选择该主体`,
        en: `Credit code ${existing.creditCode} is already registered as "${existing.name}" (region ${existing.regionCode}); add a site to that entity instead of creating it again`,
      },
      { existing },
    );
  }
}
/** The code exists under another jurisdiction: say so without naming it or giving its id. */
export class EntityExistsElsewhereError extends ConflictError {
  constructor(creditCode: string) {
    super('ENTITY_EXISTS', {
      zh: `统一社会信用代码 ${creditCode} 已由其他辖区登记，不能重复创建；请联系其登记地生态环境部门`,
      en: `Credit code ${creditCode} is already registered by another jurisdiction; contact the authority where it is registered`,
    });
  }
}
export class EntityNotEditableError extends AppError {
  constructor() {
    super('ENTITY_NOT_EDITABLE', 403, {
      zh: '只有法人主体登记地的生态环境部门可以修改主体信息',
      en: 'Only the authority of the region where the entity is registered can edit it',
    });
  }
}
export class UnitConcurrentUpdateError extends ConflictError {
  constructor() {
    super('UNIT_CONCURRENT_UPDATE', {
      zh: '该记录已被他人修改，请刷新后重试',
      en: 'Someone else changed this record; reload and try again',
    });
  }
}
export class UnitTransitionError extends ConflictError {
  constructor(from: string, to: string) {
    super('UNIT_INVALID_TRANSITION', {
      zh: `当前状态（${from === 'closed' ? '已关闭' : '正常'}）不能${to === 'closed' ? '关闭' : '重新启用'}`,
      en: `A unit in status ${from} cannot be ${to === 'closed' ? 'closed' : 'reopened'}`,
    });
  }
}
export class SiteLimitError extends AppError {
  constructor() {
    super('SITE_LIMIT', 409, { zh: '一个主体最多 999 个生产经营场所', en: 'An entity can have at most 999 sites' });
  }
}
export class RegistrationExistsError extends ConflictError {
  constructor(number: string) {
    super('REGISTRATION_EXISTS', { zh: `该场所已有有效的排污登记（${number}）`, en: `This site already has a valid registration (${number})` });
  }
}
export class RegistrationNotApplicableError extends ConflictError {
  constructor(reason: 'closed' | 'category') {
    super(
      'REGISTRATION_NOT_APPLICABLE',
      reason === 'closed'
        ? { zh: '已关闭的排污单位不能办理排污登记', en: 'A closed unit cannot be registered' }
        : { zh: '重点管理或简化管理的排污单位应申领排污许可证，不办理排污登记', en: 'Units under key or simplified management need a permit, not a registration' },
    );
  }
}
export class RegistrationNotValidError extends ConflictError {
  constructor() {
    super('REGISTRATION_NOT_VALID', { zh: '该排污登记已注销', en: 'This registration is already cancelled' });
  }
}
