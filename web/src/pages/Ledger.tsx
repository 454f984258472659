import { useCallback, useEffect, useState } from 'react';
import { Button, Card, Descriptions, Drawer, Form, Input, Select, Space, Switch, Table, Tag, Timeline, Typography } from 'antd';
import { api, queryString } from '../api';
import { useCan, useShowError, useT } from '../context';
import { navigate, useLocation } from '../router';
import { RegionName } from '../components/RegionName';
import type { MessageKey } from '../i18n';

interface Item {
  id: string;
  regionCode: string;
  permitId: string | null;
  source: string;
  problem: string;
  basis: string | null;
  responsible: string;
  deadline: string;
  status: 'open' | 'evidence_submitted' | 'closed';
  overdue: boolean;
  escalationLevel: number;
  version: number;
  closedBy: string | null;
}
interface Update {
  id: string;
  kind: string;
  note: string;
  evidenceName: string | null;
  evidenceSha256: string | null;
  actorName: string;
  at: string;
}
const STATUS_COLORS = { open: 'processing', evidence_submitted: 'orange', closed: 'success' } as const;

async function sha256(file: File) {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** 整改台账: items, their progress and evidence, close-out by an official; clearance by city. */
export default function Ledger() {
  const { t } = useT();
  const can = useCan();
  const showError = useShowError();
  const { search } = useLocation();
  const status = search.get('status') ?? '';
  const overdue = search.get('overdue') === 'true';
  const escalated = search.get('escalated') === 'true';
  const item = search.get('item');
  const page = Number(search.get('page') ?? 1) || 1;
  const [data, setData] = useState<{ items: Item[]; total: number } | null>(null);
  const [summary, setSummary] = useState<{ rows: { cityCode: string; total: number; closed: number; open: number; overdue: number; clearance: number | null }[] } | null>(null);
  const [open, setOpen] = useState<(Item & { updates: Update[] }) | null>(null);
  const [form] = Form.useForm();
  const [file, setFile] = useState<File | null>(null);
  const manage = can('ledger.manage');

  const load = useCallback(() => {
    api.get<{ items: Item[]; total: number }>('/api/rectifications', { status: status || undefined, overdue: overdue ? 'true' : undefined, escalated: escalated ? 'true' : undefined, page, pageSize: 20 }).then(setData).catch(showError);
    api.get<typeof summary>('/api/rectifications/summary').then(setSummary).catch(showError);
  }, [status, overdue, escalated, page, showError]);
  useEffect(load, [load]);
  const show = useCallback((id: string) => api.get<Item & { updates: Update[] }>(`/api/rectifications/${id}`).then(setOpen).catch(showError), [showError]);
  // a link to one item (from a review task) opens it
  useEffect(() => {
    if (item) show(item);
  }, [item, show]);
  const go = (q: { status?: string; overdue?: boolean; escalated?: boolean; page?: number }) =>
    navigate('/rectifications' + queryString({ status: q.status, overdue: q.overdue ? 'true' : undefined, escalated: q.escalated ? 'true' : undefined, page: q.page && q.page > 1 ? q.page : undefined }));

  const report = async (kind: 'progress' | 'evidence') => {
    const v = await form.validateFields();
    try {
      await api.post(`/api/rectifications/${open!.id}/updates`, { kind, note: v.note, ...(kind === 'evidence' && file ? { evidenceName: file.name, evidenceSha256: await sha256(file) } : {}) });
      form.resetFields();
      setFile(null);
      await show(open!.id);
      load();
    } catch (e) {
      showError(e);
    }
  };
  const decide = async (what: 'close' | 'reject') => {
    const v = await form.validateFields();
    try {
      await api.post(`/api/rectifications/${open!.id}/${what}`, { expectedVersion: open!.version, note: v.note });
      form.resetFields();
      await show(open!.id);
      load();
    } catch (e) {
      showError(e);
    }
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="ledger-page">
      {summary && summary.rows.length > 0 && (
        <Card size="small" title={t('ledger.clearance')}>
          <Space wrap size="large">
            {summary.rows.map((r) => (
              <Space key={r.cityCode} direction="vertical" size={0}>
                <Typography.Text strong>
                  <RegionName code={r.cityCode} />
                </Typography.Text>
                <span>{`${r.closed} / ${r.total}（${r.clearance === null ? '—' : `${Math.round(r.clearance * 100)}%`}）`}</span>
                {r.overdue > 0 && <Tag color="red">{`${t('ledger.overdue')} ${r.overdue}`}</Tag>}
              </Space>
            ))}
          </Space>
        </Card>
      )}
      <Card
        title={t('ledger.title')}
        extra={
          <Space>
            <Select allowClear placeholder={t('ledger.status')} value={status || undefined} style={{ width: 140 }} onChange={(s) => go({ status: s, overdue, escalated })} options={(['open', 'evidence_submitted', 'closed'] as const).map((s) => ({ value: s, label: t(`ledger.status.${s}` as MessageKey) }))} />
            {t('ledger.overdueOnly')}
            <Switch size="small" checked={overdue} onChange={(o) => go({ status, overdue: o, escalated })} />
            {t('ledger.escalatedOnly')}
            <Switch size="small" checked={escalated} onChange={(e) => go({ status, overdue, escalated: e })} data-testid="ledger-escalated" />
            <Button href={`/api/rectifications/export${queryString({ format: 'xlsx', status: status || undefined, overdue: overdue ? 'true' : undefined, escalated: escalated ? 'true' : undefined })}`}>{t('ledger.export')}</Button>
          </Space>
        }
      >
        <Table<Item>
          data-testid="ledger-table"
          rowKey="id"
          size="small"
          loading={!data}
          dataSource={data?.items ?? []}
          onRow={(i) => ({ onClick: () => show(i.id), style: { cursor: 'pointer' } })}
          rowClassName={(i) => (i.overdue ? 'row-overdue' : '')}
          pagination={{ current: page, pageSize: 20, total: data?.total ?? 0, showSizeChanger: false, onChange: (p) => go({ status, overdue, escalated, page: p }) }}
          columns={[
            { title: t('ledger.problem'), dataIndex: 'problem' },
            { title: t('ledger.source'), dataIndex: 'source', render: (s: string) => t(`ledger.source.${s}` as MessageKey) },
            { title: t('ledger.responsible'), dataIndex: 'responsible' },
            { title: t('ledger.deadline'), render: (_, i) => <Space size={4}>{i.deadline}{i.overdue && <Tag color="red">{t('ledger.overdue')}</Tag>}{i.escalationLevel > 0 && i.status !== 'closed' && <Tag color="volcano">{t(i.escalationLevel > 1 ? 'ledger.escalated.province' : 'ledger.escalated.city')}</Tag>}</Space> },
            { title: t('ledger.status'), dataIndex: 'status', render: (s: Item['status']) => <Tag color={STATUS_COLORS[s]}>{t(`ledger.status.${s}` as MessageKey)}</Tag> },
          ]}
        />
      </Card>
      <Drawer open={!!open} width={640} onClose={() => setOpen(null)} title={open?.problem} destroyOnHidden>
        {open && (
          <Space direction="vertical" size="large" style={{ width: '100%' }}>
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label={t('ledger.status')}>
                <Tag color={STATUS_COLORS[open.status]}>{t(`ledger.status.${open.status}` as MessageKey)}</Tag>
              </Descriptions.Item>
              <Descriptions.Item label={t('ledger.deadline')}>{open.deadline}</Descriptions.Item>
              <Descriptions.Item label={t('ledger.responsible')}>{open.responsible}</Descriptions.Item>
              {open.basis && <Descriptions.Item label={t('ledger.basis')}>{open.basis}</Descriptions.Item>}
            </Descriptions>
            <Timeline
              items={open.updates.map((u) => ({
                color: u.kind === 'verify' ? 'green' : u.kind === 'reject' ? 'red' : 'blue',
                children: (
                  <Space direction="vertical" size={0}>
                    <strong>{t(`ledger.update.${u.kind}` as MessageKey)}</strong>
                    <span>{u.note}</span>
                    {u.evidenceName && <Typography.Text type="secondary">{`${u.evidenceName}${u.evidenceSha256 ? ` · SHA-256 ${u.evidenceSha256.slice(0, 12)}…` : ''}`}</Typography.Text>}
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>{`${u.actorName} · ${new Date(u.at).toLocaleString()}`}</Typography.Text>
                  </Space>
                ),
              }))}
            />
            {open.status !== 'closed' && (
              <Form form={form} layout="vertical">
                <Form.Item name="note" label={t('ledger.note')} rules={[{ required: true, min: 2 }]}>
                  <Input.TextArea rows={3} data-testid="ledger-note" />
                </Form.Item>
                <Form.Item label={t('ledger.evidenceFile')}>
                  <input type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
                </Form.Item>
                <Space wrap>
                  <Button onClick={() => report('progress')}>{t('ledger.progress')}</Button>
                  <Button type="primary" disabled={!file} onClick={() => report('evidence')}>
                    {t('ledger.evidence')}
                  </Button>
                  {manage && open.status === 'evidence_submitted' && (
                    <>
                      <Button type="primary" onClick={() => decide('close')} data-testid="ledger-close">
                        {t('ledger.close')}
                      </Button>
                      <Button danger onClick={() => decide('reject')}>
                        {t('ledger.reject')}
                      </Button>
                    </>
                  )}
                </Space>
              </Form>
            )}
          </Space>
        )}
      </Drawer>
    </Space>
  );
}
