import { Card } from 'antd';
import { useT } from '../context';
import { ReviewTasksTable } from '../components/ReviewTasksTable';

/** 我的审核任务: the tasks given to the caller (a reviewer, or an expert of an expert group). */
export default function ReviewTasks() {
  const { t } = useT();
  return (
    <Card title={t('tasks.mine')} data-testid="my-tasks">
      <ReviewTasksTable mine />
    </Card>
  );
}
