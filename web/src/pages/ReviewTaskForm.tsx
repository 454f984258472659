import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Descriptions, Empty, Form, Input, Modal, Select, Space, Spin, Table, Tag, Typography } from 'antd';
import { api } from '../api';
import { useShowError, useT } from '../context';
import { Link } from '../router';
import { TASK_STATUS_COLORS, type TaskRow } from '../components/ReviewTasksTable';
import type { MessageKey } from '../i18n';

interface Finding {
  id: string;
  origin: 'rule' | 'flag' | 'reviewer';
  ruleId: string | null;
  problemType: string;
  severity: 'error' | 'warning' | 'notice';
  path: string;
  messageZh: string;
  messageEn: string;
  status: 'open' | 'confirmed' | 'dismissed';
  reason: string | null;
  decidedBy: string | null;
  ledgerItemId: string | null;
  version: number;
}
interface TaskDetail extends Omit<TaskRow, 'period' | 'openFindings' | 'confirmedFindings'> {
  version: number;
  conclusion: string | null;
  completedBy: string | null;
  completedAt: string | null;
  plan: { period: string; title: string; level: string };
  agencyName: string | null;
  findings: Finding[];
}
const SEVERITY_COLORS = { error: 'red', warning: 'orange', notice: 'blue' } as const;
const STATUS_COLORS = { open: 'default', confirmed: 'red', dismissed: 'green' } as const;
const ORIGIN_COLORS = { rule: 'purple', flag: 'cyan', reviewer: 'gold' } as const;
const TYPES = ['category', 'outlets', 'limits', 'quantities', 'monitoring', 'reports', 'validity', 'rectification', 'similarity', 'other'] as const;

