import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { Button, Layout, Menu, Result, Space, Spin, Tag, Typography } from 'antd';
import { api } from './api';
import { useApp, useCan, useT } from './context';
import { Link, matchPath, navigate, useLocation } from './router';
import { LangSwitch } from './components/LangSwitch';
import type { MessageKey } from './i18n';

const UnitsList = lazy(() => import('./pages/UnitsList'));
const UnitDetail = lazy(() => import('./pages/UnitDetail'));
const UnitForm = lazy(() => import('./pages/UnitForm'));
const ImportWizard = lazy(() => import('./pages/ImportWizard'));
const Home = lazy(() => import('./pages/Home'));
const PermitsList = lazy(() => import('./pages/PermitsList'));
const PermitDetail = lazy(() => import('./pages/PermitDetail'));
const CasesList = lazy(() => import('./pages/CasesList'));
const CaseNew = lazy(() => import('./pages/CaseNew'));
const CaseDetail = lazy(() => import('./pages/CaseDetail'));
const OnSiteRatio = lazy(() => import('./pages/OnSiteRatio'));
const Experts = lazy(() => import('./pages/Experts'));
const ReviewSweeps = lazy(() => import('./pages/ReviewSweeps'));
const Ledger = lazy(() => import('./pages/Ledger'));
const ReviewPlans = lazy(() => import('./pages/ReviewPlans'));
const ReviewPlanDetail = lazy(() => import('./pages/ReviewPlanDetail'));
const ReviewTasks = lazy(() => import('./pages/ReviewTasks'));
const ReviewTaskForm = lazy(() => import('./pages/ReviewTaskForm'));
const ReviewRules = lazy(() => import('./pages/ReviewRules'));

interface NavItem {
  key: string;
  path: string;
  label: MessageKey;
  perm?: string;
}
const NAV: NavItem[] = [
  { key: 'units', path: '/units', label: 'nav.units', perm: 'registry.read' },
  { key: 'permits', path: '/permits', label: 'nav.permits', perm: 'permits.read' },
  { key: 'cases', path: '/cases', label: 'nav.cases', perm: 'cases.read' },
  { key: 'ratio', path: '/cases/on-site-ratio', label: 'nav.onSiteRatio', perm: 'cases.decide' },
  { key: 'experts', path: '/experts', label: 'nav.experts', perm: 'experts.manage' },
  { key: 'review', path: '/review', label: 'nav.review', perm: 'review.run' },
  { key: 'plans', path: '/review/plans', label: 'nav.reviewPlans', perm: 'review.run' },
  { key: 'tasks', path: '/review/tasks', label: 'nav.reviewTasks', perm: 'review.task' },
  { key: 'rules', path: '/review/rules', label: 'nav.rules' },
  { key: 'ledger', path: '/rectifications', label: 'nav.ledger', perm: 'ledger.read' },
  { key: 'import', path: '/import', label: 'nav.import', perm: 'registry.import' },
];

/** Name of the user's jurisdiction, e.g. 杭州市 for '3301'. */
export function useJurisdictionName(prefix: string): string | null {
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    if (!prefix) return;
    let live = true;
    api
      .get<{ name: string; path?: { code: string; name: string }[] }>(`/api/reference/regions/${prefix.padEnd(6, '0')}`)
      .then((r) => live && setName(r.path && r.path.length > 1 ? r.path.map((p) => p.name).join(' / ') : r.name))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [prefix]);
  return name;
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function NotFound() {
  const { t } = useT();
  return (
    <Result
      status="404"
      title={t('common.notFound')}
      extra={
        <Button type="primary" onClick={() => navigate('/')}>
          {t('common.goHome')}
        </Button>
      }
    />
  );
}

