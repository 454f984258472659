import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { CaseAction, CaseKind, CaseState } from '../../contracts/cases.ts';
import { ACTION_LABELS, KIND_LABELS, STATE_LABELS } from './cases.labels.ts';

export class CaseNotFoundError extends NotFoundError {
  constructor() {
    super({ zh: '办件', en: 'case' });
  }
}

/** The machine has no such step from the case's state. */
export class CaseTransitionError extends AppError {
  constructor(kind: CaseKind, state: CaseState, action: CaseAction, allowed: CaseAction[]) {
    const zhAllowed = allowed.map((a) => ACTION_LABELS[a].zh).join('、') || '无';
    const enAllowed = allowed.join(', ') || 'none';
    super(
      'CASE_INVALID_TRANSITION',
      409,
      {
        zh: `${KIND_LABELS[kind].zh}办件处于“${STATE_LABELS[state].zh}”状态，不能“${ACTION_LABELS[action].zh}”（此时可以：${zhAllowed}）`,
        en: `A ${KIND_LABELS[kind].en} case in state "${state}" cannot take "${action}" (possible now: ${enAllowed})`,
      },
      { kind, state, action, allowed },
    );
  }
}

export class CasePartyError extends ForbiddenError {
  constructor(action: CaseAction, party: string) {
    const who = { applicant: { zh: '申请单位', en: 'the applicant' }, official: { zh: '审批部门', en: 'the permit department' }, evaluator: { zh: '被指派的评估机构或专家', en: 'the assigned evaluator' }, 'official-or-evaluator': { zh: '审批部门或被指派的评估方', en: 'the permit department or the assigned evaluator' } }[party] ?? { zh: party, en: party };
    super({ zh: `“${ACTION_LABELS[action].zh}”只能由${who.zh}办理`, en: `Only ${who.en} may take "${action}"` });
  }
}

export class CaseConcurrentUpdateError extends ConflictError {
  constructor(current: number) {
    super('CASE_CHANGED', { zh: `办件已被他人处理（当前第 ${current} 版），请刷新后重试`, en: `Someone else acted on the case (now version ${current}); reload and try again` }, { currentVersion: current });
  }
}

export class CaseAlreadyOpenError extends ConflictError {
  constructor(kind: CaseKind) {
    super('CASE_ALREADY_OPEN', { zh: `该生产经营场所已有一件办理中的${KIND_LABELS[kind].zh}办件`, en: `The site already has an open ${KIND_LABELS[kind].en} case` }, { kind });
  }
}

export class CaseReasonRequiredError extends ValidationError {
  constructor(action: CaseAction) {
    super({ zh: `“${ACTION_LABELS[action].zh}”须写明理由`, en: `"${action}" needs a reason` });
  }
}

/** Acceptance refused: the completeness check found something missing. */
export class CaseIncompleteError extends AppError {
  constructor(missing: { code: string; zh: string; en: string }[]) {
    super(
      'CASE_INCOMPLETE',
      409,
      { zh: `申请材料不齐全，不能受理：${missing.map((m) => m.zh).join('；')}。请一次性告知申请单位补正`, en: `The application is incomplete and cannot be accepted: ${missing.map((m) => m.en).join('; ')}. Ask the applicant once for all of it` },
      { missing },
    );
  }
}

/** The one-time notice of missing materials came too late: the application counts as accepted. */
export class CaseDeemedAcceptedError extends AppError {
  constructor(noticeDue: string) {
    super(
      'CASE_DEEMED_ACCEPTED',
      409,
      { zh: `补正告知期限已于 ${noticeDue} 届满，依《排污许可管理条例》第九条，自收到申请材料之日起即为受理；请直接受理并审查`, en: `The period for the notice of missing materials ended on ${noticeDue}: under 条例 Art.9 the application counts as accepted on receipt; accept and review it` },
      { noticeDue },
    );
  }
}