/** 审核表: one sampled permit, its hits and flags to confirm or dismiss, the reviewer's own findings, completion. */
export default function ReviewTaskForm({ id }: { id: string }) {
  const { t, lang } = useT();
  const showError = useShowError();
  const [task, setTask] = useState<TaskDetail | null>(null);
  const [deciding, setDeciding] = useState<{ finding: Finding; decision: 'confirm' | 'dismiss' } | null>(null);
  const [reason, setReason] = useState('');
  const [adding, setAdding] = useState(false);
  const [conclusion, setConclusion] = useState('');
  const [done, setDone] = useState<number | null>(null);
  const [form] = Form.useForm();

  const load = useCallback(() => api.get<TaskDetail>(`/api/review/tasks/${id}`).then(setTask).catch(showError), [id, showError]);
  useEffect(() => {
    load();
  }, [load]);
  if (!task) return <Spin />;
  const open = task.findings.filter((f) => f.status === 'open').length;
  const closed = task.status === 'done';

  const decide = async () => {
    if (!deciding) return;
    try {
      await api.post(`/api/review/findings/${deciding.finding.id}/decision`, { decision: deciding.decision, reason, expectedVersion: deciding.finding.version });
      setDeciding(null);
      setReason('');
    } catch (e) {
      showError(e);
    }
    load();
  };
  const addFinding = async () => {
    const v = await form.validateFields();
    try {
      await api.post(`/api/review/tasks/${id}/findings`, v);
      setAdding(false);
      form.resetFields();
      load();
    } catch (e) {
      showError(e);
    }
  };
  const complete = async () => {
    try {
      const r = await api.post<{ ledgerItems: number }>(`/api/review/tasks/${id}/complete`, { conclusion, expectedVersion: task.version });
      setDone(r.ledgerItems);
    } catch (e) {
      showError(e);
    }
    load();
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="task-form">
      <Card title={`${t('tasks.form')} · ${task.permitNumber}`} extra={<Link to={`/review/plans/${task.planId}`}>{task.plan.title}</Link>}>
        <Descriptions size="small" column={3} bordered>
          <Descriptions.Item label={t('permit.number')}>
            <Link to={`/permits/${task.permitId}`}>{task.permitNumber}</Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('tasks.unit')}>{task.unitName}</Descriptions.Item>
          <Descriptions.Item label={t('tasks.status')}>
            <Tag color={TASK_STATUS_COLORS[task.status]} data-testid="task-status">{t(`tasks.status.${task.status}`)}</Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t('tasks.selection')}>{t(`tasks.selection.${task.selection}`)}</Descriptions.Item>
          <Descriptions.Item label={t('tasks.risk')} span={2}>
            <Space wrap size={4}>
              <Typography.Text strong>{task.riskScore}</Typography.Text>
              {task.riskReasons.map((r) => (
                <Tag key={r.kind}>{`${t(`tasks.risk.${r.kind}` as MessageKey)} ${r.n} → ${r.points}`}</Tag>
              ))}
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t('plans.agency')}>{task.agencyName ?? t('common.none')}</Descriptions.Item>
          <Descriptions.Item label={t('tasks.assignee')} span={2}>{task.assigneeName ?? t('tasks.unassigned')}</Descriptions.Item>
          {closed && (
            <Descriptions.Item label={t('tasks.conclusion')} span={3}>
              {`${task.conclusion}（${task.completedBy} · ${task.completedAt ? new Date(task.completedAt).toLocaleString() : ''}）`}
            </Descriptions.Item>
          )}
        </Descriptions>
      </Card>

      <Card title={t('tasks.findings')} extra={!closed && <Button onClick={() => setAdding(true)} data-testid="finding-add">{t('tasks.addFinding')}</Button>}>
        <Typography.Paragraph type="secondary">{t('tasks.findingsHelp')}</Typography.Paragraph>
        <Table<Finding>
          data-testid="findings-table"
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={task.findings}
          locale={{ emptyText: <Empty description={t('tasks.noFindings')} /> }}
          columns={[
            { title: t('tasks.origin'), dataIndex: 'origin', width: 100, render: (o: Finding['origin'], f) => <Space direction="vertical" size={0}><Tag color={ORIGIN_COLORS[o]}>{t(`tasks.origin.${o}`)}</Tag>{f.ruleId && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{f.ruleId}</Typography.Text>}</Space> },
            { title: t('review.problemType'), dataIndex: 'problemType', width: 110, render: (p: string) => t(`problemType.${p}` as MessageKey) },
            { title: t('rules.severity'), dataIndex: 'severity', width: 70, render: (s: Finding['severity']) => <Tag color={SEVERITY_COLORS[s]}>{t(`review.severity.${s}`)}</Tag> },
            { title: t('review.finding'), render: (_, f) => <Space direction="vertical" size={0}><span>{lang === 'en' ? f.messageEn : f.messageZh}</span>{f.path && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{f.path}</Typography.Text>}</Space> },
            {
              title: t('tasks.decision'),
              width: 220,
              render: (_, f) =>
                f.status === 'open' ? (
                  closed ? null : (
                    <Space>
                      <Button size="small" danger onClick={() => setDeciding({ finding: f, decision: 'confirm' })} data-testid={`confirm-${f.id}`}>{t('tasks.confirm')}</Button>
                      <Button size="small" onClick={() => setDeciding({ finding: f, decision: 'dismiss' })} data-testid={`dismiss-${f.id}`}>{t('tasks.dismiss')}</Button>
                    </Space>
                  )
                ) : (
                  <Space direction="vertical" size={0}>
                    <Tag color={STATUS_COLORS[f.status]}>{t(`tasks.finding.${f.status}`)}</Tag>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>{`${f.reason ?? ''}（${f.decidedBy ?? ''}）`}</Typography.Text>
                    {f.ledgerItemId && <Link to={`/rectifications?item=${f.ledgerItemId}`}>{t('tasks.onLedger')}</Link>}
                  </Space>
                ),
            },
          ]}
        />
      </Card>

      {!closed ? (
        <Card title={t('tasks.complete')}>
          <Space direction="vertical" style={{ width: '100%' }}>
            {open > 0 && <Alert type="warning" showIcon message={t('tasks.openLeft', { n: open })} />}
            <Input.TextArea rows={3} value={conclusion} onChange={(e) => setConclusion(e.target.value)} placeholder={t('tasks.conclusionPlaceholder')} maxLength={4000} data-testid="conclusion" />
            <Button type="primary" disabled={open > 0 || conclusion.trim().length < 2} onClick={complete} data-testid="task-complete">
              {t('tasks.completeButton')}
            </Button>
          </Space>
        </Card>
      ) : (
        done !== null && <Alert type="success" showIcon data-testid="task-done" message={t('tasks.completed', { n: done })} action={<Link to="/rectifications">{t('nav.ledger')}</Link>} />
      )}

      <Modal open={deciding !== null} title={deciding ? t(deciding.decision === 'confirm' ? 'tasks.confirmTitle' : 'tasks.dismissTitle') : ''} onCancel={() => setDeciding(null)} onOk={decide} okButtonProps={{ disabled: reason.trim().length < 2, 'data-testid': 'decision-ok' } as never} destroyOnHidden>
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Text>{deciding ? (lang === 'en' ? deciding.finding.messageEn : deciding.finding.messageZh) : ''}</Typography.Text>
          <Input.TextArea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('tasks.reason')} maxLength={2000} data-testid="decision-reason" />
        </Space>
      </Modal>
      <Modal open={adding} title={t('tasks.addFinding')} onCancel={() => setAdding(false)} onOk={addFinding} okButtonProps={{ 'data-testid': 'finding-ok' } as never} destroyOnHidden>
        <Form form={form} layout="vertical" initialValues={{ severity: 'warning', problemType: 'other' }}>
          <Form.Item name="problemType" label={t('review.problemType')} rules={[{ required: true }]}>
            <Select options={TYPES.map((x) => ({ value: x, label: t(`problemType.${x}`) }))} />
          </Form.Item>
          <Form.Item name="severity" label={t('rules.severity')} rules={[{ required: true }]}>
            <Select options={(['error', 'warning', 'notice'] as const).map((s) => ({ value: s, label: t(`review.severity.${s}`) }))} />
          </Form.Item>
          <Form.Item name="message" label={t('review.finding')} rules={[{ required: true, min: 4, max: 2000 }]}>
            <Input.TextArea rows={3} data-testid="finding-message" />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
