import { useEffect, useState } from 'react';
import { Card, Empty, Form, Input, Button, Space, Table, Tag, Typography } from 'antd';
import { api, queryString, type PermitList, type PermitView } from '../api';
import { useShowError, useT } from '../context';
import { Link, navigate, useLocation } from '../router';
import { categoryTag } from './UnitsList';
import type { MessageKey } from '../i18n';

export function permitStatusTag(s: PermitView['status'], t: (k: MessageKey) => string) {
  return <Tag color={s === 'valid' ? 'green' : 'default'}>{t(`permit.status.${s}` as MessageKey)}</Tag>;
}

/** 排污许可证 in the caller's jurisdiction, newest first; filters kept in the URL. */
export default function PermitsList() {
  const { t } = useT();
  const showError = useShowError();
  const { search } = useLocation();
  const number = search.get('number') ?? '';
  const page = Number(search.get('page') ?? 1) || 1;
  const [data, setData] = useState<PermitList | null>(null);
  const [loading, setLoading] = useState(false);
  const [form] = Form.useForm<{ number: string }>();

  useEffect(() => {
    form.setFieldsValue({ number });
    let live = true;
    setLoading(true);
    api
      .listPermits({ number: number || undefined, page, pageSize: 20 })
      .then((r) => live && setData(r))
      .catch((e) => live && showError(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [number, page, form, showError]);

  const go = (q: { number?: string; page?: number }) => navigate('/permits' + queryString({ number: q.number, page: q.page && q.page > 1 ? q.page : undefined }));

  return (
    <Card title={t('permit.list.title')} data-testid="permits-page">
      <Form form={form} layout="inline" onFinish={(v) => go({ number: v.number?.trim() })} style={{ marginBottom: 16 }}>
        <Form.Item name="number" label={t('permit.number')}>
          <Input allowClear placeholder={t('permit.numberPlaceholder')} style={{ width: 260 }} data-testid="permit-number-filter" />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit">
            {t('common.search')}
          </Button>
          <Button onClick={() => go({})}>{t('common.reset')}</Button>
        </Space>
      </Form>
      <Table<PermitView>
        data-testid="permits-table"
        rowKey="id"
        loading={loading}
        dataSource={data?.items ?? []}
        locale={{ emptyText: <Empty description={t('permit.empty')} /> }}
        pagination={{ current: page, pageSize: 20, total: data?.total ?? 0, showSizeChanger: false, showTotal: (n) => t('common.total', { n }), onChange: (p) => go({ number, page: p }) }}
        columns={[
          {
            title: t('permit.number'),
            dataIndex: 'permitNumber',
            render: (v: string, p) => (
              <Link to={`/permits/${p.id}`} data-testid="permit-link">
                <Typography.Text code>{v}</Typography.Text>
              </Link>
            ),
          },
          { title: t('permit.category'), dataIndex: 'managementCategory', render: (c: PermitView['managementCategory']) => categoryTag(c, t) },
          { title: t('permit.validity'), render: (_, p) => `${p.validFrom} ~ ${p.validTo}` },
          { title: t('permit.status'), dataIndex: 'status', render: (s: PermitView['status']) => permitStatusTag(s, t) },
          { title: t('permit.version'), dataIndex: 'currentVersion', render: (n: number) => t('permit.versionN', { n }) },
          { title: t('permit.updatedAt'), dataIndex: 'updatedAt', render: (v: string) => new Date(v).toLocaleString() },
        ]}
      />
    </Card>
  );
}
