import { useCallback, useEffect, useState } from 'react';
import { Button, Card, Empty, Progress, Select, Space, Table, Tag, Typography } from 'antd';
import { api } from '../api';
import { Link } from '../router';
import { QualityScores } from '../components/QualityScores';
import { useApp, useShowError, useT } from '../context';
import type { MessageKey } from '../i18n';

interface Sweep {
  id: string;
  regionPrefix: string;
  status: 'running' | 'done' | 'cancelled' | 'failed' | 'superseded';
  error: string | null;
  total: number;
  processed: number;
  hits: number;
  errors: number;
  referenceVersion: string;
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
}
interface Results {
  items: { permitId: string; permitNumber: string; ruleId: string; severity: 'error' | 'warning' | 'notice'; path: string; messageZh: string; messageEn: string }[];
  total: number;
  byRule: { ruleId: string; severity: string; n: number; permits: number }[];
}
const COLORS: Record<string, string> = { error: 'red', warning: 'orange', notice: 'blue', running: 'processing', done: 'success', cancelled: 'default', failed: 'error', superseded: 'warning' };

/** 批量质量审核: sweeps of the rule catalog over the jurisdiction, their progress and findings. */
export default function ReviewSweeps() {
  const { t, lang } = useT();
  const { user } = useApp();
  const showError = useShowError();
  const [sweeps, setSweeps] = useState<Sweep[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [results, setResults] = useState<Results | null>(null);
  const [rule, setRule] = useState<string | undefined>();
  const [page, setPage] = useState(1);

  const load = useCallback(() => api.get<{ items: Sweep[] }>('/api/review/sweeps').then((r) => setSweeps(r.items)).catch(showError), [showError]);
  useEffect(() => {
    load();
  }, [load]);
  // progress of running sweeps, every two seconds
  useEffect(() => {
    if (!sweeps?.some((s) => s.status === 'running')) return;
    const timer = setTimeout(load, 2000);
    return () => clearTimeout(timer);
  }, [sweeps, load]);
  useEffect(() => {
    if (!selected) return;
    api.get<Results>(`/api/review/sweeps/${selected}/results`, { ruleId: rule, page, pageSize: 20 }).then(setResults).catch(showError);
  }, [selected, rule, page, sweeps, showError]);

  const start = () => api.post<Sweep>('/api/review/sweeps', {}).then((s) => { setSelected(s.id); load(); }).catch(showError);
  const cancel = (id: string) => api.post(`/api/review/sweeps/${id}/cancel`, {}).then(load).catch(showError);

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="review-page">
      <Card
        title={t('sweep.title')}
        extra={
          <Space>
            <Link to="/review/rules">{t('sweep.rules')}</Link>
            <Button type="primary" onClick={start} data-testid="sweep-start">
              {t('sweep.start')}
            </Button>
          </Space>
        }
      >
        <Table<Sweep>
          data-testid="sweeps-table"
          rowKey="id"
          size="small"
          loading={!sweeps}
          dataSource={sweeps ?? []}
          pagination={false}
          locale={{ emptyText: <Empty /> }}
          onRow={(s) => ({ onClick: () => { setSelected(s.id); setPage(1); setRule(undefined); }, style: { cursor: 'pointer', background: s.id === selected ? '#f0f7f3' : undefined } })}
          columns={[
            { title: t('sweep.region'), dataIndex: 'regionPrefix', render: (p: string) => p || user!.regionPrefix || '全国' },
            { title: t('sweep.status'), dataIndex: 'status', render: (s: string, r) => <Tag color={COLORS[s]} title={r.error ?? undefined}>{t(`sweep.status.${s}` as MessageKey)}</Tag> },
            { title: t('sweep.progress'), render: (_, s) => <Progress size="small" style={{ width: 180 }} percent={s.total ? Math.floor((s.processed / s.total) * 100) : 100} format={() => `${s.processed}/${s.total}`} /> },
            { title: t('sweep.hits'), dataIndex: 'hits' },
            { title: t('sweep.errors'), dataIndex: 'errors', render: (n: number) => (n ? <Typography.Text type="danger">{n}</Typography.Text> : 0) },
            { title: t('sweep.startedBy'), render: (_, s) => `${s.startedBy} · ${new Date(s.startedAt).toLocaleString()}` },
            { title: t('sweep.reference'), dataIndex: 'referenceVersion', render: (v: string) => <Typography.Text type="secondary" style={{ fontSize: 12 }}>{v}</Typography.Text> },
            { title: '', render: (_, s) => (s.status === 'running' ? <Button size="small" onClick={(e) => { e.stopPropagation(); cancel(s.id); }}>{t('sweep.cancel')}</Button> : null) },
          ]}
        />
      </Card>
      <QualityScores />
      {selected && results && (
        <Card title={t('sweep.results')} data-testid="sweep-results">
          <Space direction="vertical" size="middle" style={{ width: '100%' }}>
            <Space wrap>
              {t('sweep.byRule')}:
              {results.byRule.map((r) => (
                <Tag key={`${r.ruleId}/${r.severity}`} color={COLORS[r.severity]} style={{ cursor: 'pointer' }} onClick={() => { setRule(r.ruleId); setPage(1); }}>
                  {`${r.ruleId} × ${r.n}（${r.permits}）`}
                </Tag>
              ))}
              <Select allowClear value={rule} onChange={(v) => { setRule(v); setPage(1); }} style={{ width: 140 }} placeholder="QR-…" options={results.byRule.map((r) => ({ value: r.ruleId, label: r.ruleId }))} />
            </Space>
            <Table
              size="small"
              rowKey={(r) => `${r.permitId}/${r.ruleId}/${r.path}`}
              dataSource={results.items}
              pagination={{ current: page, pageSize: 20, total: results.total, showSizeChanger: false, onChange: setPage }}
              columns={[
                { title: t('permit.number'), dataIndex: 'permitNumber', render: (v: string, r) => <a href={`/permits/${r.permitId}`}>{v}</a> },
                { title: t('review.rule'), render: (_, r) => <Tag color={COLORS[r.severity]}>{r.ruleId}</Tag> },
                { title: t('review.finding'), render: (_, r) => (lang === 'en' ? r.messageEn : r.messageZh) },
                { title: t('review.where'), dataIndex: 'path', render: (p: string) => <Typography.Text type="secondary" style={{ fontSize: 12 }}>{p}</Typography.Text> },
              ]}
            />
          </Space>
        </Card>
      )}
    </Space>
  );
}
