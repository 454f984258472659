import { useEffect, useState } from 'react';
import { App as AntApp, Button, Card, Descriptions, Empty, List, Result, Select, Space, Spin, Table, Tabs, Tag, Typography } from 'antd';
import { api, ApiError, type PermitComparison, type PermitContent, type PermitDetail as Detail, type PermitVersionList } from '../api';
import { useCan, useShowError, useT } from '../context';
import { Link } from '../router';
import { categoryTag } from './UnitsList';
import { permitStatusTag } from './PermitsList';
import type { MessageKey } from '../i18n';
import { ReviewHits, type Hit } from '../components/ReviewHits';

type Outlet = PermitContent['outlets'][number];
type Pollutant = Outlet['pollutants'][number];

export function limitText(p: Pollutant, t: (k: MessageKey) => string): string {
  const l = p.limit;
  if (!l) return t('permit.noLimit');
  if (l.direction === 'max') return `≤ ${l.value} ${l.unit}`;
  if (l.direction === 'min') return `≥ ${l.value} ${l.unit}`;
  return `${l.low}–${l.high} ${l.unit}`;
}

/** outlets[DA001].pollutants[a21026].limit.value → 排放口 DA001 › 污染物 a21026 › 许可排放浓度 › value */
function pathText(path: string, tMaybe: (k: string, f: string) => string): string {
  const names: Record<string, string> = {
    outlets: 'permit.outlets',
    pollutants: 'permit.pollutant',
    limit: 'permit.limit',
    rateLimit: 'permit.rateLimit',
    referenceO2: 'permit.referenceO2',
    permittedQuantities: 'permit.quantities',
    selfMonitoring: 'permit.monitoring',
    reports: 'permit.reports',
    rectifications: 'permit.rectifications',
    specialConditions: 'permit.specialConditions',
    managementCategory: 'permit.category',
    standard: 'permit.standard',
    heightM: 'permit.outlet.height',
    designFlowM3h: 'permit.outlet.flow',
    operatingHours: 'permit.outlet.hours',
    receivingWater: 'permit.outlet.receivingWater',
    kind: 'permit.outlet.kind',
    frequency: 'permit.frequency',
    amount: 'permit.amount',
    value: 'permit.value',
    low: 'permit.low',
    high: 'permit.high',
    validFrom: 'permit.validFrom',
    validTo: 'permit.validTo',
  };
  return path
    .split('.')
    .map((seg) => {
      const m = /^([A-Za-z]+)(?:\[(.*)\])?$/.exec(seg);
      if (!m) return seg;
      const label = names[m[1]] ? tMaybe(names[m[1]], m[1]) : tMaybe(`field.${m[1]}`, m[1]);
      return m[2] !== undefined ? `${label} ${m[2]}` : label;
    })
    .join(' › ');
}

const show = (v: unknown) => (v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** HJ 212-2017 pollutant names by code, from the reference tables (loaded once). */
let pollutantNames: Promise<Map<string, string>> | undefined;
export function usePollutantNames(): Map<string, string> {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    pollutantNames ??= api
      .get<{ items: { code: string; name: string }[] }>('/api/reference/pollutants')
      .then((r) => new Map(r.items.map((p) => [p.code, p.name])))
      .catch(() => {
        pollutantNames = undefined;
        return new Map<string, string>();
      });
    let live = true;
    pollutantNames.then((m) => live && setNames(m));
    return () => {
      live = false;
    };
  }, []);
  return names;
}

