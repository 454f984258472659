import { describe, expect, it } from 'vitest';
import { pickLang } from './i18n.ts';
import { loadConfig, ConfigError } from './config.ts';

describe('pickLang', () => {
  it.each([
    [undefined, 'zh'],
    ['', 'zh'],
    ['en', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh'],
    ['en;q=0.5,zh;q=0.9', 'zh'],
    ['fr-FR', 'zh'],
    ['de, en;q=0.1', 'en'],
    ['en;q=0', 'zh'],
  ])('%s → %s', (header, lang) => {
    expect(pickLang(header as string | undefined)).toBe(lang);
  });
});

describe('config', () => {
  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' });
    } catch (e) {
      expect(String(e)).toContain('PORT');
      expect(String(e)).toContain('LOG_LEVEL');
    }
  });
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(8080);
    expect(c.HOST).toBe('127.0.0.1');
    expect(c.ECOPERMIT_DEMO).toBe(true);
  });
});
