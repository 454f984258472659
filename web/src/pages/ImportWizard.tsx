import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Card, Checkbox, Progress, Radio, Result, Space, Steps, Table, Tag, Typography, Upload } from 'antd';
import { api, type ImportJob, type ImportResult, type ImportRowError } from '../api';
import { useShowError, useT } from '../context';
import { navigate } from '../router';
import type { MessageKey } from '../i18n';

const COLUMNS: { key: MessageKey; required: boolean; hint?: MessageKey }[] = [
  { key: 'icol.creditCode', required: true },
  { key: 'icol.entityName', required: true },
  { key: 'icol.siteName', required: false, hint: 'icol.siteNameHint' },
  { key: 'icol.regionCode', required: true },
  { key: 'icol.industryCode', required: true },
  { key: 'icol.category', required: false, hint: 'icol.categoryHint' },
  { key: 'icol.address', required: true },
  { key: 'icol.longitude', required: false },
  { key: 'icol.latitude', required: false },
  { key: 'icol.contactPerson', required: false },
  { key: 'icol.contactPhone', required: false },
  { key: 'icol.legalRepresentative', required: false },
];
/** The file's header names are Chinese whatever the UI language. */
const ZH_HEADERS = ['统一社会信用代码', '单位名称', '生产经营场所名称', '行政区划代码', '行业类别代码', '管理类别', '生产经营场所地址', '经度', '纬度', '联系人', '联系电话', '法定代表人'];

type Mode = 'dry-run' | 'all-or-nothing' | 'good-only';

