import type { AttachmentKind, CaseAction, CaseKind, CaseState } from '../../contracts/cases.ts';

type Label = { zh: string; en: string };

/** Names of kinds, states and steps, for messages (the console has its own catalog). */
export const KIND_LABELS: Record<CaseKind, Label> = {
  first: { zh: '首次申请', en: 'first application' },
  change: { zh: '变更', en: 'change' },
  renewal: { zh: '延续', en: 'renewal' },
  reapplication: { zh: '重新申请', en: 're-application' },
  registration: { zh: '排污登记', en: 'registration' },
  cancellation: { zh: '注销', en: 'cancellation' },
  revocation: { zh: '撤销', en: 'revocation' },
  penaltyRevocation: { zh: '吊销', en: 'penalty revocation' },
};

export const STATE_LABELS: Record<CaseState, Label> = {
  draft: { zh: '草稿', en: 'draft' },
  submitted: { zh: '待受理', en: 'submitted' },
  supplement_requested: { zh: '待补正', en: 'supplement requested' },
  accepted: { zh: '已受理', en: 'accepted' },
  under_evaluation: { zh: '技术评估中', en: 'under evaluation' },
  evaluated: { zh: '评估完成', en: 'evaluated' },
  approved: { zh: '准予许可', en: 'approved' },
  refused: { zh: '不予许可', en: 'refused' },
  not_accepted: { zh: '不予受理', en: 'not accepted' },
  withdrawn: { zh: '已撤回', en: 'withdrawn' },
  recorded: { zh: '登记完成', en: 'recorded' },
  returned: { zh: '退回修改', en: 'returned' },
  opened: { zh: '已立案', en: 'opened' },
  hearing_notified: { zh: '已告知听证', en: 'hearing notified' },
  decided: { zh: '已决定', en: 'decided' },
  dropped: { zh: '终止办理', en: 'dropped' },
};

export const ACTION_LABELS: Record<CaseAction, Label> = {
  submit: { zh: '提交', en: 'submit' },
  request_supplement: { zh: '一次性告知补正', en: 'request supplement' },
  accept: { zh: '受理', en: 'accept' },
  not_accept: { zh: '不予受理', en: 'not accept' },
  assign_evaluation: { zh: '指派技术评估', en: 'assign evaluation' },
  complete_evaluation: { zh: '提交评估意见', en: 'complete evaluation' },
  approve: { zh: '准予许可', en: 'approve' },
  refuse: { zh: '不予许可', en: 'refuse' },
  withdraw: { zh: '撤回申请', en: 'withdraw' },
  record: { zh: '登记', en: 'record' },
  return: { zh: '退回', en: 'return' },
  notify_hearing: { zh: '告知听证权利', en: 'notify hearing' },
  decide: { zh: '作出决定', en: 'decide' },
  drop: { zh: '终止办理', en: 'drop' },
};

export const MATERIAL_LABELS: Record<AttachmentKind, Label> = {
  application_form: { zh: '排污许可证申请表', en: 'application form' },
  commitment: { zh: '承诺书', en: 'letter of commitment' },
  eia_approval: { zh: '环评批复或备案材料', en: 'EIA approval or filing' },
  evaluation_report: { zh: '技术评估报告', en: 'evaluation report' },
  on_site_record: { zh: '现场审核记录', en: 'on-site review record' },
  decision: { zh: '决定书', en: 'decision' },
  other: { zh: '其他', en: 'other' },
};
