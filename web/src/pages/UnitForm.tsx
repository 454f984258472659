import { useEffect, useMemo, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Col, Divider, Form, Input, InputNumber, Row, Select, Space, Spin, Typography } from 'antd';
import { api, ApiError, type UnitView } from '../api';
import { useShowError, useT } from '../context';
import { navigate } from '../router';
import { IndustrySelect, RegionCascader } from '../components/RefSelects';
import { checkCreditCode, describeCreditCodeCheck } from '../../../src/modules/registry/credit-code.ts';

interface FormValues {
  entity?: { creditCode?: string; name?: string; legalRepresentative?: string; regionCode?: string };
  name?: string;
  regionCode?: string;
  industryCode?: string;
  managementCategory?: 'key' | 'simplified' | 'registration' | null;
  address?: string;
  longitude?: number | null;
  latitude?: number | null;
  contactPerson?: string;
  contactPhone?: string;
}

interface ExistingEntity {
  id: string;
  name: string;
  creditCode: string;
  regionCode: string;
}

const SITE_FIELDS = ['name', 'regionCode', 'industryCode', 'managementCategory', 'address', 'longitude', 'latitude', 'contactPerson', 'contactPhone'] as const;

/** Server field name ('entity.creditCode', 'body.regionCode', 'entity') → form name path. */
function formPath(field: string): (string | number)[] {
  return field
    .replace(/^body\./, '')
    .split('.')
    .filter(Boolean);
}

const nz = (v: unknown) => (v === undefined || v === '' ? null : v);

