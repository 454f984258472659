import { useEffect, useState } from 'react';
import { Card, DatePicker, Empty, Progress, Space, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { api, queryString, type OnSiteRatio as Ratio } from '../api';
import { useShowError, useT } from '../context';
import { navigate, useLocation } from '../router';

type Row = Ratio['rows'][number];

/** 现场审核比例 per city for the chosen period, against the ≥ 50 % target (measure 7). */
export default function OnSiteRatio() {
  const { t } = useT();
  const showError = useShowError();
  const { search } = useLocation();
  const from = search.get('from') ?? dayjs().startOf('year').format('YYYY-MM-DD');
  const to = search.get('to') ?? dayjs().format('YYYY-MM-DD');
  const [data, setData] = useState<Ratio | null>(null);
  useEffect(() => {
    let live = true;
    api
      .onSiteRatio({ from, to })
      .then((r) => live && setData(r))
      .catch((e) => live && showError(e));
    return () => {
      live = false;
    };
  }, [from, to, showError]);
  const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
  const target = data ? Math.round(data.target * 100) : 50;
  const bar = (r: number | null) => <Progress percent={r === null ? 0 : Math.round(r * 1000) / 10} size="small" status={r !== null && r >= (data?.target ?? 0.5) ? 'success' : 'exception'} style={{ width: 160 }} />;
  return (
    <Card
      title={t('ratio.title')}
      data-testid="ratio-page"
      extra={
        <Space>
          {t('ratio.period')}
          <DatePicker.RangePicker
            value={[dayjs(from), dayjs(to)]}
            allowClear={false}
            onChange={(v) => v && v[0] && v[1] && navigate('/cases/on-site-ratio' + queryString({ from: (v[0] as Dayjs).format('YYYY-MM-DD'), to: (v[1] as Dayjs).format('YYYY-MM-DD') }))}
          />
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">
        {t('ratio.target', { p: target })} · {data?.source}
      </Typography.Paragraph>
      <Table<Row>
        data-testid="ratio-table"
        rowKey="cityCode"
        pagination={false}
        loading={!data}
        dataSource={data?.rows ?? []}
        locale={{ emptyText: <Empty /> }}
        columns={[
          { title: t('ratio.city'), render: (_, r) => `${r.cityName ?? ''}（${r.cityCode}）` },
          { title: t('ratio.decided'), dataIndex: 'decided' },
          { title: t('ratio.withOnSite'), dataIndex: 'withOnSite' },
          { title: t('ratio.ratio'), render: (_, r) => <Space>{bar(r.ratio)}{pct(r.ratio)}</Space> },
          { title: '', render: (_, r) => (r.meetsTarget === null ? null : r.meetsTarget ? <Tag color="green">{t('ratio.meets')}</Tag> : <Tag color="red">{t('ratio.below')}</Tag>) },
        ]}
        summary={() =>
          data && data.rows.length > 0 ? (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}>{t('ratio.total')}</Table.Summary.Cell>
              <Table.Summary.Cell index={1}>{data.total.decided}</Table.Summary.Cell>
              <Table.Summary.Cell index={2}>{data.total.withOnSite}</Table.Summary.Cell>
              <Table.Summary.Cell index={3}>{pct(data.total.ratio)}</Table.Summary.Cell>
              <Table.Summary.Cell index={4} />
            </Table.Summary.Row>
          ) : null
        }
      />
    </Card>
  );
}
