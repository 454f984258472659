import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, DatePicker, Descriptions, Empty, Form, Input, InputNumber, List, Modal, Radio, Result, Select, Space, Spin, Table, Tabs, Tag, Timeline, Typography } from 'antd';
import dayjs from 'dayjs';
import { api, ApiError, type AgencyView, type CaseAction, type CaseDetail as Detail, type ContentProblem, type EligibleExpert, type PermitContent } from '../api';
import { useCan, useShowError, useT } from '../context';
import { Link } from '../router';
import type { MessageKey } from '../i18n';
import { caseStateTag, DueTag } from './CasesList';
import { Content, usePollutantNames } from './PermitDetail';
import { categoryTag } from './UnitsList';
import { ReviewHits } from '../components/ReviewHits';
import { chinaToday } from '../china';

type T = (k: MessageKey, v?: Record<string, string | number>) => string;

/** Steps whose record needs a reason (the server refuses them without one). */
const REASON_REQUIRED: CaseAction[] = ['not_accept', 'refuse', 'return', 'decide', 'drop', 'notify_hearing', 'complete_evaluation'];
const DANGER: CaseAction[] = ['not_accept', 'refuse', 'drop', 'withdraw', 'return'];
const ATTACHMENT_KINDS = ['application_form', 'commitment', 'eia_approval', 'evaluation_report', 'on_site_record', 'decision', 'other'];
const FACTORS_AIR = ['SO2', 'NOx', 'particulate', 'VOCs'];
const FACTORS_WATER = ['COD', 'NH3-N', 'TN', 'TP'];
const chinaDay = () => dayjs(chinaToday());

