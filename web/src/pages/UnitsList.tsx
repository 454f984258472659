import { useEffect, useMemo, useState } from 'react';
import { Button, Card, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableProps } from 'antd';
import { api, exportUrl, type UnitListResult, type UnitView } from '../api';
import { useCan, useShowError, useT } from '../context';
import { navigate, useLocation } from '../router';
import { IndustrySelect, RegionCascader } from '../components/RefSelects';
import type { MessageKey } from '../i18n';

const FILTER_KEYS = ['q', 'creditCode', 'region', 'industry', 'category', 'status'] as const;
type Filters = Partial<Record<(typeof FILTER_KEYS)[number], string>>;
const SORTABLE = ['name', 'creditCode', 'regionCode', 'industryCode', 'createdAt', 'updatedAt'];

export function categoryTag(c: UnitView['managementCategory'], t: (k: MessageKey) => string) {
  if (!c) return null;
  const color = c === 'key' ? 'red' : c === 'simplified' ? 'orange' : 'blue';
  return <Tag color={color}>{t(`category.${c}` as MessageKey)}</Tag>;
}
export function statusTag(s: UnitView['status'], t: (k: MessageKey) => string) {
  return <Tag color={s === 'active' ? 'green' : 'default'}>{t(`status.${s}` as MessageKey)}</Tag>;
}