export class CaseNotApplicableError extends AppError {
  constructor(reason: 'category' | 'registration-category' | 'permit-required' | 'permit-mismatch' | 'permit-ended' | 'permit-expired' | 'permit-changed' | 'has-permit' | 'closed' | 'grounds' | 'content' | 'review-date' | 'evaluation' | 'not-application' | 'coordinates' | 'template' | 'supplement-once' | 'hearing-period', extra?: Record<string, unknown>) {
    const m = {
      category: { zh: '登记管理的单位填报排污登记，不申请排污许可证', en: 'Units under registration management file a registration, not a permit application' },
      'registration-category': { zh: '重点或简化管理的单位应申请排污许可证，不填排污登记', en: 'Key and simplified units apply for a permit, not a registration' },
      'permit-required': { zh: '请指明所涉的排污许可证', en: 'Name the permit concerned' },
      'permit-mismatch': { zh: '该许可证不属于这个生产经营场所', en: 'The permit is not this site\'s' },
      'permit-ended': { zh: '许可证已注销、撤销或吊销，不能再变更、延续或重新申请', en: 'The permit is cancelled or revoked: it can no longer be changed, renewed or reapplied for' },
      'permit-expired': { zh: '许可证已过有效期，不能再变更或延续；请重新申请（首次申请）', en: 'The permit has expired: it can no longer be changed or renewed; apply anew' },
      'has-permit': { zh: '该生产经营场所已持有有效的排污许可证；请办理变更、延续或重新申请', en: 'The site already holds a valid permit: apply for a change, renewal or re-application' },
      closed: { zh: '生产经营场所已关闭，不能申请', en: 'The site is closed: no application can be made' },
      grounds: { zh: '依职权立案须写明事实和依据', en: 'An authority case needs its grounds' },
      content: { zh: '申请须填写许可事项内容', en: 'An application needs its permit content' },
      'review-date': { zh: '现场审核日期不能早于收到申请之日，也不能晚于今天', en: 'The on-site review date cannot be before the application was received or after today' },
      evaluation: { zh: '指派技术评估须指定一家技术机构或一组专家（二者取一）', en: 'Assign the evaluation to one agency or to a group of experts (one of the two)' },
      'not-application': { zh: '此操作只适用于许可申请', en: 'This applies to permit applications only' },
      coordinates: { zh: '该生产经营场所在名录中没有经纬度，请先补充后再使用模板', en: 'The site has no coordinates in the registry; add them before starting from a template' },
      template: { zh: '没有这个填报模板', en: 'No such template' },
      'permit-changed': { zh: `申请提出后许可证已更新（申请依据第 ${extra?.base} 版，现为第 ${extra?.current} 版）：请申请单位撤回后依现行版本重新申请`, en: `The permit changed after the application was made (made on version ${extra?.base}, now ${extra?.current}): the applicant withdraws and applies on the current version` },
      'supplement-once': { zh: '补正材料应一次性告知，本件已告知过；材料仍不齐全的可不予受理', en: 'Missing materials are asked for once, and were; if still incomplete, the application may be refused acceptance' },
      'hearing-period': { zh: `当事人可在 ${extra?.until} 前（告知后五日内）要求听证，期满前不得作出吊销决定（行政处罚法第六十四条）`, en: `The party may ask for a hearing until ${extra?.until} (five days from the notice): no decision before then (行政处罚法 Art.64)` },
    }[reason];
    super('CASE_NOT_APPLICABLE', 409, m, { reason, ...extra });
  }
}

export class ExpertConflictError extends AppError {
  constructor(problems: { expertId: string; name: string; exclusions: { code: string; zh: string; en: string }[] }[]) {
    super(
      'EXPERT_CONFLICT',
      409,
      {
        zh: `以下专家不能参加本件评估：${problems.map((p) => `${p.name}（${p.exclusions.map((e) => e.zh).join('，')}）`).join('；')}`,
        en: `These experts cannot evaluate this case: ${problems.map((p) => `${p.name} (${p.exclusions.map((e) => e.en).join(', ')})`).join('; ')}`,
      },
      { problems },
    );
  }
}

export class AgencyConflictError extends AppError {
  constructor() {
    super('AGENCY_CONFLICT', 409, { zh: '编制申请材料的技术机构不能评估本件申请', en: 'The agency that prepared the application cannot evaluate it' });
  }
}

export class ExpertNotFoundError extends NotFoundError {
  constructor() {
    super({ zh: '专家', en: 'expert' });
  }
}
export class AgencyNotFoundError extends NotFoundError {
  constructor() {
    super({ zh: '技术机构', en: 'technical agency' });
  }
}
export class ExpertChangedError extends ConflictError {
  constructor() {
    super('EXPERT_CHANGED', { zh: '专家信息已被他人修改，请刷新后重试', en: 'The expert was changed by someone else; reload and try again' });
  }
}
export class AgencyExistsError extends ConflictError {
  constructor(creditCode: string) {
    super('AGENCY_EXISTS', { zh: `统一社会信用代码 ${creditCode} 的技术机构已登记`, en: `An agency with credit code ${creditCode} is already listed` }, { creditCode });
  }
}

export class AttachmentTooLargeError extends AppError {
  constructor(size: number, max: number) {
    super('ATTACHMENT_TOO_LARGE', 413, { zh: `附件 ${(size / 1048576).toFixed(1)} MB，超过上限 ${(max / 1048576).toFixed(0)} MB`, en: `The attachment is ${(size / 1048576).toFixed(1)} MB, over the ${(max / 1048576).toFixed(0)} MB limit` }, { size, max });
  }
}

export class AttachmentTypeError extends AppError {
  constructor(fileName: string, detected: string | null, allowed: string[]) {
    super(
      'ATTACHMENT_TYPE_MISMATCH',
      415,
      detected
        ? { zh: `文件 ${fileName} 的内容是 ${detected}，与扩展名不符`, en: `${fileName} holds ${detected}, not what its extension says` }
        : { zh: `文件 ${fileName} 的类型不被接受；可上传：${allowed.join('、')}`, en: `${fileName} is not an accepted type; accepted: ${allowed.join(', ')}` },
      { fileName, detected, allowed },
    );
  }
}

export class AttachmentNotFoundError extends NotFoundError {
  constructor() {
    super({ zh: '附件', en: 'attachment' });
  }
}
