import { useEffect, useState } from 'react';
import { Button, Card, Empty, Form, Input, Select, Space, Switch, Table, Tag, Tooltip, Typography } from 'antd';
import { api, queryString, type CaseList, type CaseView } from '../api';
import { useCan, useShowError, useT } from '../context';
import { Link, navigate, useLocation } from '../router';
import type { MessageKey } from '../i18n';

type T = (k: MessageKey, v?: Record<string, string | number>) => string;

const STATE_COLORS: Record<string, string> = {
  draft: 'default',
  submitted: 'processing',
  supplement_requested: 'warning',
  accepted: 'processing',
  under_evaluation: 'purple',
  evaluated: 'cyan',
  approved: 'success',
  recorded: 'success',
  decided: 'success',
  refused: 'error',
  not_accepted: 'error',
  returned: 'warning',
  withdrawn: 'default',
  dropped: 'default',
  opened: 'processing',
  hearing_notified: 'orange',
};

export const caseStateTag = (s: string, t: T) => <Tag color={STATE_COLORS[s] ?? 'default'}>{t(`case.state.${s}` as MessageKey)}</Tag>;

/** The authority's due date with its overdue / near-due mark. */
export function DueTag({ due, t }: { due: CaseView['due']; t: T }) {
  if (!due.date) return <Typography.Text type="secondary">—</Typography.Text>;
  const left = due.workingDaysLeft ?? 0;
  const tag = due.overdue ? (
    <Tag color="red" data-testid="due-overdue">
      {t('case.due.overdue', { n: -left })}
    </Tag>
  ) : due.near ? (
    <Tag color="orange" data-testid="due-near">
      {t('case.due.near', { n: left })}
    </Tag>
  ) : (
    <Tag>{t('case.due.left', { n: left })}</Tag>
  );
  return (
    <Tooltip title={`${t('case.due.rule')}: ${due.rule}${due.counting === 'working' ? '' : ' (calendar days)'}`}>
      <Space size={4} wrap>
        <span data-testid="due-date">{due.date}</span>
        {tag}
        {due.deemedAccepted && <Tag color="gold">{t('case.due.deemed')}</Tag>}
      </Space>
    </Tooltip>
  );
}

/** 办件队列: officials see their jurisdiction's cases by due date; a unit its own; an evaluator its assignments. */
export default function CasesList() {
  const { t, lang } = useT();
  const can = useCan();
  const showError = useShowError();
  const { search } = useLocation();
  const q = search.get('q') ?? '';
  const state = search.get('state') ?? '';
  const kind = search.get('kind') ?? '';
  const due = search.get('due') ?? '';
  const open = search.get('open') !== 'false';
  const page = Number(search.get('page') ?? 1) || 1;
  const [data, setData] = useState<CaseList | null>(null);
  const [loading, setLoading] = useState(false);
  const [form] = Form.useForm();

  useEffect(() => {
    form.setFieldsValue({ q, state: state || undefined, kind: kind || undefined, due: due || undefined, open });
    let live = true;
    setLoading(true);
    api
      .listCases({ q: q || undefined, state: state || undefined, kind: kind || undefined, due: due || undefined, open: open ? 'true' : undefined, page, pageSize: 20 })
      .then((r) => live && setData(r))
      .catch((e) => live && showError(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [q, state, kind, due, open, page, form, showError]);

  const go = (f: Record<string, string | number | boolean | undefined>) =>
    navigate('/cases' + queryString({ q: (f.q as string) || undefined, state: f.state as string, kind: f.kind as string, due: f.due as string, open: f.open === false ? 'false' : undefined, page: f.page && Number(f.page) > 1 ? (f.page as number) : undefined }));

  const kinds = ['first', 'change', 'renewal', 'reapplication', 'registration', 'cancellation', 'revocation', 'penaltyRevocation'];
  const states = Object.keys(STATE_COLORS);

  return (
    <Card
      title={t('case.list.title')}
      data-testid="cases-page"
      extra={
        can('cases.apply') && (
          <Button type="primary" onClick={() => navigate('/cases/new')} data-testid="case-new">
            {t('case.new')}
          </Button>
        )
      }
    >
      <Form form={form} layout="inline" onFinish={(v) => go({ ...v, q: v.q?.trim() })} style={{ marginBottom: 16, rowGap: 8 }}>
        <Form.Item name="q">
          <Input allowClear placeholder={`${t('case.unit')} / ${t('case.number')}`} style={{ width: 220 }} />
        </Form.Item>
        <Form.Item name="kind">
          <Select allowClear placeholder={t('case.kind')} style={{ width: 130 }} options={kinds.map((k) => ({ value: k, label: t(`case.kind.${k}` as MessageKey) }))} />
        </Form.Item>
        <Form.Item name="state">
          <Select allowClear placeholder={t('case.state')} style={{ width: 130 }} options={states.map((s) => ({ value: s, label: t(`case.state.${s}` as MessageKey) }))} />
        </Form.Item>
        <Form.Item name="due">
          <Select allowClear placeholder={t('case.filter.due')} style={{ width: 110 }} data-testid="due-filter" options={['overdue', 'near', 'ok'].map((d) => ({ value: d, label: t(`case.filter.due.${d}` as MessageKey) }))} />
        </Form.Item>
        <Form.Item name="open" valuePropName="checked" label={t('case.filter.open')}>
          <Switch size="small" />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit">
            {t('common.search')}
          </Button>
          <Button onClick={() => go({})}>{t('common.reset')}</Button>
        </Space>
      </Form>
      <Table<CaseView>
        data-testid="cases-table"
        rowKey="id"
        loading={loading}
        dataSource={data?.items ?? []}
        locale={{ emptyText: <Empty description={t('case.empty')} /> }}
        rowClassName={(c) => (c.due.overdue ? 'row-overdue' : '')}
        pagination={{ current: page, pageSize: 20, total: data?.total ?? 0, showSizeChanger: false, showTotal: (n) => t('common.total', { n }), onChange: (p) => go({ q, state, kind, due, open, page: p }) }}
        columns={[
          {
            title: t('case.number'),
            dataIndex: 'caseNumber',
            render: (v: string, c) => (
              <Link to={`/cases/${c.id}`} data-testid="case-link">
                <Typography.Text code>{v}</Typography.Text>
              </Link>
            ),
          },
          { title: t('case.kind'), dataIndex: 'kind', render: (k: string) => t(`case.kind.${k}` as MessageKey) },
          { title: t('case.unit'), dataIndex: 'unitName' },
          { title: t('case.state'), dataIndex: 'state', render: (s: string) => caseStateTag(s, t) },
          { title: t('case.received'), dataIndex: 'receivedOn', render: (v: string | null) => v ?? '—' },
          { title: t('case.due'), render: (_, c) => <DueTag due={c.due} t={t} /> },
          {
            title: t('case.flags'),
            render: (_, c) =>
              c.flags.map((f) => (
                <Tooltip key={f.code} title={lang === 'en' ? f.en : f.zh}>
                  <Tag color="orange">{f.code}</Tag>
                </Tooltip>
              )),
          },
        ]}
      />
    </Card>
  );
}
