import { Alert, Table, Tag, Typography } from 'antd';
import { useT } from '../context';
import type { MessageKey } from '../i18n';

export interface Hit {
  ruleId: string;
  code: string;
  severity: 'error' | 'warning' | 'notice';
  path: string;
  zh: string;
  en: string;
}

const COLORS = { error: 'red', warning: 'orange', notice: 'blue' } as const;

/** The quality-review findings of a permit or an application, each with its rule (see docs/rules.md). */
export function ReviewHits({ hits, blocking }: { hits: Hit[]; blocking?: boolean }) {
  const { t, lang } = useT();
  if (hits.length === 0) return <Alert type="success" showIcon message={t('review.none')} data-testid="review-none" />;
  return (
    <>
      {blocking && hits.some((h) => h.severity === 'error') && <Alert type="error" showIcon style={{ marginBottom: 8 }} message={t('review.blocking')} />}
      <Table<Hit>
        data-testid="review-hits"
        size="small"
        rowKey={(h) => `${h.ruleId}/${h.path}`}
        pagination={hits.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
        dataSource={[...hits].sort((a, b) => ['error', 'warning', 'notice'].indexOf(a.severity) - ['error', 'warning', 'notice'].indexOf(b.severity))}
        columns={[
          { title: t('review.rule'), width: 110, render: (_, h) => <Tag color={COLORS[h.severity]}>{`${h.ruleId} ${t(`review.severity.${h.severity}` as MessageKey)}`}</Tag> },
          { title: t('review.finding'), render: (_, h) => (lang === 'en' ? h.en : h.zh) },
          { title: t('review.where'), dataIndex: 'path', render: (p: string) => <Typography.Text type="secondary" style={{ fontSize: 12 }}>{p}</Typography.Text> },
        ]}
      />
    </>
  );
}
