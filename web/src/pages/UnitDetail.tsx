import { useCallback, useEffect, useState } from 'react';
import { App as AntApp, Button, Card, Descriptions, Empty, Form, Input, Modal, Popconfirm, Result, Space, Spin, Table, Tag, Timeline, Typography } from 'antd';
import { api, ApiError, type AuditEntry, type Registration, type UnitView } from '../api';
import { useCan, useShowError, useT } from '../context';
import { navigate } from '../router';
import { categoryTag, statusTag } from './UnitsList';
import type { MessageKey } from '../i18n';

/** Fields never worth showing in a diff. */
const HIDDEN = new Set(['id', 'entityId', 'createdAt', 'updatedAt', 'version', 'industryEdition', 'nameGrams', 'searchText', 'unitId', 'sourceRow', 'source', 'creditCodeRaw', 'chain']);

function HistoryDiff({ entry }: { entry: AuditEntry }) {
  const { t, tMaybe } = useT();
  const show = (k: string, v: unknown): string => {
    if (v === null || v === undefined || v === '') return t('common.none');
    if (k === 'status' || k === 'managementCategory') return tMaybe(`${k === 'status' ? 'status' : 'category'}.${String(v)}`, String(v));
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  };
  // an entity's "name" is the entity name, a unit's the site name
  const label = (k: string) => tMaybe(entry.entityType === 'entity' && k === 'name' ? 'field.entityName' : `field.${k}`, k);
  const before = (entry.before && typeof entry.before === 'object' ? entry.before : {}) as Record<string, unknown>;
  const after = (entry.after && typeof entry.after === 'object' ? entry.after : {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !HIDDEN.has(k));
  const created = !entry.before;
  const changed = keys.filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null));
  if (changed.length === 0) return null;
  return (
    <div style={{ fontSize: 13 }} data-testid="history-diff">
      {created && <Typography.Text type="secondary">{t('unit.historyCreated')}</Typography.Text>}
      <ul style={{ margin: '4px 0 0', paddingInlineStart: 18 }}>
        {changed.map((k) => (
          <li key={k}>
            <Typography.Text strong>{label(k)}</Typography.Text>
            {': '}
            {created ? (
              show(k, after[k])
            ) : (
              <>
                <Typography.Text delete type="secondary">
                  {show(k, before[k])}
                </Typography.Text>
                {' → '}
                <Typography.Text>{show(k, after[k])}</Typography.Text>
              </>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

export default function UnitDetail({ id }: { id: string }) {
  const { t, tMaybe } = useT();
  const can = useCan();
  const showError = useShowError();
  const { message } = AntApp.useApp();
  const [unit, setUnit] = useState<UnitView | null>(null);
  const [notFound, setNotFound] = useState(false);
  const [history, setHistory] = useState<AuditEntry[] | null>(null);
  const [regs, setRegs] = useState<Registration[] | null>(null);
  const [closing, setClosing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [closeForm] = Form.useForm<{ reason: string }>();
  const [editingEntity, setEditingEntity] = useState(false);
  const [entityVersion, setEntityVersion] = useState(1);
  const [entityForm] = Form.useForm<{ name: string; legalRepresentative?: string }>();

  const openEntityEditor = async (entityId: string) => {
    try {
      const e = await api.getEntity(entityId);
      entityForm.setFieldsValue({ name: e.name, legalRepresentative: e.legalRepresentative ?? '' });
      setEntityVersion(e.version);
      setEditingEntity(true);
    } catch (e) {
      showError(e);
    }
  };

  const load = useCallback(async () => {
    try {
      const u = await api.getUnit(id);
      setUnit(u);
      const [h, r] = await Promise.all([api.unitHistory(id).catch(() => [] as AuditEntry[]), api.unitRegistrations(id).catch(() => [] as Registration[])]);
      setHistory(h);
      setRegs(r);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setNotFound(true);
      else showError(e);
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  const act = async (fn: () => Promise<unknown>, ok: MessageKey) => {
    setBusy(true);
    try {
      await fn();
      message.success(t(ok));
      await load();
      return true;
    } catch (e) {
      showError(e);
      if (e instanceof ApiError && e.code === 'UNIT_CONCURRENT_UPDATE') await load();
      return false;
    } finally {
      setBusy(false);
    }
  };

  if (notFound) {
    return (
      <Result
        status="404"
        title={t('common.notFound')}
        extra={<Button onClick={() => navigate('/units')}>{t('common.back')}</Button>}
      />
    );
  }
  if (!unit) {
    return (
      <div style={{ textAlign: 'center', padding: 80 }}>
        <Spin />
      </div>
    );
  }

  const writable = can('registry.write');
  const hasValidReg = (regs ?? []).some((r) => r.status === 'valid');

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card
        data-testid="unit-detail"
        title={
          <Space>
            <Button size="small" onClick={() => window.history.length > 1 ? window.history.back() : navigate('/units')}>
              {t('common.back')}
            </Button>
            <span data-testid="unit-title">{unit.name}</span>
            {statusTag(unit.status, t)}
          </Space>
        }
        extra={
          writable && (
            <Space>
              <Button onClick={() => navigate(`/units/${unit.id}/edit`)} data-testid="unit-edit" disabled={unit.status === 'closed'}>
                {t('common.edit')}
              </Button>
              {unit.status === 'active' ? (
                <Button danger onClick={() => setClosing(true)} data-testid="unit-close">
                  {t('unit.close')}
                </Button>
              ) : (
                <Popconfirm title={t('unit.reopenConfirm')} onConfirm={() => act(() => api.reopenUnit(unit.id, unit.version), 'unit.reopened')}>
                  <Button data-testid="unit-reopen" loading={busy}>
                    {t('unit.reopen')}
                  </Button>
                </Popconfirm>
              )}
            </Space>
          )
        }
      >
        <Descriptions bordered column={{ xs: 1, md: 2 }} size="middle">
          <Descriptions.Item label={t('unit.entityName')}>
            <Space>
              <span data-testid="detail-entity-name">{unit.entityName}</span>
              {writable && (
                <Button size="small" type="link" onClick={() => openEntityEditor(unit.entityId)} data-testid="entity-edit">
                  {t('entity.edit')}
                </Button>
              )}
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t('unit.creditCode')}>
            <Typography.Text code copyable data-testid="detail-credit-code">
              {unit.creditCode}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('unit.name')}>{unit.name}</Descriptions.Item>
          <Descriptions.Item label={t('unit.siteSeq')}>{unit.siteSeq}</Descriptions.Item>
          <Descriptions.Item label={t('unit.region')}>
            {unit.regionCode} {unit.regionName ?? ''}
          </Descriptions.Item>
          <Descriptions.Item label={t('unit.industry')}>
            {unit.industryCode} {unit.industryName ?? ''}
          </Descriptions.Item>
          <Descriptions.Item label={t('unit.category')}>{categoryTag(unit.managementCategory, t) ?? t('common.none')}</Descriptions.Item>
          <Descriptions.Item label={t('unit.status')}>{statusTag(unit.status, t)}</Descriptions.Item>
          <Descriptions.Item label={t('unit.address')} span={2}>
            {unit.address}
          </Descriptions.Item>
          <Descriptions.Item label={t('unit.coordinates')}>
            {unit.longitude !== null && unit.latitude !== null ? `${unit.longitude}, ${unit.latitude}` : t('common.none')}
          </Descriptions.Item>
          <Descriptions.Item label={t('unit.contact')}>
            {[unit.contactPerson, unit.contactPhone].filter(Boolean).join(' · ') || t('common.none')}
          </Descriptions.Item>
          {unit.status === 'closed' && (
            <Descriptions.Item label={t('unit.closeReason')} span={2}>
              {unit.closeReason ?? t('common.none')} {unit.closedAt ? `(${new Date(unit.closedAt).toLocaleString()})` : ''}
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t('unit.createdAt')}>{new Date(unit.createdAt).toLocaleString()}</Descriptions.Item>
          <Descriptions.Item label={t('unit.updatedAt')}>{new Date(unit.updatedAt).toLocaleString()}</Descriptions.Item>
        </Descriptions>
      </Card>

      <Card
        title={t('unit.registrations')}
        data-testid="unit-registrations"
        extra={
          writable &&
          unit.managementCategory === 'registration' &&
          unit.status === 'active' &&
          !hasValidReg && (
            <Button type="primary" loading={busy} data-testid="registration-create" onClick={() => act(() => api.createRegistration(unit.id), 'unit.registered')}>
              {t('unit.registerNow')}
            </Button>
          )
        }
      >
        {unit.managementCategory !== 'registration' && (regs ?? []).length === 0 ? (
          <Typography.Text type="secondary">{t('unit.registrationOnlyHint')}</Typography.Text>
        ) : (
          <Table<Registration>
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={regs ?? []}
            locale={{ emptyText: t('unit.noRegistrations') }}
            columns={[
              { title: t('unit.reg.number'), dataIndex: 'registrationNumber' },
              {
                title: t('unit.reg.status'),
                dataIndex: 'status',
                render: (s: Registration['status']) => <Tag color={s === 'valid' ? 'green' : 'default'}>{t(s === 'valid' ? 'unit.reg.valid' : 'unit.reg.cancelled')}</Tag>,
              },
              { title: t('unit.reg.registeredOn'), dataIndex: 'registeredOn' },
              { title: t('unit.reg.validUntil'), dataIndex: 'validUntil' },
              {
                key: 'actions',
                render: (_: unknown, r: Registration) =>
                  writable &&
                  r.status === 'valid' && (
                    <Popconfirm title={t('unit.reg.cancelConfirm')} onConfirm={() => act(() => api.cancelRegistration(r.id), 'unit.reg.cancelledMsg')}>
                      <Button size="small" danger>
                        {t('unit.reg.cancel')}
                      </Button>
                    </Popconfirm>
                  ),
              },
            ]}
          />
        )}
      </Card>

      <Card title={t('unit.history')} data-testid="unit-history">
        {history === null ? (
          <Spin />
        ) : history.length === 0 ? (
          <Empty description={t('unit.noHistory')} />
        ) : (
          <Timeline
            items={history.map((h) => ({
              key: h.id,
              color: h.action.endsWith('close') || h.action.endsWith('cancel') ? 'red' : h.action.endsWith('create') || h.action.endsWith('import') ? 'green' : 'blue',
              content: (
                <div data-testid="history-entry" data-action={h.action}>
                  <Space size="small" wrap>
                    <Typography.Text strong>{tMaybe(`action.${h.action}`, h.action)}</Typography.Text>
                    <Typography.Text type="secondary">{new Date(h.occurredAt).toLocaleString()}</Typography.Text>
                    <Typography.Text data-testid="history-actor">{t('unit.historyBy', { name: h.actorDisplayName ? `${h.actorDisplayName} (${h.actorName})` : h.actorName })}</Typography.Text>
                    {h.requestId && (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {t('common.requestId')}: {h.requestId}
                      </Typography.Text>
                    )}
                  </Space>
                  <HistoryDiff entry={h} />
                </div>
              ),
            }))}
          />
        )}
      </Card>

      <Modal
        open={closing}
        title={t('unit.closeTitle')}
        okText={t('unit.close')}
        okButtonProps={{ danger: true, loading: busy, 'data-testid': 'close-confirm' }}
        cancelText={t('common.cancel')}
        onCancel={() => setClosing(false)}
        destroyOnHidden
        onOk={async () => {
          const v = await closeForm.validateFields();
          if (await act(() => api.closeUnit(unit.id, v.reason.trim(), unit.version), 'unit.closed')) {
            setClosing(false);
            closeForm.resetFields();
          }
        }}
      >
        <Form form={closeForm} layout="vertical" preserve={false}>
          <Form.Item name="reason" label={t('unit.closeReasonLabel')} rules={[{ required: true, whitespace: true, message: t('unit.closeReasonRequired') }]}>
            <Input.TextArea rows={3} maxLength={500} data-testid="close-reason" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={editingEntity}
        title={t('entity.editTitle')}
        okText={t('common.save')}
        okButtonProps={{ loading: busy, 'data-testid': 'entity-save' }}
        cancelText={t('common.cancel')}
        onCancel={() => setEditingEntity(false)}
        destroyOnHidden
        onOk={async () => {
          const v = await entityForm.validateFields();
          const body = { version: entityVersion, name: v.name.trim(), legalRepresentative: v.legalRepresentative?.trim() || null };
          if (await act(() => api.updateEntity(unit.entityId, body), 'entity.saved')) setEditingEntity(false);
        }}
      >
        <Form form={entityForm} layout="vertical" preserve={false}>
          <Form.Item label={t('unit.creditCode')}>
            <Typography.Text code>{unit.creditCode}</Typography.Text>
          </Form.Item>
          <Form.Item name="name" label={t('unit.entityName')} rules={[{ required: true, whitespace: true, max: 200, message: t('entity.nameRequired') }]}>
            <Input maxLength={200} data-testid="entity-name" />
          </Form.Item>
          <Form.Item name="legalRepresentative" label={t('entity.legalRepresentative')} rules={[{ max: 50 }]}>
            <Input maxLength={50} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
