import { useEffect, useState } from 'react';
import { Card, Descriptions, Space, Spin, Tag, Typography } from 'antd';
import { api } from '../api';
import { useShowError, useT } from '../context';
import { Link } from '../router';
import { ReviewTasksTable } from '../components/ReviewTasksTable';
import type { Plan } from './ReviewPlans';
import type { MessageKey } from '../i18n';

/** One plan: how it was drawn (population, shares, seed, weights) and its tasks, to assign and follow. */
export default function ReviewPlanDetail({ id }: { id: string }) {
  const { t } = useT();
  const showError = useShowError();
  const [plan, setPlan] = useState<Plan | null>(null);
  useEffect(() => {
    api.get<Plan>(`/api/review/plans/${id}`).then(setPlan).catch(showError);
  }, [id, showError]);
  if (!plan) return <Spin />;
  const { ruleSource, flags, ...weights } = plan.riskWeights;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="plan-detail">
      <Card title={plan.title} extra={<Link to="/review/plans">{t('plans.back')}</Link>}>
        <Descriptions size="small" column={3} bordered>
          <Descriptions.Item label={t('plans.level')}>{t(`plans.level.${plan.level}`)}</Descriptions.Item>
          <Descriptions.Item label={t('plans.period')}>{`${plan.period}（${plan.periodStart} ～ ${plan.periodEnd}）`}</Descriptions.Item>
          <Descriptions.Item label={t('plans.population')}>{plan.population}</Descriptions.Item>
          <Descriptions.Item label={t('plans.sample')}>
            <span data-testid="plan-split">{t('plans.sampleSplit', { n: plan.sampleSize, targeted: plan.targeted, random: plan.random })}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('plans.targetedShare')}>{`${Math.round(plan.targetedShare * 100)}%`}</Descriptions.Item>
          <Descriptions.Item label={t('plans.seed')}>
            <Typography.Text code copyable>{plan.seed}</Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('plans.weights')} span={2}>
            <Space wrap size={4}>
              {Object.entries(weights).map(([k, v]) => (
                <Tag key={k}>{`${t(`tasks.risk.${k}` as MessageKey)} × ${v}`}</Tag>
              ))}
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t('plans.ruleSource')}>{ruleSource === 'inline' ? t('plans.ruleSource.inline') : t('plans.ruleSource.sweep')}{flags ? '' : ` · ${t('plans.noFlags')}`}</Descriptions.Item>
          <Descriptions.Item label={t('sweep.reference')} span={3}>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>{plan.referenceVersion}</Typography.Text>
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title={t('tasks.title')}>
        <ReviewTasksTable planId={plan.id} assignRegion={plan.regionPrefix} />
      </Card>
    </Space>
  );
}