/** The applicant's editor: what a template leaves to fill (limits it could not fill, locations, quantities). */
function ContentEditor({ detail, onSaved }: { detail: Detail; onSaved: () => void }) {
  const { t, lang } = useT();
  const showError = useShowError();
  const names = usePollutantNames();
  const [c, setC] = useState<PermitContent>(() => structuredClone(detail.content!));
  const [problems, setProblems] = useState<ContentProblem[] | null>(null);
  const [busy, setBusy] = useState(false);
  const year = Number(chinaToday().slice(0, 4));
  const medium = c.outlets.some((o) => o.code.startsWith('DW')) && !c.outlets.some((o) => o.code.startsWith('DA')) ? 'water' : 'air';
  const factors = [...new Set([...(medium === 'water' ? FACTORS_WATER : FACTORS_AIR.slice(0, 3)), ...c.permittedQuantities.map((q) => q.factor)])];

  const setOutlet = (i: number, patch: Partial<PermitContent['outlets'][number]>) => setC((x) => ({ ...x, outlets: x.outlets.map((o, j) => (j === i ? { ...o, ...patch } : o)) }));
  const setLimit = (i: number, k: number, value: number | null) =>
    setC((x) => ({
      ...x,
      outlets: x.outlets.map((o, j) =>
        j !== i
          ? o
          : {
              ...o,
              pollutants: o.pollutants.map((p, m) => {
                if (m !== k) return p;
                if (value === null) return { ...p, limit: undefined };
                if (p.limit?.direction === 'range') return p;
                return { ...p, limit: { direction: p.limit?.direction ?? 'max', value, unit: p.limit?.unit ?? (o.code.startsWith('DW') ? 'mg/L' : 'mg/m3') } as typeof p.limit };
              }),
            },
      ),
    }));
  const amountOf = (f: string) => c.permittedQuantities.find((q) => q.factor === f && q.year === year && !q.outletCode)?.amount ?? null;
  const setAmount = (f: string, amount: number | null) =>
    setC((x) => {
      const rest = x.permittedQuantities.filter((q) => !(q.factor === f && q.year === year && !q.outletCode));
      return { ...x, permittedQuantities: amount === null ? rest : [...rest, { factor: f as never, year, amount, unit: 't/a' }] };
    });

  const save = async () => {
    setBusy(true);
    try {
      const r = await api.saveCaseContent(detail.id, detail.version, c);
      setProblems(r.problems);
      onSaved();
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="content-editor">
      <Table
        size="small"
        rowKey="code"
        pagination={false}
        dataSource={c.outlets}
        columns={[
          { title: t('permit.outlet.code'), dataIndex: 'code', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
          { title: t('permit.outlet.name'), render: (_, o, i) => <Input value={o.name} onChange={(e) => setOutlet(i, { name: e.target.value })} style={{ width: 160 }} /> },
          { title: t('permit.outlet.location'), render: (_, o, i) => (
              <Space size={4}>
                <InputNumber value={o.longitude} min={73} max={136} step={0.000001} onChange={(v) => v !== null && setOutlet(i, { longitude: v })} style={{ width: 120 }} />
                <InputNumber value={o.latitude} min={3} max={54} step={0.000001} onChange={(v) => v !== null && setOutlet(i, { latitude: v })} style={{ width: 110 }} />
              </Space>
            ) },
          { title: `${t('permit.outlet.flow')} / ${t('permit.outlet.hours')}`, render: (_, o, i) => (
              <Space size={4}>
                <InputNumber data-testid={`flow-${o.code}`} value={o.designFlowM3h ?? null} min={0.001} max={100_000_000} addonAfter="m3/h" onChange={(v) => setOutlet(i, { designFlowM3h: v ?? undefined })} style={{ width: 150 }} />
                <InputNumber data-testid={`hours-${o.code}`} value={o.operatingHours ?? null} min={1} max={8784} addonAfter="h/a" onChange={(v) => setOutlet(i, { operatingHours: v ?? undefined })} style={{ width: 120 }} />
              </Space>
            ) },
          {
            title: `${t('permit.pollutant')} / ${t('permit.limit')}`,
            render: (_, o, i) => (
              <Space direction="vertical" size={2}>
                {o.pollutants.map((p, k) => (
                  <Space key={p.pollutantCode} size={6}>
                    <span style={{ display: 'inline-block', minWidth: 130 }}>{names.get(p.pollutantCode) ?? p.pollutantCode}</span>
                    {p.limit?.direction === 'range' ? (
                      <span>{`${p.limit.low}–${p.limit.high} ${p.limit.unit}`}</span>
                    ) : (
                      <InputNumber
                        data-testid={`limit-${o.code}-${p.pollutantCode}`}
                        size="small"
                        min={0}
                        value={p.limit ? p.limit.value : null}
                        placeholder={t('case.content.limitMissing')}
                        addonBefore={p.limit?.direction === 'min' ? '≥' : '≤'}
                        addonAfter={p.limit?.unit ?? (o.code.startsWith('DW') ? 'mg/L' : 'mg/m3')}
                        onChange={(v) => setLimit(i, k, v)}
                        style={{ width: 200 }}
                      />
                    )}
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {p.standard}
                    </Typography.Text>
                  </Space>
                ))}
              </Space>
            ),
          },
        ]}
      />
      <Card size="small" title={`${t('case.content.quantities')} · ${year}`}>
        <Space wrap>
          {factors.map((f) => (
            <InputNumber key={f} data-testid={`quantity-${f}`} min={0} addonBefore={f} addonAfter="t/a" value={amountOf(f)} onChange={(v) => setAmount(f, v)} style={{ width: 230 }} />
          ))}
        </Space>
      </Card>
      {problems && problems.length > 0 && (
        <Alert type="warning" showIcon message={t('case.content.problems')} description={<List size="small" dataSource={problems} renderItem={(p) => <List.Item>{`${p.severity === 'error' ? '✗' : '!'} ${p.path}: ${lang === 'en' ? p.en : p.zh}`}</List.Item>} />} />
      )}
      <Button type="primary" onClick={save} loading={busy} data-testid="content-save">
        {t('case.content.save')}
      </Button>
    </Space>
  );
}

function ActionDialog({ detail, action, onClose, onDone }: { detail: Detail; action: CaseAction; onClose: () => void; onDone: () => void }) {
  const { t, lang } = useT();
  const showError = useShowError();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [experts, setExperts] = useState<EligibleExpert[]>([]);
  const [agencies, setAgencies] = useState<AgencyView[]>([]);
  const by = Form.useWatch('by', form) ?? 'experts';
  useEffect(() => {
    if (action !== 'assign_evaluation') return;
    api.eligibleExperts(detail.id).then((r) => setExperts(r.items)).catch(showError);
    api.agencies().then((r) => setAgencies(r.items)).catch(showError);
  }, [action, detail.id, showError]);

  const ok = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await api.caseAction(detail.id, {
        action,
        expectedVersion: detail.version,
        reason: v.reason?.trim() || undefined,
        items: action === 'request_supplement' ? String(v.items ?? '').split('\n').map((s: string) => s.trim()).filter(Boolean) : undefined,
        agencyId: action === 'assign_evaluation' && by === 'agency' ? v.agencyId : undefined,
        expertIds: action === 'assign_evaluation' && by === 'experts' ? v.expertIds : undefined,
        conclusion: action === 'complete_evaluation' ? v.conclusion : undefined,
      });
      onDone();
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open title={t(`case.action.${action}` as MessageKey)} onCancel={onClose} onOk={ok} confirmLoading={busy} okButtonProps={{ danger: DANGER.includes(action), 'data-testid': 'action-ok' } as never} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ by: 'experts', conclusion: 'pass' }}>
        {action === 'request_supplement' && (
          <Form.Item name="items" label={t('case.items')} rules={[{ required: true, message: t('case.items') }]}>
            <Input.TextArea rows={4} data-testid="action-items" />
          </Form.Item>
        )}
        {action === 'assign_evaluation' && (
          <>
            <Form.Item name="by" label={t('case.evaluation.by')}>
              <Radio.Group optionType="button" options={[{ value: 'experts', label: t('case.evaluation.byExperts') }, { value: 'agency', label: t('case.evaluation.byAgency') }]} />
            </Form.Item>
            {by === 'experts' ? (
              <Form.Item name="expertIds" label={t('case.experts')} rules={[{ required: true, message: t('case.experts') }]}>
                <Select
                  mode="multiple"
                  data-testid="action-experts"
                  optionFilterProp="label"
                  options={experts.map((e) => ({
                    value: e.id,
                    disabled: !e.eligible,
                    label: `${e.name}${e.title ? ` ${e.title}` : ''}${e.specialtyMatch ? ` · ${t('case.expert.match')}` : ''}${e.eligible ? '' : ` · ${t('case.expert.excluded')}：${e.exclusions.map((x) => (lang === 'en' ? x.en : x.zh)).join('，')}`}`,
                  }))}
                />
              </Form.Item>
            ) : (
              <Form.Item name="agencyId" label={t('case.agency')} rules={[{ required: true, message: t('case.agency') }]}>
                <Select options={agencies.filter((a) => a.id !== detail.preparedByAgencyId).map((a) => ({ value: a.id, label: a.name }))} />
              </Form.Item>
            )}
          </>
        )}
        {action === 'complete_evaluation' && (
          <Form.Item name="conclusion" label={t('case.conclusion')}>
            <Radio.Group options={['pass', 'pass_with_changes', 'fail'].map((c) => ({ value: c, label: t(`case.conclusion.${c}` as MessageKey) }))} />
          </Form.Item>
        )}
        <Form.Item name="reason" label={action === 'complete_evaluation' ? t('case.findings') : t('case.reason')} rules={REASON_REQUIRED.includes(action) ? [{ required: true, min: 2, message: t('case.reason.required') }] : []}>
          <Input.TextArea rows={3} data-testid="action-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function Materials({ detail, reload, t }: { detail: Detail; reload: () => void; t: T }) {
  const showError = useShowError();
  const [kind, setKind] = useState('application_form');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const upload = async () => {
    if (!file) return;
    setBusy(true);
    try {
      await api.uploadCaseAttachment(detail.id, file, kind);
      setFile(null);
      reload();
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Alert
        type={detail.completeness.complete ? 'success' : 'warning'}
        showIcon
        data-testid="completeness"
        message={detail.completeness.complete ? t('case.completeness.ok') : `${t('case.completeness.missing')}：${detail.completeness.missing.map((m) => m.zh).join('；')}`}
      />
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={detail.attachments}
        locale={{ emptyText: t('common.none') }}
        columns={[
          { title: t('case.materials.kind'), dataIndex: 'kind', render: (k: string) => t(`attachment.kind.${k}` as MessageKey) },
          { title: t('case.materials.file'), render: (_, a) => <a href={`/api/cases/${detail.id}/attachments/${a.id}`}>{a.fileName}</a> },
          { title: t('case.materials.size'), dataIndex: 'size', render: (n: number) => `${(n / 1024).toFixed(1)} KB` },
          { title: t('case.materials.sha'), dataIndex: 'sha256', render: (s: string) => <Typography.Text code copyable={{ text: s }}>{s.slice(0, 12)}…</Typography.Text> },
          { title: t('case.materials.by'), dataIndex: 'uploadedBy' },
        ]}
      />
      <Space wrap>
        <Select value={kind} onChange={setKind} style={{ width: 200 }} data-testid="material-kind" options={ATTACHMENT_KINDS.map((k) => ({ value: k, label: t(`attachment.kind.${k}` as MessageKey) }))} />
        <input type="file" data-testid="material-file" accept=".pdf,.ofd,.png,.jpg,.jpeg,.docx,.xlsx,.doc,.xls" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        <Button onClick={upload} disabled={!file} loading={busy} data-testid="material-upload">
          {t('case.materials.upload')}
        </Button>
      </Space>
    </Space>
  );
}

function OnSite({ detail, reload, official, t }: { detail: Detail; reload: () => void; official: boolean; t: T }) {
  const showError = useShowError();
  const [form] = Form.useForm();
  const [photo, setPhoto] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const canRecord = official && ['accepted', 'under_evaluation', 'evaluated'].includes(detail.state);
  const record = async (v: { reviewDate: dayjs.Dayjs; people: string; findings: string; outcome: 'no_problem' | 'problems_found' }) => {
    setBusy(true);
    try {
      const r = await api.recordOnSiteReview(detail.id, { expectedVersion: detail.version, reviewDate: v.reviewDate.format('YYYY-MM-DD'), people: v.people.split(/[,，、\s]+/).filter(Boolean), findings: v.findings, outcome: v.outcome });
      if (photo) await api.uploadCaseAttachment(detail.id, photo, 'on_site_record', r.reviewId);
      form.resetFields();
      setPhoto(null);
      reload();
    } catch (e) {
      showError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      {detail.onSiteReviews.length === 0 ? (
        <Empty description={t('case.onSite.none')} />
      ) : (
        <List
          data-testid="onsite-list"
          dataSource={detail.onSiteReviews}
          renderItem={(r) => (
            <List.Item>
              <List.Item.Meta
                title={
                  <Space>
                    {r.reviewDate}
                    <Tag color={r.outcome === 'no_problem' ? 'green' : 'red'}>{t(`case.onSite.outcome.${r.outcome}` as MessageKey)}</Tag>
                    {r.people.join('、')}
                  </Space>
                }
                description={
                  <Space direction="vertical" size={2}>
                    {r.findings}
                    {detail.attachments
                      .filter((a) => a.onSiteReviewId === r.id)
                      .map((a) => (
                        <a key={a.id} href={`/api/cases/${detail.id}/attachments/${a.id}`}>
                          {a.fileName}
                        </a>
                      ))}
                  </Space>
                }
              />
            </List.Item>
          )}
        />
      )}
      {canRecord && (
        <Card size="small" title={t('case.onSite.record')}>
          <Form form={form} layout="vertical" onFinish={record} initialValues={{ outcome: 'no_problem', reviewDate: chinaDay() }} style={{ maxWidth: 640 }}>
            <Form.Item name="reviewDate" label={t('case.onSite.date')} rules={[{ required: true }]}>
              <DatePicker data-testid="onsite-date" />
            </Form.Item>
            <Form.Item name="people" label={t('case.onSite.people')} rules={[{ required: true, message: t('case.onSite.people') }]}>
              <Input data-testid="onsite-people" />
            </Form.Item>
            <Form.Item name="findings" label={t('case.onSite.findings')} rules={[{ required: true, min: 2, message: t('case.onSite.findings') }]}>
              <Input.TextArea rows={3} data-testid="onsite-findings" />
            </Form.Item>
            <Form.Item name="outcome" label={t('case.onSite.outcome')}>
              <Radio.Group options={['no_problem', 'problems_found'].map((o) => ({ value: o, label: t(`case.onSite.outcome.${o}` as MessageKey) }))} />
            </Form.Item>
            <Form.Item label={t('attachment.kind.on_site_record')}>
              <input type="file" data-testid="onsite-photo" accept=".pdf,.png,.jpg,.jpeg" onChange={(e) => setPhoto(e.target.files?.[0] ?? null)} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy} data-testid="onsite-save">
              {t('case.onSite.record')}
            </Button>
          </Form>
        </Card>
      )}
    </Space>
  );
}

export default function CaseDetail({ id }: { id: string }) {
  const { t, tMaybe, lang } = useT();
  const can = useCan();
  const showError = useShowError();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [notFound, setNotFound] = useState(false);
  const [action, setAction] = useState<CaseAction | null>(null);
  const [tab, setTab] = useState('content');
  const load = useCallback(() => {
    api
      .getCase(id)
      .then(setDetail)
      .catch((e) => (e instanceof ApiError && (e.status === 404 || e.status === 400) ? setNotFound(true) : showError(e)));
  }, [id, showError]);
  useEffect(() => {
    setDetail(null);
    load();
  }, [load]);
  const official = can('cases.decide');
  // the applicant's turn: the unit, or the agency it named (the server decides who that is)
  const editable = useMemo(() => !!detail && detail.allowedActions.includes('submit') && (detail.state === 'draft' || detail.state === 'supplement_requested') && detail.content !== null, [detail]);

  if (notFound) return <Result status="404" title={t('common.notFound')} />;
  if (!detail) return <Spin style={{ display: 'block', padding: 80 }} />;
  const d = detail;
  const isApplication = ['first', 'change', 'renewal', 'reapplication'].includes(d.kind);

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="case-detail">
      <Card
        title={
          <Space>
            {t(`case.kind.${d.kind}` as MessageKey)}
            <Typography.Text code data-testid="case-number">
              {d.caseNumber}
            </Typography.Text>
            <span data-testid="case-state">{caseStateTag(d.state, t)}</span>
          </Space>
        }
        extra={<Link to="/cases">{t('common.back')}</Link>}
      >
        <Descriptions column={3} size="small">
          <Descriptions.Item label={t('case.unit')}>
            <Link to={`/units/${d.unitId}`}>{d.unitName}</Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('permit.category')}>{d.managementCategory ? categoryTag(d.managementCategory, t) : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('case.due')}>
            <DueTag due={d.due} t={t} />
          </Descriptions.Item>
          <Descriptions.Item label={t('case.received')}>{d.receivedOn ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('case.acceptedOn')}>{d.acceptedOn ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('case.decidedOn')}>{d.decidedOn ?? '—'}</Descriptions.Item>
          {d.grounds && <Descriptions.Item label={t('case.grounds')} span={3}>{d.grounds}</Descriptions.Item>}
          {d.decisionReason && <Descriptions.Item label={t('case.reason')} span={3}>{d.decisionReason}</Descriptions.Item>}
          {d.supplementItems.length > 0 && (
            <Descriptions.Item label={t('case.supplementItems')} span={3}>
              {d.supplementItems.join('；')}
            </Descriptions.Item>
          )}
          {d.resultPermitId && (
            <Descriptions.Item label={t('case.permit')}>
              <Link to={`/permits/${d.resultPermitId}`} data-testid="case-result-permit">
                {t('case.resultPermit')}
              </Link>
            </Descriptions.Item>
          )}
        </Descriptions>
        {d.flags.map((f) => (
          <Alert key={f.code} type="warning" showIcon style={{ marginTop: 8 }} message={`${f.code}: ${lang === 'en' ? f.en : f.zh}`} />
        ))}
        <Space wrap style={{ marginTop: 16 }} data-testid="case-actions">
          {d.allowedActions.length === 0 ? (
            <Typography.Text type="secondary">{t('case.actions.none')}</Typography.Text>
          ) : (
            d.allowedActions.map((a) => (
              <Button key={a} type={DANGER.includes(a) ? 'default' : 'primary'} danger={DANGER.includes(a)} onClick={() => setAction(a)} data-testid={`action-${a}`}>
                {t(`case.action.${a}` as MessageKey)}
              </Button>
            ))
          )}
        </Space>
      </Card>
      <Card>
        <Tabs
          activeKey={tab}
          onChange={setTab}
          items={[
            ...(isApplication
              ? [
                  {
                    key: 'content',
                    label: t('case.tab.content'),
                    children: editable ? <ContentEditor key={d.version} detail={d} onSaved={load} /> : d.content ? <Content c={d.content} /> : <Empty description={t('case.content.empty')} />,
                  },
                  {
                    key: 'review',
                    label: <span data-testid="tab-review">{`${t('review.title')}${d.review.length ? ` (${d.review.length})` : ''}`}</span>,
                    children: <ReviewHits hits={d.review} blocking={editable} />,
                  },
                ]
              : []),
            { key: 'materials', label: <span data-testid="tab-materials">{t('case.tab.materials')}</span>, children: <Materials detail={d} reload={load} t={t} /> },
            ...(isApplication
              ? [
                  {
                    key: 'evaluation',
                    label: t('case.tab.evaluation'),
                    children:
                      d.evaluations.length === 0 ? (
                        <Empty description={t('case.evaluation.none')} />
                      ) : (
                        <List
                          dataSource={d.evaluations}
                          renderItem={(e) => (
                            <List.Item>
                              <List.Item.Meta
                                title={
                                  <Space>
                                    {e.agencyName ?? e.experts.map((x) => x.name).join('、')}
                                    {e.conclusion ? <Tag color={e.conclusion === 'fail' ? 'red' : 'green'}>{t(`case.conclusion.${e.conclusion}` as MessageKey)}</Tag> : <Tag>{t('case.evaluation.pending')}</Tag>}
                                  </Space>
                                }
                                description={e.findings ?? `${e.assignedBy} · ${new Date(e.assignedAt).toLocaleString()}`}
                              />
                            </List.Item>
                          )}
                        />
                      ),
                  },
                  { key: 'onsite', label: <span data-testid="tab-onsite">{t('case.tab.onSite')}</span>, children: <OnSite detail={d} reload={load} official={official} t={t} /> },
                ]
              : []),
            {
              key: 'history',
              label: <span data-testid="tab-history">{t('case.tab.history')}</span>,
              children: (
                <Timeline
                  data-testid="case-history"
                  items={d.events.map((e) => ({
                    color: ['refuse', 'not_accept', 'drop'].includes(e.action) ? 'red' : ['approve', 'record', 'decide'].includes(e.action) ? 'green' : 'blue',
                    children: (
                      <Space direction="vertical" size={0}>
                        <Space>
                          <strong>{tMaybe(`case.action.${e.action}`, e.action)}</strong>
                          {e.fromState !== e.toState && caseStateTag(e.toState, t)}
                          <Typography.Text type="secondary">
                            {e.actorName} · {new Date(e.occurredAt).toLocaleString()}
                          </Typography.Text>
                        </Space>
                        {e.reason && <span>{e.reason}</span>}
                      </Space>
                    ),
                  }))}
                />
              ),
            },
          ]}
        />
      </Card>
      {action && (
        <ActionDialog
          detail={d}
          action={action}
          onClose={() => setAction(null)}
          onDone={() => {
            setAction(null);
            load();
          }}
        />
      )}
    </Space>
  );
}
