import { Alert, Card, Descriptions, Tag, Typography } from 'antd';
import { useApp, useT } from '../context';
import { useJurisdictionName } from '../Shell';
import type { MessageKey } from '../i18n';

/** For accounts without registry access (expert, agency): who they are and what they can do now. */
export default function Home() {
  const { user } = useApp();
  const { t, tMaybe } = useT();
  const u = user!;
  const jurisdiction = useJurisdictionName(u.regionPrefix);
  const business = u.permissions.filter((p) => p.startsWith('registry.'));
  return (
    <Card data-testid="home-page">
      <Typography.Title level={4}>{t('home.welcome', { name: u.displayName })}</Typography.Title>
      <Alert type="info" showIcon title={business.length ? t('home.canDo') : t('home.nothingYet')} style={{ marginBottom: 16 }} />
      <Descriptions title={t('home.profile')} bordered column={1} size="middle">
        <Descriptions.Item label={t('home.username')}>{u.username}</Descriptions.Item>
        <Descriptions.Item label={t('home.displayName')}>{u.displayName}</Descriptions.Item>
        <Descriptions.Item label={t('home.role')}>{t(`role.${u.role}` as MessageKey)}</Descriptions.Item>
        <Descriptions.Item label={t('home.jurisdiction')}>
          {u.regionPrefix ? `${jurisdiction ?? ''} (${u.regionPrefix})` : t('header.national')}
        </Descriptions.Item>
        <Descriptions.Item label={t('home.permissions')}>
          {u.permissions.length
            ? u.permissions.map((p) => <Tag key={p}>{tMaybe(`perm.${p}`, p)}</Tag>)
            : t('common.none')}
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
