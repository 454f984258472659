import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { api, setApiLang, setCsrfToken, setUnauthorizedHandler, type CurrentUser } from './api';
import { AppContext, type AppState } from './context';
import { initialLang, storeLang, translate, type Lang } from './i18n';
import { Login } from './pages/Login';
import { matchPath, useLocation } from './router';

const Shell = lazy(() => import('./Shell'));
const PublicPermit = lazy(() => import('./pages/PublicPermit'));

export function Root() {
  const [lang, setLangState] = useState<Lang>(() => {
    const l = initialLang();
    setApiLang(l);
    return l;
  });
  // undefined: still asking the server who we are
  const [user, setUserState] = useState<CurrentUser | null | undefined>(undefined);

  const setLang = useCallback((l: Lang) => {
    setApiLang(l);
    storeLang(l);
    setLangState(l);
  }, []);
  const setUser = useCallback((u: CurrentUser | null) => {
    if (u?.csrfToken) setCsrfToken(u.csrfToken);
    if (!u) setCsrfToken(undefined);
    setUserState(u);
  }, []);
  const logout = useCallback(() => {
    api.logout().catch(() => undefined).finally(() => setUser(null));
  }, [setUser]);

  useEffect(() => {
    document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
    document.title = `${translate(lang, 'app.title')} ecopermit`;
  }, [lang]);

  useEffect(() => {
    setUnauthorizedHandler(() => setUser(null));
    api.me().then(setUser, () => setUser(null));
  }, [setUser]);

  const state: AppState | null = useMemo(
    () => (user === undefined ? null : { lang, setLang, user, setUser, logout }),
    [lang, setLang, user, setUser, logout],
  );

  // Public pages are served to anyone, signed in or not.
  const { path } = useLocation();
  const publicNumber = matchPath('/public/permits/:number', path)?.number;

  const spinner = (
    <div style={{ display: 'flex', justifyContent: 'center', paddingTop: 120 }}>
      <Spin size="large" />
    </div>
  );

  return (
    <ConfigProvider locale={lang === 'en' ? enUS : zhCN} theme={{ token: { colorPrimary: '#1f7a4d' } }} button={{ autoInsertSpace: false }}>
      <AntApp>
        {state === null ? (
          spinner
        ) : (
          <AppContext.Provider value={state}>
            {publicNumber ? (
              <Suspense fallback={spinner}>
                <PublicPermit number={publicNumber} />
              </Suspense>
            ) : state.user ? (
              <Suspense fallback={spinner}>
                <Shell />
              </Suspense>
            ) : (
              <Login />
            )}
          </AppContext.Provider>
        )}
      </AntApp>
    </ConfigProvider>
  );
}