export function Content({ c }: { c: PermitContent }) {
  const { t } = useT();
  const names = usePollutantNames();
  const pollutant = (code: string) => (names.get(code) ? `${names.get(code)}（${code}）` : code);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card size="small" title={t('permit.outlets')}>
        <Table<Outlet>
          data-testid="permit-outlets"
          rowKey="code"
          size="small"
          pagination={false}
          dataSource={c.outlets}
          expandable={{
            defaultExpandAllRows: true,
            expandedRowRender: (o) => (
              <Table<Pollutant>
                rowKey="pollutantCode"
                size="small"
                pagination={false}
                dataSource={o.pollutants}
                columns={[
                  { title: t('permit.pollutant'), dataIndex: 'pollutantCode', render: (v: string) => pollutant(v) },
                  { title: t('permit.standard'), dataIndex: 'standard' },
                  { title: t('permit.limit'), render: (_, p) => <span data-testid="pollutant-limit">{limitText(p, t)}</span> },
                  { title: t('permit.rateLimit'), render: (_, p) => (p.rateLimit ? `${p.rateLimit.value} ${p.rateLimit.unit}` : t('common.none')) },
                  { title: t('permit.referenceO2'), render: (_, p) => p.referenceO2 ?? t('common.none') },
                ]}
              />
            ),
          }}
          columns={[
            { title: t('permit.outlet.code'), dataIndex: 'code', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
            { title: t('permit.outlet.name'), dataIndex: 'name' },
            { title: t('permit.outlet.kind'), dataIndex: 'kind', render: (k: string) => <Tag color={k === 'main' ? 'red' : 'default'}>{t(`permit.outlet.kind.${k}` as MessageKey)}</Tag> },
            { title: t('permit.outlet.location'), render: (_, o) => `${o.longitude}, ${o.latitude}` },
            { title: `${t('permit.outlet.height')} / ${t('permit.outlet.receivingWater')}`, render: (_, o) => o.heightM ?? o.receivingWater ?? t('common.none') },
            { title: `${t('permit.outlet.flow')} / ${t('permit.outlet.hours')}`, render: (_, o) => (o.designFlowM3h ? `${o.designFlowM3h} m3/h × ${o.operatingHours ?? '—'} h/a` : t('common.none')) },
          ]}
        />
      </Card>
      <Card size="small" title={t('permit.quantities')}>
        <Table
          rowKey={(q) => `${q.factor}/${q.year}/${q.outletCode ?? ''}`}
          size="small"
          pagination={false}
          dataSource={c.permittedQuantities}
          locale={{ emptyText: t('common.none') }}
          columns={[
            { title: t('permit.factor'), dataIndex: 'factor' },
            { title: t('permit.year'), dataIndex: 'year' },
            { title: t('permit.outlets'), dataIndex: 'outletCode', render: (v?: string) => v ?? t('common.none') },
            { title: t('permit.amount'), render: (_, q) => `${q.amount} ${q.unit}` },
          ]}
        />
      </Card>
      <Card size="small" title={t('permit.monitoring')}>
        <Table
          rowKey={(s) => `${s.outletCode}/${s.pollutantCode}`}
          size="small"
          pagination={false}
          dataSource={c.selfMonitoring}
          locale={{ emptyText: t('common.none') }}
          columns={[
            { title: t('permit.outlets'), dataIndex: 'outletCode' },
            { title: t('permit.pollutant'), dataIndex: 'pollutantCode', render: (v: string) => pollutant(v) },
            { title: t('permit.frequency'), dataIndex: 'frequency' },
            { title: t('permit.mode'), dataIndex: 'mode', render: (m: string) => t(`permit.mode.${m}` as MessageKey) },
            { title: t('permit.method'), dataIndex: 'method', render: (v?: string) => v ?? t('common.none') },
          ]}
        />
      </Card>
      <Card size="small" title={t('permit.facilities')}>
        <Space wrap>
          {[...c.productionFacilities, ...c.controlFacilities].map((f) => (
            <Tag key={f.code}>
              {f.code} {f.name}
            </Tag>
          ))}
        </Space>
      </Card>
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label={t('permit.reports')}>{c.reports.map((r) => t(`permit.report.${r.type}` as MessageKey)).join('、') || t('common.none')}</Descriptions.Item>
        <Descriptions.Item label={t('permit.rectifications')}>
          {c.rectifications.length ? c.rectifications.map((r) => `${r.requirement}（${t('permit.deadline')} ${r.deadline}）`).join('；') : t('common.none')}
        </Descriptions.Item>
        <Descriptions.Item label={t('permit.specialConditions')}>{c.specialConditions.join('；') || t('common.none')}</Descriptions.Item>
      </Descriptions>
    </Space>
  );
}

function Versions({ id, current }: { id: string; current: number }) {
  const { t, tMaybe } = useT();
  const showError = useShowError();
  const [versions, setVersions] = useState<PermitVersionList | null>(null);
  const [from, setFrom] = useState(Math.max(1, current - 1));
  const [to, setTo] = useState(current);
  const [cmp, setCmp] = useState<PermitComparison | null>(null);
  useEffect(() => {
    api.permitVersions(id).then(setVersions).catch(showError);
  }, [id, showError]);
  const compare = () => api.comparePermitVersions(id, from, to).then(setCmp).catch(showError);
  const options = (versions?.items ?? []).map((v) => ({ value: v.versionNo, label: t('permit.versionN', { n: v.versionNo }) }));
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Table
        data-testid="permit-versions"
        rowKey="versionNo"
        size="small"
        pagination={false}
        loading={!versions}
        dataSource={versions?.items ?? []}
        columns={[
          { title: t('permit.version'), dataIndex: 'versionNo', render: (n: number) => t('permit.versionN', { n }) },
          { title: t('permit.versions.reason'), dataIndex: 'reason', render: (r: string) => tMaybe(`permit.reason.${r}`, r) },
          { title: t('permit.number'), dataIndex: 'permitNumber', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
          { title: t('permit.issuedOn'), dataIndex: 'issuedOn' },
          { title: t('permit.validity'), render: (_, v) => `${v.validFrom} ~ ${v.validTo}` },
          { title: t('permit.versions.by'), dataIndex: 'createdBy' },
        ]}
      />
      <Card size="small" title={t('permit.compare')}>
        <Space wrap style={{ marginBottom: 12 }}>
          {t('permit.compare.from')}
          <Select value={from} onChange={setFrom} options={options} style={{ width: 120 }} data-testid="compare-from" />
          {t('permit.compare.to')}
          <Select value={to} onChange={setTo} options={options} style={{ width: 120 }} data-testid="compare-to" />
          <Button type="primary" onClick={compare} data-testid="compare-run" disabled={options.length < 2}>
            {t('permit.compare.run')}
          </Button>
        </Space>
        {cmp &&
          (cmp.changes.length === 0 ? (
            <Empty description={t('permit.compare.none')} />
          ) : (
            <Table
              data-testid="compare-changes"
              rowKey="path"
              size="small"
              pagination={false}
              dataSource={cmp.changes}
              columns={[
                { title: t('permit.change.path'), dataIndex: 'path', render: (p: string) => <span title={p}>{pathText(p, tMaybe)}</span> },
                { title: t('permit.change.kind'), dataIndex: 'kind', render: (k: string) => <Tag color={k === 'added' ? 'green' : k === 'removed' ? 'red' : 'blue'}>{t(`permit.change.${k}` as MessageKey)}</Tag> },
                { title: t('permit.change.before'), render: (_, c) => <Typography.Text delete type="secondary">{show(c.before)}</Typography.Text> },
                { title: t('permit.change.after'), render: (_, c) => <span data-testid="change-after">{show(c.after)}</span> },
              ]}
            />
          ))}
      </Card>
    </Space>
  );
}

