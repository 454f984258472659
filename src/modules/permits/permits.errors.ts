import { AppError, ConflictError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { ContentProblem } from './permit-content.ts';

export class PermitNotFoundError extends NotFoundError {
  constructor() {
    super({ zh: '排污许可证', en: 'permit' });
  }
}
export class PermitVersionNotFoundError extends NotFoundError {
  constructor(versionNo: number) {
    super({ zh: `排污许可证第 ${versionNo} 版`, en: `version ${versionNo} of the permit` });
  }
}
/** The content breaks a rule of its own (see checkPermitContent): every problem is listed. */
export class PermitContentError extends ValidationError {
  constructor(problems: ContentProblem[]) {
    super(
      { zh: `许可证内容有 ${problems.length} 处错误：${problems.map((p) => p.zh).join('；')}`, en: `The permit content has ${problems.length} error(s): ${problems.map((p) => p.en).join('; ')}` },
      { problems },
    );
  }
}
export class PermitExistsError extends ConflictError {
  constructor(permitNumber: string) {
    super('PERMIT_EXISTS', { zh: `该生产经营场所已有有效的排污许可证 ${permitNumber}`, en: `The site already holds a valid permit, ${permitNumber}` }, { permitNumber });
  }
}
export class PermitNumberTakenError extends ConflictError {
  constructor(permitNumber: string) {
    super('PERMIT_NUMBER_TAKEN', { zh: `许可证编号 ${permitNumber} 已被另一有效许可证使用`, en: `Permit number ${permitNumber} is held by another valid permit` }, { permitNumber });
  }
}
export class PermitConcurrentUpdateError extends ConflictError {
  constructor(current: number) {
    super('PERMIT_CHANGED', { zh: `许可证已被他人更新（当前第 ${current} 版），请刷新后重试`, en: `The permit was updated by someone else (now version ${current}); reload and try again` }, { currentVersion: current });
  }
}
export class PermitNotApplicableError extends AppError {
  constructor(reason: 'closed' | 'registration' | 'not-valid' | 'renewal-dates' | 'change-dates') {
    const m = {
      closed: { zh: '生产经营场所已关闭，不能核发或变更许可证', en: 'The site is closed: no permit can be issued or changed' },
      registration: { zh: '登记管理的排污单位填报排污登记表，不申领排污许可证', en: 'Units under registration management file a registration, not a permit' },
      'not-valid': { zh: '许可证已注销、撤销或吊销，不能再变更或延续', en: 'The permit is cancelled or revoked: it can no longer be changed or renewed' },
      'renewal-dates': { zh: '延续后的有效期应在原有效期届满之后开始', en: 'A renewal must start a new validity period after the current one ends' },
      'change-dates': { zh: '变更不改变有效期；有效期届满前请申请延续', en: 'A change keeps the validity period; renew to extend it' },
    }[reason];
    super('PERMIT_NOT_APPLICABLE', 409, m, { reason });
  }
}