export default function UnitsList() {
  const { t } = useT();
  const can = useCan();
  const showError = useShowError();
  const { search, href } = useLocation();
  const [form] = Form.useForm<Filters>();
  const [data, setData] = useState<UnitListResult | null>(null);
  const [loading, setLoading] = useState(false);

  // everything the list shows comes from the URL, so reloads and back/forward keep it
  const filters: Filters = useMemo(() => {
    const f: Filters = {};
    for (const k of FILTER_KEYS) {
      const v = search.get(k);
      if (v) f[k] = v;
    }
    return f;
  }, [href]);
  const page = Number(search.get('page')) || 1;
  const pageSize = Number(search.get('pageSize')) || 20;
  const sort = search.get('sort') ?? undefined;
  const order = (search.get('order') as 'asc' | 'desc' | null) ?? undefined;

  const go = (next: Record<string, string | number | undefined>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v !== undefined && v !== '' && v !== null) p.set(k, String(v));
    const qs = p.toString();
    navigate(`/units${qs ? `?${qs}` : ''}`);
  };

  useEffect(() => {
    form.resetFields();
    form.setFieldsValue(filters);
  }, [filters]);

  useEffect(() => {
    let live = true;
    setLoading(true);
    api
      .listUnits({ ...filters, page, pageSize, sort, order })
      .then((r) => live && setData(r))
      .catch((e) => live && showError(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [href]);

  const onSearch = (v: Filters) => {
    const clean: Record<string, string | undefined> = {};
    for (const k of FILTER_KEYS) clean[k] = typeof v[k] === 'string' ? v[k]!.trim() || undefined : undefined;
    go({ ...clean, sort, order, pageSize: pageSize === 20 ? undefined : pageSize });
  };

  const onTableChange: TableProps<UnitView>['onChange'] = (pagination, _f, sorter) => {
    const s = Array.isArray(sorter) ? sorter[0] : sorter;
    const field = s?.order ? String(s.field ?? s.columnKey ?? '') : '';
    go({
      ...filters,
      sort: SORTABLE.includes(field) ? field : undefined,
      order: s?.order ? (s.order === 'ascend' ? 'asc' : 'desc') : undefined,
      page: pagination.current && pagination.current > 1 ? pagination.current : undefined,
      pageSize: pagination.pageSize && pagination.pageSize !== 20 ? pagination.pageSize : undefined,
    });
  };

  const sortOrder = (key: string) => (sort === key ? (order === 'desc' ? 'descend' : 'ascend') : null);

  const columns: TableProps<UnitView>['columns'] = [
    {
      title: t('units.col.name'),
      dataIndex: 'name',
      key: 'name',
      sorter: true,
      sortOrder: sortOrder('name'),
      render: (v: string, u) => (
        <a href={`/units/${u.id}`} onClick={(e) => e.preventDefault()} data-testid="unit-name">
          {v}
        </a>
      ),
    },
    { title: t('units.col.entityName'), dataIndex: 'entityName', key: 'entityName' },
    {
      title: t('units.col.creditCode'),
      dataIndex: 'creditCode',
      key: 'creditCode',
      sorter: true,
      sortOrder: sortOrder('creditCode'),
      render: (v: string) => (
        <Typography.Text code data-testid="unit-credit-code" style={{ whiteSpace: 'nowrap' }}>
          {v}
        </Typography.Text>
      ),
    },
    {
      title: t('units.col.region'),
      dataIndex: 'regionCode',
      key: 'regionCode',
      sorter: true,
      sortOrder: sortOrder('regionCode'),
      render: (v: string, u) => `${u.regionName ?? ''} ${v}`,
    },
    {
      title: t('units.col.industry'),
      dataIndex: 'industryCode',
      key: 'industryCode',
      sorter: true,
      sortOrder: sortOrder('industryCode'),
      render: (v: string, u) => `${v} ${u.industryName ?? ''}`,
    },
    { title: t('units.col.category'), dataIndex: 'managementCategory', key: 'managementCategory', render: (c) => categoryTag(c, t) },
    { title: t('units.col.status'), dataIndex: 'status', key: 'status', render: (s) => statusTag(s, t) },
    {
      title: t('units.col.updatedAt'),
      dataIndex: 'updatedAt',
      key: 'updatedAt',
      sorter: true,
      sortOrder: sortOrder('updatedAt'),
      render: (v: string) => new Date(v).toLocaleDateString(),
    },
  ];

  return (
    <Card
      title={t('units.title')}
      data-testid="units-page"
      extra={
        <Space wrap>
          {can('registry.write') && (
            <Button type="primary" onClick={() => navigate('/units/new')} data-testid="unit-new">
              {t('units.new')}
            </Button>
          )}
          {can('registry.import') && (
            <Button onClick={() => navigate('/import')} data-testid="unit-import">
              {t('units.import')}
            </Button>
          )}
          {can('registry.export') && (
            <>
              <Button href={exportUrl({ ...filters, sort, order }, 'xlsx')} download data-testid="export-xlsx">
                {t('units.exportXlsx')}
              </Button>
              <Button href={exportUrl({ ...filters, sort, order }, 'csv')} download data-testid="export-csv">
                {t('units.exportCsv')}
              </Button>
            </>
          )}
        </Space>
      }
    >
      <Form form={form} layout="inline" onFinish={onSearch} style={{ marginBottom: 16, rowGap: 8 }} initialValues={filters}>
        <Form.Item name="q" label={t('units.filter.q')}>
          <Input placeholder={t('units.filter.qPlaceholder')} allowClear style={{ width: 200 }} data-testid="filter-q" />
        </Form.Item>
        <Form.Item name="creditCode" label={t('units.filter.creditCode')}>
          <Input allowClear style={{ width: 200 }} maxLength={18} data-testid="filter-credit-code" />
        </Form.Item>
        <Form.Item name="region" label={t('units.filter.region')}>
          <RegionCascader prefixValue style={{ width: 200 }} placeholder={t('form.regionPlaceholder')} data-testid="filter-region" />
        </Form.Item>
        <Form.Item name="industry" label={t('units.filter.industry')}>
          <IndustrySelect style={{ width: 220 }} placeholder={t('form.industryPlaceholder')} data-testid="filter-industry" />
        </Form.Item>
        <Form.Item name="category" label={t('units.filter.category')}>
          <Select
            allowClear
            style={{ width: 140 }}
            placeholder={t('units.filter.all')}
            data-testid="filter-category"
            options={(['key', 'simplified', 'registration'] as const).map((c) => ({ value: c, label: t(`category.${c}`) }))}
          />
        </Form.Item>
        <Form.Item name="status" label={t('units.filter.status')}>
          <Select
            allowClear
            style={{ width: 110 }}
            placeholder={t('units.filter.all')}
            data-testid="filter-status"
            options={(['active', 'closed'] as const).map((c) => ({ value: c, label: t(`status.${c}`) }))}
          />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" data-testid="filter-submit">
              {t('common.search')}
            </Button>
            <Button onClick={() => go({})} data-testid="filter-reset">
              {t('common.reset')}
            </Button>
          </Space>
        </Form.Item>
      </Form>
      <Table<UnitView>
        data-testid="units-table"
        rowKey="id"
        size="middle"
        loading={loading}
        columns={columns}
        dataSource={data?.items ?? []}
        locale={{ emptyText: t('units.empty') }}
        onChange={onTableChange}
        onRow={(u) => ({ onClick: () => navigate(`/units/${u.id}`), style: { cursor: 'pointer' } })}
        scroll={{ x: 1100 }}
        pagination={{
          current: page,
          pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [10, 20, 50, 100],
          showTotal: () => (
            <span data-testid="units-total">{data?.totalCapped ? t('common.totalCapped', { n: data?.total ?? 0 }) : t('common.total', { n: data?.total ?? 0 })}</span>
          ),
        }}
      />
    </Card>
  );
}