/** The review catalog over the permit's current version (GET /api/permits/:id/review). */
function PermitReview({ id, version }: { id: string; version: number }) {
  const showError = useShowError();
  const [hits, setHits] = useState<Hit[] | null>(null);
  useEffect(() => {
    api.get<{ hits: Hit[] }>(`/api/permits/${encodeURIComponent(id)}/review`).then((r) => setHits(r.hits)).catch(showError);
  }, [id, version, showError]);
  return hits ? <ReviewHits hits={hits} /> : <Spin />;
}

export default function PermitDetail({ id }: { id: string }) {
  const { t } = useT();
  const can = useCan();
  const { message } = AntApp.useApp();
  const showError = useShowError();
  const [permit, setPermit] = useState<Detail | null>(null);
  const [notFound, setNotFound] = useState(false);
  useEffect(() => {
    setPermit(null);
    api
      .getPermit(id)
      .then(setPermit)
      .catch((e) => (e instanceof ApiError && (e.status === 404 || e.status === 400) ? setNotFound(true) : showError(e)));
  }, [id, showError]);
  if (notFound) return <Result status="404" title={t('common.notFound')} />;
  if (!permit) return <Spin style={{ display: 'block', padding: 80 }} />;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="permit-detail">
      <Card
        title={t('permit.title')}
        extra={
          <Space>
            <Button type="primary" href={`/api/permits/${permit.id}/pdf`} data-testid="permit-pdf">
              {t('permit.downloadPdf')}
            </Button>
            <Button href={`/public/permits/${encodeURIComponent(permit.permitNumber)}`} target="_blank">
              {t('permit.publicPage')}
            </Button>
            {can('ledger.manage') && permit.content.rectifications.length > 0 && (
              <Button onClick={() => api.post<{ created: number }>(`/api/permits/${permit.id}/rectifications/sync`, {}).then((r) => message.success(t('ledger.synced', { n: r.created }))).catch(showError)}>
                {t('ledger.sync')}
              </Button>
            )}
            <Link to="/permits">{t('common.back')}</Link>
          </Space>
        }
      >
        <Descriptions column={3} size="small">
          <Descriptions.Item label={t('permit.number')}>
            <Typography.Text code data-testid="permit-number">
              {permit.permitNumber}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('permit.status')}>{permitStatusTag(permit.status, t)}</Descriptions.Item>
          <Descriptions.Item label={t('permit.category')}>{categoryTag(permit.managementCategory, t)}</Descriptions.Item>
          <Descriptions.Item label={t('permit.validity')}>{`${permit.validFrom} ~ ${permit.validTo}`}</Descriptions.Item>
          <Descriptions.Item label={t('permit.version')}>{t('permit.versionN', { n: permit.currentVersion })}</Descriptions.Item>
          <Descriptions.Item label={t('permit.issuedOn')}>{permit.issuedOn}</Descriptions.Item>
          <Descriptions.Item label={t('permit.unit')}>
            <Link to={`/units/${permit.unitId}`}>{t('common.open')}</Link>
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card>
        <Tabs
          items={[
            { key: 'content', label: t('permit.tab.content'), children: <Content c={permit.content} /> },
            { key: 'versions', label: <span data-testid="tab-versions">{t('permit.tab.versions')}</span>, children: <Versions id={permit.id} current={permit.currentVersion} /> },
            { key: 'review', label: <span data-testid="tab-review">{t('review.title')}</span>, children: <PermitReview id={permit.id} version={permit.currentVersion} /> },
          ]}
        />
      </Card>
    </Space>
  );
}