export default function ImportWizard() {
  const { t, lang } = useT();
  const showError = useShowError();
  const [step, setStep] = useState(0);
  const [file, setFile] = useState<File | null>(null);
  const [applyCleanups, setApplyCleanups] = useState(true);
  const [job, setJob] = useState<ImportJob | null>(null);
  const [dry, setDry] = useState<ImportResult | null>(null);
  const [final, setFinal] = useState<ImportJob | null>(null);
  const [mode, setMode] = useState<Mode>('good-only');
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );

  /** Start a job and poll it every 500 ms until it is done or failed. */
  const run = async (m: Mode): Promise<ImportJob | null> => {
    if (!file) return null;
    try {
      let j = await api.startImport(file, m, applyCleanups);
      setJob(j);
      while (j.status === 'running' && alive.current) {
        await new Promise((r) => setTimeout(r, 500));
        j = await api.importJob(j.id);
        if (alive.current) setJob(j);
      }
      return j;
    } catch (e) {
      showError(e);
      return null;
    } finally {
      if (alive.current) setJob(null);
    }
  };

  const startDryRun = async () => {
    const j = await run('dry-run');
    if (!j) return;
    if (j.status === 'failed' || !j.result) {
      setFinal(j);
      setStep(3);
      return;
    }
    setDry(j.result);
    setMode(j.result.badRows === 0 ? 'all-or-nothing' : 'good-only');
    setStep(1);
  };

  const doImport = async () => {
    const j = await run(mode);
    if (!j) return;
    setFinal(j);
    setStep(3);
  };

  const restart = () => {
    setStep(0);
    setFile(null);
    setDry(null);
    setFinal(null);
  };

  const progress = job && (
    <div data-testid="import-progress" style={{ margin: '16px 0' }}>
      <Typography.Text type="secondary">
        {t('import.running')} {t('import.phase', { phase: job.phase })}
      </Typography.Text>
      <Progress percent={job.total > 0 ? Math.round((job.processed / job.total) * 100) : 0} status="active" />
    </div>
  );

  const reason = (e: ImportRowError) => (lang === 'en' ? e.reasonEn || e.reason : e.reason);

  return (
    <Card title={t('import.title')} data-testid="import-page">
      <Steps
        current={step}
        style={{ marginBottom: 24 }}
        items={[{ title: t('import.step.upload') }, { title: t('import.step.check') }, { title: t('import.step.choose') }, { title: t('import.step.result') }]}
      />

      {step === 0 && (
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          <Alert
            type="info"
            title={t('import.columns')}
            description={
              <div>
                <Typography.Paragraph style={{ marginBottom: 8 }}>{t('import.columnsHelp')}</Typography.Paragraph>
                <Space wrap size={[4, 8]}>
                  {COLUMNS.map((c, i) => (
                    <Tag key={c.key} color={c.required ? 'red' : 'default'}>
                      {c.required ? '* ' : ''}
                      {ZH_HEADERS[i]}
                      {lang === 'en' ? ` (${t(c.key)})` : ''}
                      {c.hint ? ` — ${t(c.hint)}` : ''}
                    </Tag>
                  ))}
                </Space>
              </div>
            }
          />
          <Upload
            accept=".xlsx,.csv"
            maxCount={1}
            beforeUpload={(f) => {
              setFile(f);
              return false;
            }}
            onRemove={() => setFile(null)}
            fileList={file ? [{ uid: '1', name: file.name, status: 'done' }] : []}
          >
            <Button data-testid="import-choose">{t('import.chooseFile')}</Button>
          </Upload>
          <Checkbox checked={applyCleanups} onChange={(e) => setApplyCleanups(e.target.checked)} data-testid="import-apply-cleanups">
            {t('import.applyCleanups')}
          </Checkbox>
          {progress}
          <Button type="primary" disabled={!file || !!job} loading={!!job} onClick={startDryRun} data-testid="import-dry-run">
            {t('import.startCheck')}
          </Button>
        </Space>
      )}

      {step === 1 && dry && (
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          <Alert
            type={dry.badRows ? 'warning' : 'success'}
            showIcon
            data-testid="import-summary"
            title={t('import.summary', { total: dry.totalRows, good: dry.goodRows, bad: dry.badRows })}
            description={
              <>
                {dry.encoding && <div>{t('import.encoding', { enc: dry.encoding })}</div>}
                {dry.warnings.map((w, i) => (
                  <div key={i}>{w}</div>
                ))}
              </>
            }
          />
          <Typography.Title level={5}>{t('import.badRows')}</Typography.Title>
          {dry.errors.length === 0 ? (
            <Typography.Text type="success">{t('import.noBadRows')}</Typography.Text>
          ) : (
            <Table<ImportRowError>
              data-testid="import-errors"
              size="small"
              rowKey={(e) => `${e.row}-${e.column}-${e.value}`}
              dataSource={dry.errors}
              pagination={{ pageSize: 10, showSizeChanger: false }}
              columns={[
                { title: t('import.col.row'), dataIndex: 'row', width: 80 },
                { title: t('import.col.column'), dataIndex: 'column', width: 160 },
                { title: t('import.col.value'), dataIndex: 'value', width: 220, render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
                { title: t('import.col.reason'), key: 'reason', render: (_: unknown, e) => reason(e) },
              ]}
            />
          )}
          <Typography.Title level={5}>{t('import.cleanups')}</Typography.Title>
          {dry.cleanups.length === 0 ? (
            <Typography.Text type="secondary">{t('import.noCleanups')}</Typography.Text>
          ) : (
            <Table
              data-testid="import-cleanups"
              size="small"
              rowKey={(c) => `${c.row}-${c.column}`}
              dataSource={dry.cleanups}
              pagination={{ pageSize: 10, showSizeChanger: false }}
              columns={[
                { title: t('import.col.row'), dataIndex: 'row', width: 80 },
                { title: t('import.col.column'), dataIndex: 'column', width: 160 },
                { title: t('import.col.from'), dataIndex: 'from', render: (v: string) => <Typography.Text code>{JSON.stringify(v)}</Typography.Text> },
                { title: t('import.col.to'), dataIndex: 'to', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
              ]}
            />
          )}
          <Checkbox
            checked={applyCleanups}
            onChange={(e) => {
              setApplyCleanups(e.target.checked);
            }}
            data-testid="import-apply-cleanups-2"
          >
            {t('import.applyCleanups')}
          </Checkbox>
          {progress}
          <Space>
            <Button onClick={restart}>{t('common.back')}</Button>
            <Button onClick={startDryRun} disabled={!!job} data-testid="import-recheck">
              {t('import.recheck')}
            </Button>
            <Button type="primary" onClick={() => setStep(2)} disabled={!!job || dry.goodRows === 0} data-testid="import-next">
              {t('import.next')}
            </Button>
          </Space>
        </Space>
      )}

      {step === 2 && dry && (
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          <Radio.Group value={mode} onChange={(e) => setMode(e.target.value)} data-testid="import-mode">
            <Space orientation="vertical">
              <Radio value="all-or-nothing" disabled={dry.badRows > 0} data-testid="import-mode-all">
                {t('import.allOrNothing')}
              </Radio>
              {dry.badRows > 0 && (
                <Typography.Text type="secondary" style={{ marginInlineStart: 24 }} data-testid="import-all-disabled">
                  {t('import.allOrNothingDisabled', { bad: dry.badRows })}
                </Typography.Text>
              )}
              <Radio value="good-only" data-testid="import-mode-good">
                {t('import.goodOnly', { good: dry.goodRows })}
              </Radio>
            </Space>
          </Radio.Group>
          {applyCleanups && dry.cleanups.length > 0 && <Typography.Text>{t('import.cleanupsApplied', { n: dry.cleanups.length })}</Typography.Text>}
          {progress}
          <Space>
            <Button onClick={() => setStep(1)} disabled={!!job}>
              {t('common.back')}
            </Button>
            <Button type="primary" onClick={doImport} loading={!!job} data-testid="import-run">
              {t('import.doImport')}
            </Button>
          </Space>
        </Space>
      )}

      {step === 3 && final && (
        <Result
          data-testid="import-result"
          status={final.status === 'done' ? 'success' : 'error'}
          title={final.status === 'done' ? t('import.done') : t('import.failed')}
          subTitle={
            final.status === 'done' && final.result
              ? t('import.imported', { n: final.result.imported, e: final.result.entitiesCreated })
              : final.error?.message
          }
          extra={
            <Space>
              <Button onClick={restart}>{t('import.restart')}</Button>
              <Button type="primary" onClick={() => navigate('/units')}>
                {t('import.toList')}
              </Button>
            </Space>
          }
        >
          {final.result && (
            <Typography.Paragraph style={{ textAlign: 'center' }} type="secondary">
              {t('import.summary', { total: final.result.totalRows, good: final.result.goodRows, bad: final.result.badRows })}
            </Typography.Paragraph>
          )}
        </Result>
      )}
    </Card>
  );
}

