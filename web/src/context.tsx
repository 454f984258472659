import { createContext, useCallback, useContext } from 'react';
import { App as AntApp } from 'antd';
import { ApiError, type CurrentUser } from './api';
import { translate, translateMaybe, type Lang, type MessageKey } from './i18n';

export interface AppState {
  lang: Lang;
  setLang: (l: Lang) => void;
  user: CurrentUser | null;
  setUser: (u: CurrentUser | null) => void;
  logout: () => void;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const s = useContext(AppContext);
  if (!s) throw new Error('AppContext missing');
  return s;
}

/** Translator bound to the current language. */
export function useT() {
  const { lang } = useApp();
  const t = useCallback((key: MessageKey, vars?: Record<string, string | number>) => translate(lang, key, vars), [lang]);
  const tMaybe = useCallback((key: string, fallback: string) => translateMaybe(lang, key) ?? fallback, [lang]);
  return { t, tMaybe, lang };
}

export function useCan() {
  const { user } = useApp();
  return useCallback((perm: string) => !!user?.permissions.includes(perm), [user]);
}

/** Shows an error's `detail` (problem+json) in an antd message. 401 is handled globally. */
export function useShowError() {
  const { message } = AntApp.useApp();
  const { t } = useT();
  return useCallback(
    (err: unknown) => {
      if (err instanceof ApiError) {
        if (err.status === 401) return;
        const rid = err.problem.requestId ? ` (${t('common.requestId')}: ${err.problem.requestId})` : '';
        message.error(`${err.message}${rid}`, 6);
      } else {
        message.error(t('error.unexpected'));
        console.error(err);
      }
    },
    [message, t],
  );
}
