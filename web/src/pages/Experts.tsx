import { useCallback, useEffect, useState } from 'react';
import { Button, Card, DatePicker, Form, Input, Modal, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { api, type AgencyView } from '../api';
import { useApp, useShowError, useT } from '../context';
import { chinaToday } from '../china';

interface Expert {
  id: string;
  poolRegion: string;
  name: string;
  specialties: string[];
  title: string | null;
  employer: string | null;
  employerAgencyId: string | null;
  relatedEntityIds: string[];
  activeFrom: string;
  activeTo: string | null;
  version: number;
}


/** 专家库 (measure 9: provincial and municipal pools, kept current) and the technical agencies. */
export default function Experts() {
  const { t } = useT();
  const { user } = useApp();
  const showError = useShowError();
  const [experts, setExperts] = useState<Expert[] | null>(null);
  const [agencies, setAgencies] = useState<AgencyView[]>([]);
  const [activeOnly, setActiveOnly] = useState(true);
  const [adding, setAdding] = useState(false);
  const [addingAgency, setAddingAgency] = useState(false);
  const [form] = Form.useForm();
  const [agencyForm] = Form.useForm();
  const today = chinaToday();

  const load = useCallback(() => {
    api.get<{ items: Expert[] }>('/api/experts', activeOnly ? { activeOn: today } : {}).then((r) => setExperts(r.items)).catch(showError);
    api.agencies().then((r) => setAgencies(r.items)).catch(showError);
  }, [activeOnly, today, showError]);
  useEffect(load, [load]);

  const agencyName = (id: string | null) => agencies.find((a) => a.id === id)?.name ?? '';
  const prefix = user!.regionPrefix;
  const pools = prefix.length >= 4 ? [prefix.slice(0, 4)] : prefix.length === 2 ? [prefix] : [];

  const addExpert = async () => {
    const v = await form.validateFields();
    try {
      await api.post('/api/experts', {
        poolRegion: v.poolRegion,
        name: v.name.trim(),
        specialties: String(v.specialties).split(/[,，、\s]+/).filter(Boolean),
        title: v.title?.trim() || undefined,
        employer: v.employer?.trim() || undefined,
        employerAgencyId: v.employerAgencyId || undefined,
        activeFrom: v.activeFrom.format('YYYY-MM-DD'),
      });
      setAdding(false);
      form.resetFields();
      load();
    } catch (e) {
      showError(e);
    }
  };
  const leave = (e: Expert) =>
    Modal.confirm({
      title: `${t('experts.leave')}：${e.name}`,
      onOk: () => api.patch(`/api/experts/${e.id}`, { expectedVersion: e.version, activeTo: today }).then(load).catch(showError),
    });
  const addAgency = async () => {
    const v = await agencyForm.validateFields();
    try {
      await api.post('/api/agencies', { name: v.name.trim(), creditCode: v.creditCode.trim().toUpperCase(), regionCode: v.regionCode.trim() });
      setAddingAgency(false);
      agencyForm.resetFields();
      load();
    } catch (e) {
      showError(e);
    }
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="experts-page">
      <Card
        title={t('experts.title')}
        extra={
          <Space>
            {t('experts.activeOnly')}
            <Switch size="small" checked={activeOnly} onChange={setActiveOnly} />
            <Button type="primary" onClick={() => setAdding(true)} disabled={pools.length === 0 && prefix !== ''} data-testid="expert-add">
              {t('experts.add')}
            </Button>
          </Space>
        }
      >
        <Table<Expert>
          data-testid="experts-table"
          rowKey="id"
          size="small"
          loading={!experts}
          dataSource={experts ?? []}
          pagination={{ pageSize: 20, showSizeChanger: false }}
          columns={[
            { title: t('experts.name'), dataIndex: 'name', render: (v: string, e) => <span>{v}{e.title ? <Typography.Text type="secondary">（{e.title}）</Typography.Text> : null}</span> },
            { title: t('experts.pool'), dataIndex: 'poolRegion', render: (p: string) => <Tag>{`${p} ${p.length === 2 ? t('experts.pool.province') : t('experts.pool.city')}`}</Tag> },
            { title: t('experts.specialties'), dataIndex: 'specialties', render: (s: string[]) => s.join('、') },
            { title: t('experts.employer'), render: (_, e) => e.employer ?? agencyName(e.employerAgencyId) },
            { title: t('experts.related'), render: (_, e) => e.relatedEntityIds.length },
            { title: t('experts.activeFrom'), dataIndex: 'activeFrom' },
            {
              title: t('experts.activeTo'),
              render: (_, e) => (e.activeTo && e.activeTo < today ? <Tag>{`${t('experts.inactive')} ${e.activeTo}`}</Tag> : e.activeTo ?? <Tag color="green">{t('experts.active')}</Tag>),
            },
            // a pool is kept by its own level (a city cannot edit the provincial pool it may draw on)
            { title: '', render: (_, e) => ((!e.activeTo || e.activeTo >= today) && e.poolRegion.startsWith(prefix) ? <Button size="small" onClick={() => leave(e)}>{t('experts.leave')}</Button> : null) },
          ]}
        />
      </Card>
      <Card title={t('agencies.title')} extra={<Button onClick={() => setAddingAgency(true)}>{t('agencies.add')}</Button>}>
        <Table<AgencyView>
          rowKey="id"
          size="small"
          dataSource={agencies}
          pagination={{ pageSize: 10, showSizeChanger: false }}
          columns={[
            { title: t('agencies.name'), dataIndex: 'name' },
            { title: t('agencies.creditCode'), dataIndex: 'creditCode', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
            { title: t('agencies.region'), dataIndex: 'regionCode' },
            { title: t('agencies.users'), render: (_, a) => a.userIds.length },
          ]}
        />
      </Card>
      <Modal open={adding} title={t('experts.add')} onCancel={() => setAdding(false)} onOk={addExpert} destroyOnHidden>
        <Form form={form} layout="vertical" initialValues={{ poolRegion: pools[0], activeFrom: dayjs(today) }}>
          <Form.Item name="poolRegion" label={t('experts.pool')} rules={[{ required: true, pattern: /^\d{2}(\d{2})?$/, message: t('experts.pool') }]}>
            {pools.length ? <Select options={pools.map((p) => ({ value: p, label: p }))} /> : <Input placeholder="33 / 3301" />}
          </Form.Item>
          <Form.Item name="name" label={t('experts.name')} rules={[{ required: true, min: 2 }]}>
            <Input data-testid="expert-name" />
          </Form.Item>
          <Form.Item name="specialties" label={t('experts.specialties')} rules={[{ required: true, pattern: /^\s*\d{2,4}([,，、\s]+\d{2,4})*\s*$/, message: '44, 3011' }]}>
            <Input placeholder="44, 3011" data-testid="expert-specialties" />
          </Form.Item>
          <Form.Item name="title" label={t('experts.title.field')}>
            <Input />
          </Form.Item>
          <Form.Item name="employer" label={t('experts.employer')}>
            <Input />
          </Form.Item>
          <Form.Item name="employerAgencyId" label={t('experts.employerAgency')}>
            <Select allowClear options={agencies.map((a) => ({ value: a.id, label: a.name }))} />
          </Form.Item>
          <Form.Item name="activeFrom" label={t('experts.activeFrom')} rules={[{ required: true }]}>
            <DatePicker />
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={addingAgency} title={t('agencies.add')} onCancel={() => setAddingAgency(false)} onOk={addAgency} destroyOnHidden>
        <Form form={agencyForm} layout="vertical">
          <Form.Item name="name" label={t('agencies.name')} rules={[{ required: true, min: 2 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="creditCode" label={t('agencies.creditCode')} rules={[{ required: true, len: 18 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="regionCode" label={t('agencies.region')} rules={[{ required: true, pattern: /^\d{6}$/, message: '330106' }]}>
            <Input placeholder="330106" />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
