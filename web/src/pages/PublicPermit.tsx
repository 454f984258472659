import { useEffect, useState } from 'react';
import { Button, Card, Descriptions, Layout, Result, Space, Spin, Tag, Typography } from 'antd';
import { api, ApiError, type PublicPermit as Permit } from '../api';
import { useT } from '../context';
import { LangSwitch } from '../components/LangSwitch';
import { Content } from './PermitDetail';
import { categoryTag } from './UnitsList';
import { permitStatusTag } from './PermitsList';

/** 信息公开: a permit's public part, without login; prints as a clean page (the chrome hides). */
export default function PublicPermit({ number }: { number: string }) {
  const { t } = useT();
  const [p, setP] = useState<Permit | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .publicPermit(number)
      .then(setP)
      .catch((e) => setError(e instanceof ApiError && e.status === 404 ? t('public.notFound') : e instanceof Error ? e.message : String(e)));
  }, [number, t]);
  return (
    <Layout style={{ minHeight: '100vh', background: '#f5f7fa' }}>
      <Layout.Header className="no-print" style={{ display: 'flex', alignItems: 'center', gap: 16, background: '#0f3d2a', paddingInline: 20 }}>
        <a href="/" style={{ color: '#fff', fontSize: 18, fontWeight: 600 }}>
          {t('app.title')}
        </a>
        <div style={{ flex: 1 }} />
        <LangSwitch />
        <a href="/" style={{ color: '#fff' }}>
          {t('public.login')}
        </a>
      </Layout.Header>
      <Layout.Content style={{ padding: 20, maxWidth: 1100, margin: '0 auto', width: '100%' }}>
        {error ? (
          <Result status="404" title={error} subTitle={number} />
        ) : !p ? (
          <Spin style={{ display: 'block', padding: 80 }} />
        ) : (
          <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="public-permit">
            <Card
              title={
                <Space>
                  {t('public.title')}
                  {permitStatusTag(p.status, t)}
                </Space>
              }
              extra={
                <Space className="no-print">
                  <Button onClick={() => window.print()}>{t('public.print')}</Button>
                  <Button type="primary" href={`/api/public/permits/${encodeURIComponent(p.permitNumber)}/pdf`} target="_blank">
                    {t('public.pdf')}
                  </Button>
                </Space>
              }
            >
              <Descriptions column={2} size="small" bordered>
                <Descriptions.Item label={t('permit.number')}>
                  <Typography.Text code data-testid="public-number">
                    {p.permitNumber}
                  </Typography.Text>
                </Descriptions.Item>
                <Descriptions.Item label={t('permit.unit')}>{p.unitName}</Descriptions.Item>
                <Descriptions.Item label={t('public.creditCode')}>{p.creditCode}</Descriptions.Item>
                <Descriptions.Item label={t('public.address')}>{p.address}</Descriptions.Item>
                <Descriptions.Item label={t('public.region')}>{p.regionName ?? p.regionCode}</Descriptions.Item>
                <Descriptions.Item label={t('public.industry')}>{`${p.industryCode} ${p.industryName ?? ''}`}</Descriptions.Item>
                <Descriptions.Item label={t('permit.category')}>{categoryTag(p.managementCategory, t)}</Descriptions.Item>
                <Descriptions.Item label={t('permit.validity')}>{`${p.validFrom} ~ ${p.validTo}`}</Descriptions.Item>
                <Descriptions.Item label={t('public.authority')}>{p.authority}</Descriptions.Item>
                <Descriptions.Item label={t('permit.issuedOn')}>{p.issuedOn}</Descriptions.Item>
                <Descriptions.Item label={t('permit.version')}>{t('permit.versionN', { n: p.versionNo })}</Descriptions.Item>
                <Descriptions.Item label={t('public.checksum')}>
                  <Tag style={{ fontFamily: 'monospace', fontSize: 11 }}>{p.contentSha256.slice(0, 16)}…</Tag>
                </Descriptions.Item>
              </Descriptions>
            </Card>
            <Card>
              <Content c={p.content} />
            </Card>
          </Space>
        )}
      </Layout.Content>
    </Layout>
  );
}
