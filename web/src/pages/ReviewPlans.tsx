import { useCallback, useEffect, useMemo, useState } from 'react';
import { Button, Card, Col, Empty, Form, Input, InputNumber, Modal, Progress, Row, Select, Slider, Space, Statistic, Table, Tag, Typography } from 'antd';
import { api, queryString } from '../api';
import { useApp, useShowError, useT } from '../context';
import { chinaToday } from '../china';
import { navigate } from '../router';

export interface Plan {
  id: string;
  level: 'national' | 'provincial' | 'municipal';
  regionPrefix: string;
  period: string;
  periodStart: string;
  periodEnd: string;
  title: string;
  population: number;
  sampleSize: number;
  targeted: number;
  random: number;
  targetedShare: number;
  seed: number;
  riskWeights: Record<string, number | string | boolean>;
  referenceVersion: string;
  createdBy: string;
  createdAt: string;
  done?: number;
  assigned?: number;
}
interface Rollup {
  period: string;
  total: { population: number; sampled: number; reviewed: number; withProblems: number; coverage: number | null; problemRate: number | null };
  rows: { regionCode: string; regionName: string; population: number; sampled: number; reviewed: number; withProblems: number; coverage: number | null; problemRate: number | null }[];
  byType: { problemType: string; label: { zh: string; en: string }; n: number }[];
  byAgency: { agencyId: string | null; name: string; reviewed: number; withProblems: number; problemRate: number }[];
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

/** The periods a jurisdiction plans over, latest first: half-years nationally, quarters below. */
export function recentPeriods(regionPrefix: string, n = 6): string[] {
  const [y, m] = chinaToday().split('-').map(Number);
  const out: string[] = [];
  if (regionPrefix === '') {
    let year = y;
    let h = m <= 6 ? 1 : 2;
    for (let i = 0; i < n; i++) {
      out.push(`${year}H${h}`);
      if (--h === 0) (h = 2), year--;
    }
  } else {
    let year = y;
    let q = Math.ceil(m / 3);
    for (let i = 0; i < n; i++) {
      out.push(`${year}Q${q}`);
      if (--q === 0) (q = 4), year--;
    }
  }
  return out;
}

/** 抽查计划: the plans of the jurisdiction, a new one drawn, and the roll-up with its coverage. */
export default function ReviewPlans() {
  const { t, lang } = useT();
  const { user } = useApp();
  const showError = useShowError();
  const [plans, setPlans] = useState<Plan[] | null>(null);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const periods = useMemo(() => recentPeriods(user!.regionPrefix), [user]);
  const [period, setPeriod] = useState(periods[0]);
  const [rollup, setRollup] = useState<Rollup | null>(null);
  const [form] = Form.useForm();

  const load = useCallback(() => api.get<{ items: Plan[] }>('/api/review/plans').then((r) => setPlans(r.items)).catch(showError), [showError]);
  useEffect(() => {
    load();
  }, [load]);
  useEffect(() => {
    setRollup(null);
    api.get<Rollup>('/api/review/rollup', { period }).then(setRollup).catch(showError);
  }, [period, plans, showError]);

  const create = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const plan = await api.post<Plan>('/api/review/plans', { period: v.period, title: v.title || undefined, sampleSize: v.sampleSize ?? undefined, targetedShare: v.targetedShare / 100, seed: v.seed ?? undefined });
      setOpen(false);
      navigate(`/review/plans/${plan.id}`);
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="plans-page">
      <Card
        title={t('plans.title')}
        extra={
          <Button type="primary" onClick={() => { form.setFieldsValue({ period: periods[0], targetedShare: 50 }); setOpen(true); }} data-testid="plan-new">
            {t('plans.new')}
          </Button>
        }
      >
        <Table<Plan>
          data-testid="plans-table"
          rowKey="id"
          size="small"
          loading={!plans}
          dataSource={plans ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          locale={{ emptyText: <Empty description={t('plans.none')} /> }}
          onRow={(p) => ({ onClick: () => navigate(`/review/plans/${p.id}`), style: { cursor: 'pointer' } })}
          columns={[
            { title: t('plans.plan'), render: (_, p) => <Space direction="vertical" size={0}><a>{p.title}</a><Typography.Text type="secondary" style={{ fontSize: 12 }}>{`${p.periodStart} ～ ${p.periodEnd}`}</Typography.Text></Space> },
            { title: t('plans.level'), dataIndex: 'level', render: (l: Plan['level']) => <Tag color={{ national: 'red', provincial: 'orange', municipal: 'blue' }[l]}>{t(`plans.level.${l}`)}</Tag> },
            { title: t('plans.population'), dataIndex: 'population' },
            { title: t('plans.sample'), render: (_, p) => t('plans.sampleSplit', { n: p.sampleSize, targeted: p.targeted, random: p.random }) },
            { title: t('plans.seed'), dataIndex: 'seed', render: (s: number) => <Typography.Text code>{s}</Typography.Text> },
            { title: t('plans.progress'), render: (_, p) => <Progress size="small" style={{ width: 160 }} percent={p.sampleSize ? Math.floor(((p.done ?? 0) / p.sampleSize) * 100) : 0} format={() => `${p.done ?? 0}/${p.sampleSize}`} /> },
            { title: t('plans.assigned'), render: (_, p) => `${p.assigned ?? 0}/${p.sampleSize}` },
            { title: t('plans.createdBy'), render: (_, p) => `${p.createdBy} · ${new Date(p.createdAt).toLocaleDateString()}` },
          ]}
        />
      </Card>

      <Card
        title={t('plans.rollup')}
        data-testid="rollup"
        extra={
          <Space>
            <Select value={period} onChange={setPeriod} options={periods.map((p) => ({ value: p, label: p }))} style={{ width: 120 }} data-testid="rollup-period" />
            <Button href={`/api/review/rollup/export${queryString({ period, format: 'xlsx' })}`}>{t('ledger.export')}</Button>
          </Space>
        }
      >
        {!rollup ? null : (
          <Space direction="vertical" size="large" style={{ width: '100%' }}>
            <Row gutter={24}>
              <Col span={5}><Statistic title={t('plans.kpi.population')} value={rollup.total.population} /></Col>
              <Col span={4}><Statistic title={t('plans.kpi.sampled')} value={rollup.total.sampled} /></Col>
              <Col span={4}><Statistic title={t('plans.kpi.reviewed')} value={rollup.total.reviewed} /></Col>
              <Col span={5}>
                <div data-testid="coverage">
                  <Typography.Text type="secondary">{t('plans.kpi.coverage')}</Typography.Text>
                  <Progress percent={rollup.total.coverage === null ? 0 : Math.round(rollup.total.coverage * 1000) / 10} status={rollup.total.coverage !== null && rollup.total.coverage >= 1 ? 'success' : 'active'} />
                </div>
              </Col>
              <Col span={6}><Statistic title={t('plans.kpi.problemRate')} value={pct(rollup.total.problemRate)} /></Col>
            </Row>
            <Table
              size="small"
              rowKey="regionCode"
              dataSource={rollup.rows}
              pagination={false}
              locale={{ emptyText: <Empty description={t('plans.rollupNone')} /> }}
              columns={[
                { title: t('sweep.region'), dataIndex: 'regionName', render: (n: string, r) => <span title={r.regionCode}>{n}</span> },
                { title: t('plans.kpi.population'), dataIndex: 'population' },
                { title: t('plans.kpi.sampled'), dataIndex: 'sampled' },
                { title: t('plans.kpi.reviewed'), dataIndex: 'reviewed' },
                { title: t('plans.kpi.coverage'), dataIndex: 'coverage', render: (c: number | null) => <Progress size="small" style={{ width: 140 }} percent={c === null ? 0 : Math.round(c * 1000) / 10} /> },
                { title: t('plans.withProblems'), dataIndex: 'withProblems' },
                { title: t('plans.kpi.problemRate'), dataIndex: 'problemRate', render: pct },
              ]}
            />
            <Row gutter={24}>
              <Col span={10}>
                <Typography.Title level={5}>{t('plans.byType')}</Typography.Title>
                {rollup.byType.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> : (
                  <Table size="small" rowKey="problemType" pagination={false} dataSource={rollup.byType} columns={[{ title: t('review.problemType'), render: (_, r) => (lang === 'en' ? r.label.en : r.label.zh) }, { title: t('plans.confirmed'), dataIndex: 'n' }]} />
                )}
              </Col>
              <Col span={14}>
                <Typography.Title level={5}>{t('plans.byAgency')}</Typography.Title>
                {rollup.byAgency.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> : (
                  <Table size="small" rowKey={(r) => r.agencyId ?? 'none'} pagination={false} dataSource={rollup.byAgency} columns={[{ title: t('plans.agency'), dataIndex: 'name' }, { title: t('plans.kpi.reviewed'), dataIndex: 'reviewed' }, { title: t('plans.withProblems'), dataIndex: 'withProblems' }, { title: t('plans.kpi.problemRate'), dataIndex: 'problemRate', render: pct }]} />
                )}
              </Col>
            </Row>
          </Space>
        )}
      </Card>

      <Modal open={open} title={t('plans.new')} onCancel={() => setOpen(false)} onOk={create} confirmLoading={busy} okText={t('plans.draw')} okButtonProps={{ 'data-testid': 'plan-draw' } as never} destroyOnHidden>
        <Form form={form} layout="vertical" initialValues={{ period: periods[0], targetedShare: 50 }}>
          <Typography.Paragraph type="secondary">{t(user!.regionPrefix === '' ? 'plans.help.national' : 'plans.help.local')}</Typography.Paragraph>
          <Form.Item name="period" label={t('plans.period')} rules={[{ required: true }]}>
            <Select options={periods.map((p) => ({ value: p, label: p }))} data-testid="plan-period" />
          </Form.Item>
          <Form.Item name="title" label={t('plans.planTitle')}>
            <Input placeholder={t('plans.titleDefault')} maxLength={200} />
          </Form.Item>
          <Form.Item name="sampleSize" label={t('plans.sampleSize')} extra={t('plans.sampleSizeHelp')}>
            <InputNumber min={1} max={100000} style={{ width: 200 }} data-testid="plan-size" />
          </Form.Item>
          <Form.Item name="targetedShare" label={t('plans.targetedShare')} extra={t('plans.targetedHelp')}>
            <Slider min={0} max={100} step={5} tooltip={{ formatter: (v) => `${v}%` }} />
          </Form.Item>
          <Form.Item name="seed" label={t('plans.seed')} extra={t('plans.seedHelp')}>
            <InputNumber min={0} max={2147483647} style={{ width: 200 }} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