export default function UnitForm({ id }: { id?: string }) {
  const editing = !!id;
  const { t, lang } = useT();
  const showError = useShowError();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<FormValues>();
  const [unit, setUnit] = useState<UnitView | null>(null);
  const [existing, setExisting] = useState<ExistingEntity | null>(null); // ENTITY_EXISTS answer
  const [target, setTarget] = useState<ExistingEntity | null>(null); // entityId mode
  const [saving, setSaving] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const creditCode = Form.useWatch(['entity', 'creditCode'], form);

  const check = useMemo(() => (creditCode ? checkCreditCode(creditCode) : null), [creditCode]);

  useEffect(() => {
    if (!id) return;
    api
      .getUnit(id)
      .then((u) => {
        setUnit(u);
        form.setFieldsValue({
          name: u.name,
          regionCode: u.regionCode,
          industryCode: u.industryCode,
          managementCategory: u.managementCategory,
          address: u.address,
          longitude: u.longitude,
          latitude: u.latitude,
          contactPerson: u.contactPerson ?? undefined,
          contactPhone: u.contactPhone ?? undefined,
        });
      })
      .catch(showError);
  }, [id]);

  const applyServerErrors = (err: ApiError) => {
    const fields = err.fieldErrors(lang);
    const known = new Set<string>([...SITE_FIELDS, 'entity.creditCode', 'entity.name', 'entity.legalRepresentative', 'entity.regionCode']);
    const onForm = fields.filter((f) => known.has(formPath(f.field).join('.')));
    form.setFields(onForm.map((f) => ({ name: formPath(f.field) as never, errors: [f.message] })));
    const rest = fields.filter((f) => !onForm.includes(f));
    setFormError(onForm.length > 0 && rest.length === 0 ? null : rest.length ? rest.map((f) => `${f.field}: ${f.message}`).join('; ') : err.message);
  };

  const onFinish = async (v: FormValues) => {
    setSaving(true);
    setFormError(null);
    setExisting(null);
    try {
      if (editing && unit) {
        const changed: Record<string, unknown> = {};
        for (const k of SITE_FIELDS) {
          const now = nz(typeof v[k] === 'string' ? (v[k] as string).trim() : v[k]);
          const before = nz(unit[k]);
          if (JSON.stringify(now) !== JSON.stringify(before)) changed[k] = now;
        }
        if (Object.keys(changed).length === 0) {
          message.info(t('form.noChanges'));
          return;
        }
        const saved = await api.updateUnit(unit.id, { version: unit.version, ...changed });
        message.success(t('form.saved'));
        navigate(`/units/${saved.id}`);
        return;
      }
      const site: Record<string, unknown> = {
        name: v.name?.trim(),
        regionCode: v.regionCode,
        industryCode: v.industryCode,
        address: v.address?.trim(),
      };
      if (v.managementCategory) site.managementCategory = v.managementCategory;
      if (typeof v.longitude === 'number') site.longitude = v.longitude;
      if (typeof v.latitude === 'number') site.latitude = v.latitude;
      if (v.contactPerson?.trim()) site.contactPerson = v.contactPerson.trim();
      if (v.contactPhone?.trim()) site.contactPhone = v.contactPhone.trim();
      const body = target
        ? { entityId: target.id, ...site }
        : {
            entity: {
              creditCode: v.entity?.creditCode?.trim() ?? '',
              name: v.entity?.name?.trim() ?? '',
              regionCode: v.entity?.regionCode,
              ...(v.entity?.legalRepresentative?.trim() ? { legalRepresentative: v.entity.legalRepresentative.trim() } : {}),
            },
            ...site,
          };
      const created = await api.createUnit(body);
      message.success(t('form.created'));
      navigate(`/units/${created.id}`);
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.code === 'ENTITY_EXISTS') {
          const ex = (err.problem.details as { existing?: ExistingEntity } | undefined)?.existing;
          if (ex) setExisting(ex);
          form.setFields([{ name: ['entity', 'creditCode'], errors: [err.message] }]);
        } else if (err.code === 'UNIT_CONCURRENT_UPDATE' && id) {
          showError(err);
          const u = await api.getUnit(id);
          setUnit(u);
        } else if (err.status === 400) {
          applyServerErrors(err);
          showError(err);
        } else showError(err);
      } else showError(err);
    } finally {
      setSaving(false);
    }
  };

  if (editing && !unit) {
    return (
      <div style={{ textAlign: 'center', padding: 80 }}>
        <Spin />
      </div>
    );
  }

  const creditCodeRule = {
    validator: async (_: unknown, value: string | undefined) => {
      if (!value) throw new Error(t('form.required'));
      const c = checkCreditCode(value);
      if (!c.valid) throw new Error(describeCreditCodeCheck(c, lang));
    },
  };

  return (
    <Card
      data-testid="unit-form"
      title={
        <Space>
          <Button size="small" onClick={() => (editing ? navigate(`/units/${id}`) : navigate('/units'))}>
            {t('common.back')}
          </Button>
          {editing ? t('form.editTitle') : t('form.newTitle')}
        </Space>
      }
    >
      <Form<FormValues>
        form={form}
        layout="vertical"
        onFinish={onFinish}
        onValuesChange={(changed) => {
          if (changed.entity?.regionCode && !form.getFieldValue('regionCode')) form.setFieldValue('regionCode', changed.entity.regionCode);
          if (changed.entity?.name && !form.isFieldTouched('name')) form.setFieldValue('name', changed.entity.name);
        }}
        scrollToFirstError
        style={{ maxWidth: 900 }}
      >
        {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} data-testid="form-error" />}

        {!editing && (
          <>
            <Divider titlePlacement="start">{t('form.entitySection')}</Divider>
            {target ? (
              <Alert
                type="info"
                showIcon
                data-testid="form-existing-entity"
                title={`${t('form.mode.existingEntity')}: ${target.name} (${target.creditCode})`}
                action={
                  <Button size="small" onClick={() => setTarget(null)}>
                    {t('form.mode.newEntity')}
                  </Button>
                }
                style={{ marginBottom: 16 }}
              />
            ) : (
              <Row gutter={16}>
                <Col xs={24} md={12}>
                  <div data-testid="fi-entity-creditCode">
                    <Form.Item
                      name={['entity', 'creditCode']}
                      label={t('form.entity.creditCode')}
                      rules={[creditCodeRule]}
                      required
                      validateFirst
                      hasFeedback={!!check}
                      extra={
                        check && !check.valid && check.normalized ? (
                          <Space size="small" style={{ marginTop: 4 }}>
                            <Typography.Text type="warning">{describeCreditCodeCheck(check, lang)}</Typography.Text>
                            <Button
                              size="small"
                              data-testid="credit-code-use-normalized"
                              onClick={() => {
                                form.setFieldValue(['entity', 'creditCode'], check.normalized);
                                void form.validateFields([['entity', 'creditCode']]);
                              }}
                            >
                              {t('form.useCleaned', { code: check.normalized })}
                            </Button>
                          </Space>
                        ) : undefined
                      }
                    >
                      <Input maxLength={64} data-testid="form-credit-code" autoComplete="off" />
                    </Form.Item>
                  </div>
                </Col>
                <Col xs={24} md={12}>
                  <div data-testid="fi-entity-name">
                    <Form.Item name={['entity', 'name']} label={t('form.entity.name')} rules={[{ required: true, whitespace: true, message: t('form.required') }]}>
                      <Input maxLength={200} data-testid="form-entity-name" />
                    </Form.Item>
                  </div>
                </Col>
                <Col xs={24} md={12}>
                  <div data-testid="fi-entity-regionCode">
                    <Form.Item name={['entity', 'regionCode']} label={t('form.entity.regionCode')} rules={[{ required: true, message: t('form.required') }]}>
                      <RegionCascader placeholder={t('form.regionPlaceholder')} />
                    </Form.Item>
                  </div>
                </Col>
                <Col xs={24} md={12}>
                  <Form.Item name={['entity', 'legalRepresentative']} label={t('form.entity.legalRepresentative')}>
                    <Input maxLength={50} data-testid="form-legal-rep" />
                  </Form.Item>
                </Col>
              </Row>
            )}
            {existing && !target && (
              <Alert
                type="warning"
                showIcon
                data-testid="entity-exists"
                style={{ marginBottom: 16 }}
                title={t('form.entityExists', { name: existing.name, code: existing.creditCode })}
                action={
                  <Button
                    size="small"
                    type="primary"
                    data-testid="add-site-instead"
                    onClick={() => {
                      setTarget(existing);
                      setExisting(null);
                    }}
                  >
                    {t('form.addSiteInstead')}
                  </Button>
                }
              />
            )}
            <Divider titlePlacement="start">{t('form.siteSection')}</Divider>
          </>
        )}

        <Row gutter={16}>
          <Col xs={24} md={12}>
            <div data-testid="fi-name">
              <Form.Item name="name" label={t('form.name')} rules={[{ required: true, whitespace: true, message: t('form.required') }]}>
                <Input maxLength={200} data-testid="form-name" />
              </Form.Item>
            </div>
          </Col>
          <Col xs={24} md={12}>
            <div data-testid="fi-regionCode">
              <Form.Item name="regionCode" label={t('form.regionCode')} rules={[{ required: true, message: t('form.required') }]}>
                <RegionCascader placeholder={t('form.regionPlaceholder')} />
              </Form.Item>
            </div>
          </Col>
          <Col xs={24} md={12}>
            <div data-testid="fi-industryCode">
              <Form.Item name="industryCode" label={t('form.industryCode')} rules={[{ required: true, message: t('form.required') }]}>
                <IndustrySelect classOnly placeholder={t('form.industryPlaceholder')} />
              </Form.Item>
            </div>
          </Col>
          <Col xs={24} md={12}>
            <div data-testid="fi-managementCategory">
              <Form.Item name="managementCategory" label={t('form.managementCategory')}>
                <Select
                  allowClear
                  options={(['key', 'simplified', 'registration'] as const).map((c) => ({ value: c, label: t(`category.${c}`) }))}
                />
              </Form.Item>
            </div>
          </Col>
          <Col xs={24}>
            <div data-testid="fi-address">
              <Form.Item name="address" label={t('form.address')} rules={[{ required: true, whitespace: true, message: t('form.required') }]}>
                <Input maxLength={300} data-testid="form-address" />
              </Form.Item>
            </div>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="longitude" label={t('form.longitude')}>
              <InputNumber min={73} max={136} step={0.000001} style={{ width: '100%' }} data-testid="form-longitude" />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="latitude" label={t('form.latitude')}>
              <InputNumber min={3} max={54} step={0.000001} style={{ width: '100%' }} data-testid="form-latitude" />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="contactPerson" label={t('form.contactPerson')}>
              <Input maxLength={50} data-testid="form-contact-person" />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item name="contactPhone" label={t('form.contactPhone')}>
              <Input maxLength={30} data-testid="form-contact-phone" />
            </Form.Item>
          </Col>
        </Row>
        <Space>
          <Button type="primary" htmlType="submit" loading={saving} data-testid="form-submit">
            {t('common.save')}
          </Button>
          <Button onClick={() => (editing ? navigate(`/units/${id}`) : navigate('/units'))}>{t('common.cancel')}</Button>
        </Space>
      </Form>
    </Card>
  );
}
