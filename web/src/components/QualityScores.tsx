import { useEffect, useState } from 'react';
import { Card, Empty, Progress, Segmented, Table, Typography } from 'antd';
import { api } from '../api';
import { useShowError, useT } from '../context';
import { Link } from '../router';

interface Scores {
  run: { id: string; finishedAt: string; referenceVersion: string } | null;
  items: { id: string; label: string; score: number; permits: number }[];
}

/** 质量评分: the lowest-scoring permits or technical agencies, from the latest sweep and the confirmed findings. */
export function QualityScores() {
  const { t } = useT();
  const showError = useShowError();
  const [kind, setKind] = useState<'permit' | 'agency'>('permit');
  const [data, setData] = useState<Scores | null>(null);
  useEffect(() => {
    setData(null);
    api.get<Scores>('/api/review/scores', { kind, limit: 50 }).then(setData).catch(showError);
  }, [kind, showError]);
  return (
    <Card
      title={t('scores.title')}
      data-testid="quality-scores"
      extra={<Segmented value={kind} onChange={(v) => setKind(v as 'permit' | 'agency')} options={[{ value: 'permit', label: t('scores.permits') }, { value: 'agency', label: t('scores.agencies') }]} />}
    >
      <Typography.Paragraph type="secondary">{data?.run ? t('scores.basis', { at: new Date(data.run.finishedAt).toLocaleString() }) : t('scores.basisNoSweep')}</Typography.Paragraph>
      <Table
        size="small"
        rowKey="id"
        loading={!data}
        dataSource={data?.items ?? []}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty description={t('scores.none')} /> }}
        columns={[
          { title: kind === 'permit' ? t('permit.number') : t('plans.agency'), dataIndex: 'label', render: (v: string, r) => (kind === 'permit' ? <Link to={`/permits/${r.id}`}>{v}</Link> : v) },
          { title: t('scores.score'), dataIndex: 'score', render: (s: number) => <Progress size="small" style={{ width: 180 }} percent={s} format={() => s} status={s < 60 ? 'exception' : s < 85 ? 'normal' : 'success'} /> },
          ...(kind === 'agency' ? [{ title: t('scores.permitCount'), dataIndex: 'permits' }] : []),
        ]}
      />
    </Card>
  );
}