export default function Shell() {
  const { user, logout } = useApp();
  const { t } = useT();
  const can = useCan();
  const { path } = useLocation();
  const jurisdiction = useJurisdictionName(user!.regionPrefix);

  const nav = NAV.filter((n) => !n.perm || can(n.perm));
  const home: NavItem | null = can('registry.read') ? null : { key: 'home', path: '/', label: 'nav.home' };
  const items = home ? [home, ...nav] : nav;
  // the most specific entry wins (/cases/on-site-ratio over /cases)
  const selected = items.filter((n) => (n.path === '/' ? path === '/' : path.startsWith(n.path))).sort((a, b) => b.path.length - a.path.length)[0]?.key;

  let page: ReactNode;
  let m: Record<string, string> | null;
  if (path === '/' || path === '/login') {
    page = can('registry.read') ? <Redirect to="/units" /> : <Home />;
  } else if (path === '/units' && can('registry.read')) page = <UnitsList />;
  else if (path === '/units/new' && can('registry.write')) page = <UnitForm />;
  else if ((m = matchPath('/units/:id/edit', path)) && can('registry.write')) page = <UnitForm id={m.id} />;
  else if ((m = matchPath('/units/:id', path)) && can('registry.read')) page = <UnitDetail id={m.id} />;
  else if (path === '/import' && can('registry.import')) page = <ImportWizard />;
  else if (path === '/permits' && can('permits.read')) page = <PermitsList />;
  else if ((m = matchPath('/permits/:id', path)) && can('permits.read')) page = <PermitDetail id={m.id} />;
  else if (path === '/cases' && can('cases.read')) page = <CasesList />;
  else if (path === '/cases/new' && can('cases.apply')) page = <CaseNew />;
  else if (path === '/cases/on-site-ratio' && can('cases.decide')) page = <OnSiteRatio />;
  else if ((m = matchPath('/cases/:id', path)) && can('cases.read')) page = <CaseDetail id={m.id} />;
  else if (path === '/experts' && can('experts.manage')) page = <Experts />;
  else if (path === '/review' && can('review.run')) page = <ReviewSweeps />;
  else if (path === '/review/plans' && can('review.run')) page = <ReviewPlans />;
  else if ((m = matchPath('/review/plans/:id', path)) && can('review.run')) page = <ReviewPlanDetail id={m.id} />;
  else if (path === '/review/tasks' && can('review.task')) page = <ReviewTasks />;
  else if ((m = matchPath('/review/tasks/:id', path)) && can('review.task')) page = <ReviewTaskForm id={m.id} />;
  else if (path === '/review/rules') page = <ReviewRules />;
  else if (path === '/rectifications' && can('ledger.read')) page = <Ledger />;
  else page = <NotFound />;

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 16, background: '#0f3d2a', paddingInline: 20 }}>
        <Link to="/" style={{ color: '#fff', fontSize: 18, fontWeight: 600, whiteSpace: 'nowrap' }} data-testid="app-title">
          {t('app.title')} <span style={{ opacity: 0.7, fontWeight: 400 }}>ecopermit</span>
        </Link>
        <div style={{ flex: 1 }} />
        <Space size="middle" style={{ color: '#fff' }} wrap={false}>
          <span data-testid="user-name">{user!.displayName}</span>
          <Tag color="green" data-testid="user-role">
            {t(`role.${user!.role}` as MessageKey)}
          </Tag>
          <span style={{ opacity: 0.85 }} data-testid="user-jurisdiction">
            {t('header.jurisdiction')}: {user!.regionPrefix ? `${jurisdiction ?? ''} (${user!.regionPrefix})` : t('header.national')}
          </span>
          <LangSwitch />
          <Button size="small" onClick={logout} data-testid="logout">
            {t('header.logout')}
          </Button>
        </Space>
      </Layout.Header>
      <Layout>
        <Layout.Sider width={200} theme="light" breakpoint="lg" collapsedWidth={0}>
          <Menu
            mode="inline"
            selectedKeys={selected ? [selected] : []}
            style={{ height: '100%', borderInlineEnd: 0, paddingTop: 8 }}
            items={items.map((n) => ({
              key: n.key,
              label: (
                <Link to={n.path} data-testid={`nav-${n.key}`}>
                  {t(n.label)}
                </Link>
              ),
            }))}
          />
        </Layout.Sider>
        <Layout.Content style={{ padding: 20, background: '#f5f7fa' }}>
          <Suspense
            fallback={
              <div style={{ textAlign: 'center', padding: 80 }}>
                <Spin />
              </div>
            }
          >
            {page}
          </Suspense>
          <Typography.Paragraph type="secondary" style={{ textAlign: 'center', marginTop: 24, fontSize: 12 }}>
            ecopermit
          </Typography.Paragraph>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
