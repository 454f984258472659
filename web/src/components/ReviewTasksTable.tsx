import { useCallback, useEffect, useState } from 'react';
import { Button, Empty, Modal, Radio, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { api } from '../api';
import { useShowError, useT } from '../context';
import { Link } from '../router';
import type { MessageKey } from '../i18n';

export interface TaskRow {
  id: string;
  planId: string;
  period: string;
  regionCode: string;
  permitId: string;
  permitNumber: string;
  unitName: string;
  selection: 'random' | 'targeted';
  riskScore: number;
  riskReasons: { kind: string; n: number; points: number }[];
  assigneeName: string | null;
  status: 'pending' | 'in_review' | 'done';
  openFindings: number;
  confirmedFindings: number;
}
export const TASK_STATUS_COLORS = { pending: 'default', in_review: 'processing', done: 'success' } as const;

interface Reviewers {
  users: { id: string; displayName: string; role: string; regionPrefix: string }[];
  experts: { id: string; name: string; poolRegion: string; specialties: string[]; employer: string | null }[];
}

/** A plan's tasks (or the caller's own), paged and filtered; officials select some and assign them. */
export function ReviewTasksTable({ planId, mine, assignRegion }: { planId?: string; mine?: boolean; assignRegion?: string }) {
  const { t } = useT();
  const showError = useShowError();
  const [data, setData] = useState<{ items: TaskRow[]; total: number } | null>(null);
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<string | undefined>();
  const [selection, setSelection] = useState<string | undefined>();
  const [picked, setPicked] = useState<string[]>([]);
  const [assigning, setAssigning] = useState(false);
  const [reviewers, setReviewers] = useState<Reviewers | null>(null);
  const [mode, setMode] = useState<'user' | 'experts'>('user');
  const [userId, setUserId] = useState<string | undefined>();
  const [expertIds, setExpertIds] = useState<string[]>([]);

  const load = useCallback(() => {
    api.get<{ items: TaskRow[]; total: number }>('/api/review/tasks', { planId, mine: mine ? 'true' : undefined, status, selection, page, pageSize: 20 }).then(setData).catch(showError);
  }, [planId, mine, status, selection, page, showError]);
  useEffect(() => {
    load();
  }, [load]);

  const openAssign = () => {
    setAssigning(true);
    if (!reviewers) api.get<Reviewers>('/api/review/reviewers', { region: assignRegion }).then(setReviewers).catch(showError);
  };
  const assign = async () => {
    try {
      await api.post('/api/review/tasks/assign', mode === 'user' ? { taskIds: picked, userId } : { taskIds: picked, expertIds });
      setAssigning(false);
      setPicked([]);
      load();
    } catch (e) {
      showError(e);
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Select allowClear placeholder={t('tasks.status')} value={status} onChange={(v) => { setStatus(v); setPage(1); }} style={{ width: 130 }} options={(['pending', 'in_review', 'done'] as const).map((s) => ({ value: s, label: t(`tasks.status.${s}`) }))} />
        <Select allowClear placeholder={t('tasks.selection')} value={selection} onChange={(v) => { setSelection(v); setPage(1); }} style={{ width: 130 }} options={(['targeted', 'random'] as const).map((s) => ({ value: s, label: t(`tasks.selection.${s}`) }))} />
        {assignRegion !== undefined && (
          <Button disabled={picked.length === 0} onClick={openAssign} data-testid="tasks-assign">
            {t('tasks.assign', { n: picked.length })}
          </Button>
        )}
      </Space>
      <Table<TaskRow>
        data-testid="tasks-table"
        rowKey="id"
        size="small"
        loading={!data}
        dataSource={data?.items ?? []}
        locale={{ emptyText: <Empty description={t('tasks.none')} /> }}
        rowSelection={assignRegion !== undefined ? { selectedRowKeys: picked, onChange: (k) => setPicked(k as string[]), getCheckboxProps: (r) => ({ disabled: r.status === 'done' }) } : undefined}
        pagination={{ current: page, pageSize: 20, total: data?.total ?? 0, showSizeChanger: false, onChange: setPage, showTotal: (n) => t('common.total', { n }) }}
        columns={[
          { title: t('permit.number'), render: (_, r) => <Space direction="vertical" size={0}><Link to={`/review/tasks/${r.id}`}>{r.permitNumber}</Link><Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.unitName}</Typography.Text></Space> },
          { title: t('tasks.selection'), dataIndex: 'selection', render: (s: TaskRow['selection']) => <Tag color={s === 'targeted' ? 'volcano' : 'geekblue'}>{t(`tasks.selection.${s}`)}</Tag> },
          {
            title: t('tasks.risk'),
            dataIndex: 'riskScore',
            render: (v: number, r) => (
              <Tooltip title={r.riskReasons.length ? r.riskReasons.map((x) => `${t(`tasks.risk.${x.kind}` as MessageKey)} ${x.n} → ${x.points}`).join('；') : t('tasks.risk.none')}>
                <Typography.Text strong={v > 0} type={v >= 5 ? 'danger' : undefined}>{v}</Typography.Text>
              </Tooltip>
            ),
          },
          { title: t('tasks.assignee'), dataIndex: 'assigneeName', render: (v: string | null) => v ?? <Typography.Text type="secondary">{t('tasks.unassigned')}</Typography.Text> },
          { title: t('tasks.status'), dataIndex: 'status', render: (s: TaskRow['status']) => <Tag color={TASK_STATUS_COLORS[s]}>{t(`tasks.status.${s}`)}</Tag> },
          { title: t('tasks.findings'), render: (_, r) => t('tasks.findingCounts', { open: r.openFindings, confirmed: r.confirmedFindings }) },
        ]}
      />
      <Modal open={assigning} title={t('tasks.assignTitle', { n: picked.length })} onCancel={() => setAssigning(false)} onOk={assign} okButtonProps={{ disabled: mode === 'user' ? !userId : expertIds.length === 0, 'data-testid': 'assign-ok' } as never} destroyOnHidden>
        <Space direction="vertical" style={{ width: '100%' }}>
          <Radio.Group value={mode} onChange={(e) => setMode(e.target.value)} optionType="button" options={[{ value: 'user', label: t('tasks.toUser') }, { value: 'experts', label: t('tasks.toExperts') }]} />
          {mode === 'user' ? (
            <Select data-testid="assign-user" showSearch optionFilterProp="label" style={{ width: '100%' }} value={userId} onChange={setUserId} placeholder={t('tasks.pickUser')} options={(reviewers?.users ?? []).map((u) => ({ value: u.id, label: `${u.displayName}（${u.regionPrefix || '全国'}）` }))} />
          ) : (
            <Select mode="multiple" showSearch optionFilterProp="label" style={{ width: '100%' }} value={expertIds} onChange={setExpertIds} placeholder={t('tasks.pickExperts')} options={(reviewers?.experts ?? []).map((e) => ({ value: e.id, label: `${e.name} · ${e.specialties.join('、')}${e.employer ? ` · ${e.employer}` : ''}` }))} />
          )}
          <Typography.Text type="secondary">{t('tasks.assignHelp')}</Typography.Text>
        </Space>
      </Modal>
    </Space>
  );
}
