import { Button } from 'antd';
import { useApp, useT } from '../context';

export function LangSwitch() {
  const { lang, setLang } = useApp();
  const { t } = useT();
  return (
    <Button size="small" data-testid="lang-switch" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
      {t('lang.switch')}
    </Button>
  );
}
