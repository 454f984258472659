import { useEffect, useMemo, useState } from 'react';
import { Card, Input, Select, Space, Table, Tag, Typography } from 'antd';
import { api } from '../api';
import { useShowError, useT } from '../context';

interface Label {
  zh: string;
  en: string;
}
interface Rule {
  id: string;
  code: string;
  severity: 'error' | 'warning' | 'notice';
  title: Label;
  basis: Label;
  fix: Label;
  problemType: string;
  problemTypeLabel: Label;
}
const COLORS = { error: 'red', warning: 'orange', notice: 'blue' } as const;

/** 问题认定指南: every rule of the catalog, its basis, what triggers it and how to fix it. */
export default function ReviewRules() {
  const { t, lang } = useT();
  const showError = useShowError();
  const [rules, setRules] = useState<Rule[] | null>(null);
  const [q, setQ] = useState('');
  const [severity, setSeverity] = useState<string | undefined>();
  const [type, setType] = useState<string | undefined>();
  useEffect(() => {
    api.get<{ items: Rule[] }>('/api/review/rules').then((r) => setRules(r.items)).catch(showError);
  }, [showError]);
  const l = (x: Label) => (lang === 'en' ? x.en : x.zh);
  const types = useMemo(() => [...new Map((rules ?? []).map((r) => [r.problemType, r.problemTypeLabel])).entries()], [rules]);
  const shown = (rules ?? []).filter((r) => (!severity || r.severity === severity) && (!type || r.problemType === type) && (!q || `${r.id} ${r.code} ${r.title.zh} ${r.title.en} ${r.basis.zh} ${r.fix.zh}`.toLowerCase().includes(q.toLowerCase())));
  return (
    <Card title={t('rules.title')} data-testid="rules-page" extra={<Typography.Text type="secondary">{t('rules.count', { n: rules?.length ?? 0 })}</Typography.Text>}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Paragraph type="secondary">{t('rules.intro')}</Typography.Paragraph>
        <Space wrap>
          <Input.Search allowClear placeholder={t('rules.search')} onChange={(e) => setQ(e.target.value)} style={{ width: 280 }} data-testid="rules-search" />
          <Select allowClear placeholder={t('rules.severity')} value={severity} onChange={setSeverity} style={{ width: 140 }} options={(['error', 'warning', 'notice'] as const).map((s) => ({ value: s, label: t(`review.severity.${s}`) }))} />
          <Select allowClear placeholder={t('review.problemType')} value={type} onChange={setType} style={{ width: 200 }} options={types.map(([k, v]) => ({ value: k, label: l(v) }))} />
        </Space>
        <Table<Rule>
          rowKey="id"
          size="small"
          loading={!rules}
          dataSource={shown}
          pagination={false}
          columns={[
            { title: 'ID', dataIndex: 'id', width: 90, render: (v: string, r) => <Space direction="vertical" size={0}><Typography.Text strong>{v}</Typography.Text><Typography.Text type="secondary" style={{ fontSize: 11 }}>{r.code}</Typography.Text></Space> },
            { title: t('rules.rule'), render: (_, r) => <Space direction="vertical" size={0}><span>{l(r.title)}</span><Tag style={{ marginTop: 4 }}>{l(r.problemTypeLabel)}</Tag></Space> },
            { title: t('rules.severity'), dataIndex: 'severity', width: 90, render: (s: Rule['severity']) => <Tag color={COLORS[s]}>{t(`review.severity.${s}`)}</Tag> },
            { title: t('rules.basis'), render: (_, r) => l(r.basis) },
            { title: t('rules.fix'), render: (_, r) => l(r.fix) },
          ]}
        />
      </Space>
    </Card>
  );
}
