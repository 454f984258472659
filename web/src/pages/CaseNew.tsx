import { useEffect, useState } from 'react';
import { Alert, Button, Card, Form, Input, Radio, Select } from 'antd';
import { api, type CaseKind, type PermitView, type TemplateSummary, type UnitView } from '../api';
import { useShowError, useT } from '../context';
import { Link, navigate } from '../router';
import type { MessageKey } from '../i18n';

const APPLICANT_KINDS: CaseKind[] = ['first', 'change', 'renewal', 'reapplication', 'registration', 'cancellation'];
const NEEDS_PERMIT: CaseKind[] = ['change', 'renewal', 'reapplication', 'cancellation'];

/** A unit (or the agency acting for it) starts an application: site, kind, and for a first application a template. */
export default function CaseNew() {
  const { t, lang } = useT();
  const showError = useShowError();
  const [form] = Form.useForm<{ unitId: string; kind: CaseKind; templateId?: string; permitId?: string; grounds?: string }>();
  const [units, setUnits] = useState<UnitView[]>([]);
  const [templates, setTemplates] = useState<TemplateSummary[]>([]);
  const [permits, setPermits] = useState<PermitView[]>([]);
  const [busy, setBusy] = useState(false);
  const kind = Form.useWatch('kind', form);
  const unitId = Form.useWatch('unitId', form);
  const templateId = Form.useWatch('templateId', form);

  useEffect(() => {
    api.listUnits({ pageSize: 100, status: 'active' }).then((r) => setUnits(r.items)).catch(showError);
    api.caseTemplates().then((r) => setTemplates(r.items)).catch(showError);
  }, [showError]);
  useEffect(() => {
    setPermits([]);
    form.setFieldValue('permitId', undefined);
    if (unitId && kind && NEEDS_PERMIT.includes(kind)) api.listPermits({ unitId, status: 'valid' }).then((r) => setPermits(r.items)).catch(showError);
  }, [unitId, kind, form, showError]);
  useEffect(() => {
    // suggest the template of the site's industry
    const u = units.find((x) => x.id === unitId);
    if (u && kind === 'first' && !form.getFieldValue('templateId')) {
      const match = templates.find((tp) => tp.industryCodes.includes(u.industryCode));
      if (match) form.setFieldValue('templateId', match.id);
    }
  }, [unitId, kind, units, templates, form]);

  const submit = async (v: { unitId: string; kind: CaseKind; templateId?: string; permitId?: string; grounds?: string }) => {
    setBusy(true);
    try {
      const c = await api.openCase({ kind: v.kind, unitId: v.unitId, permitId: v.permitId, templateId: v.kind === 'first' || v.kind === 'reapplication' ? v.templateId || undefined : undefined, grounds: v.grounds?.trim() || undefined });
      navigate(`/cases/${c.id}`);
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  };
  const template = templates.find((x) => x.id === templateId);

  return (
    <Card title={t('case.new')} extra={<Link to="/cases">{t('common.back')}</Link>} data-testid="case-new-page">
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ kind: 'first' }} style={{ maxWidth: 720 }}>
        <Form.Item name="unitId" label={t('case.unit')} rules={[{ required: true, message: t('case.unit') }]}>
          <Select
            data-testid="case-unit"
            showSearch
            optionFilterProp="label"
            options={units.map((u) => ({ value: u.id, label: `${u.name}（${u.industryCode} ${u.industryName ?? ''}）` }))}
          />
        </Form.Item>
        <Form.Item name="kind" label={t('case.kind')} rules={[{ required: true }]}>
          <Radio.Group data-testid="case-kind" options={APPLICANT_KINDS.map((k) => ({ value: k, label: t(`case.kind.${k}` as MessageKey) }))} optionType="button" />
        </Form.Item>
        {kind && NEEDS_PERMIT.includes(kind) && (
          <Form.Item name="permitId" label={t('case.permit')} rules={[{ required: true, message: t('case.permit') }]}>
            <Select data-testid="case-permit" options={permits.map((p) => ({ value: p.id, label: `${p.permitNumber}（${p.validFrom} ~ ${p.validTo}）` }))} />
          </Form.Item>
        )}
        {(kind === 'first' || kind === 'reapplication') && (
          <Form.Item name="templateId" label={t('case.template')}>
            <Select
              data-testid="case-template"
              allowClear
              placeholder={t('case.template.none')}
              options={templates.map((tp) => ({ value: tp.id, label: `${lang === 'en' ? tp.name.en : tp.name.zh}（${tp.industryCodes.join('、')}）` }))}
            />
          </Form.Item>
        )}
        {template && <Alert type="info" showIcon style={{ marginBottom: 16 }} message={lang === 'en' ? template.note.en : template.note.zh} />}
        {kind === 'cancellation' && (
          <Form.Item name="grounds" label={t('case.grounds')} rules={[{ required: true, min: 2, message: t('case.reason.required') }]}>
            <Input.TextArea rows={3} />
          </Form.Item>
        )}
        <Button type="primary" htmlType="submit" loading={busy} data-testid="case-create">
          {t('case.create')}
        </Button>
      </Form>
    </Card>
  );
}
