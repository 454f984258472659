/**
 * End-to-end tests of the web console against the real server.
 *
 *   npm run test:e2e        (node --import tsx e2e/run.ts)
 *
 * Starts the server on a free port with a fresh temporary data dir (300 demo units), drives
 * Debian chromium through playwright-core, prints `ok - name` / `not ok - name: error` per test
 * and `N passed, M failed` at the end; exits 1 on any failure. Screenshots: e2e/screenshots/.
 * Builds web/dist first when it is missing or older than a file under web/ or src/contracts/
 * (set E2E_BUILD=1 to force a rebuild).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../src/platform/config.ts';
import { serve } from '../src/main.ts';
import { makeCreditCode } from '../src/modules/registry/credit-code.ts';
import { cliActor } from '../src/platform/actor.ts';
import { samplePermitContent } from '../src/modules/permits/index.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHOTS = join(ROOT, 'e2e', 'screenshots');
const PASSWORD = 'ecopermit2026';

// Fixed test data (a fresh database every run, so no randomness is needed).
const GOOD_CODE = makeCreditCode('91330106' + 'MA2E2E001');
const BAD_CODE = GOOD_CODE.slice(0, 17) + (GOOD_CODE[17] === '0' ? '1' : '0'); // wrong check character
const NEW_ENTITY = '杭州端到端测试印染有限公司';
const NEW_SITE = '杭州端到端测试印染有限公司西湖厂区';

function log(line: string) {
  process.stdout.write(line + '\n');
}

async function main() {
  if (process.env.E2E_BUILD === '1' || consoleBuildIsStale()) {
    log('# building web/dist (npm run build:web)');
    execFileSync('npm', ['run', 'build:web'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  mkdirSync(SHOTS, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'ecopermit-e2e-'));
  const config = loadConfig({ ...process.env, ECOPERMIT_DATA_DIR: dataDir, PORT: '0', ECOPERMIT_DEMO_UNITS: '300', LOG_LEVEL: 'warn', ECOPERMIT_WORKERS: '1' });
  const t0 = Date.now();
  const server = (await serve(config))!;
  const base = server.address.replace('0.0.0.0', '127.0.0.1');
  log(`# server ${base} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const browser: Browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

  let passed = 0;
  let failed = 0;
  const shot = async (page: Page, name: string) => {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true }).catch(() => undefined);
  };

  /** Each test gets a fresh browser context (own cookies and localStorage). */
  async function test(name: string, slug: string, fn: (page: Page) => Promise<void>) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const consoleErrors: string[] = [];
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    const started = Date.now();
    try {
      await fn(page);
      if (consoleErrors.length) throw new Error(`uncaught page error: ${consoleErrors[0]}`);
      passed++;
      log(`ok - ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (err) {
      failed++;
      log(`not ok - ${name}: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
    } finally {
      await shot(page, slug);
      await context.close();
    }
  }

  async function login(page: Page, username: string) {
    await page.goto(base + '/');
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('user-name').waitFor();
  }

  async function waitForTable(page: Page) {
    await page.getByTestId('units-page').waitFor();
    await page.locator('[data-testid=units-table] .ant-spin-spinning').waitFor({ state: 'detached' }).catch(() => undefined);
    await page.locator('[data-testid=units-table] tbody tr.ant-table-row').first().waitFor();
  }

  function assert(cond: unknown, message: string): asserts cond {
    if (!cond) throw new Error(message);
  }

  let createdUnitUrl = '';

  // A permit of a Hangzhou unit with two versions (SO2 limit tightened from 300 to 200 mg/m3).
  const admin = cliActor('e2e');
  // a key-management Hangzhou unit the demo has not given a permit yet
  const keyUnits = (await server.app.services.registry.listUnits(admin, { region: '3301', category: 'key', pageSize: 50 })).items;
  let hzUnit = keyUnits[0];
  for (const u of keyUnits) {
    if ((await server.app.services.permits.listPermits(admin, { unitId: u.id })).total === 0) {
      hzUnit = u;
      break;
    }
  }
  const issued = await server.app.services.permits.issuePermit(admin, { unitId: hzUnit.id, content: { ...samplePermitContent(), managementCategory: 'key' }, issuedOn: '2026-02-27' });
  const tightened = samplePermitContent();
  tightened.outlets[0].pollutants[1].limit = { direction: 'max', value: 200, unit: 'mg/m3' };
  await server.app.services.permits.changePermit(admin, issued.permit.id, { expectedVersion: 1, reason: 'change', content: tightened });

  // enterprise1's entity gets a new boiler-house site without a permit (it applies below)
  const enterprise = await server.app.services.identity.getUserByUsername('enterprise1');
  const newSite = await server.app.services.registry.createUnit(admin, {
    entityId: enterprise!.entityId!,
    name: '端到端申请热力二厂',
    regionCode: '330106',
    industryCode: '4430',
    managementCategory: 'key',
    address: '浙江省杭州市西湖区端到端路8号',
    longitude: 120.12,
    latitude: 30.26,
  });
  const PDF_BYTES = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
  const PNG_BYTES = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');


  try {
    await test('log in as hz-permit and see the units list', 'units-list', async (page) => {
      await page.goto(base + '/');
      await page.getByTestId('login-card').waitFor();
      await shot(page, 'login-page');
      await login(page, 'hz-permit');
      await page.waitForURL(/\/units$/);
      await waitForTable(page);
      const rows = await page.locator('[data-testid=units-table] tbody tr.ant-table-row').count();
      assert(rows > 0, 'no rows in the units table');
      const role = await page.getByTestId('user-role').innerText();
      assert(role.includes('市级审批部门'), `role label: ${role}`);
      const total = await page.getByTestId('units-total').innerText();
      assert(/共 \d+ 条/.test(total), `total: ${total}`);
    });

    await test('find a unit by a partial Chinese name', 'search-partial-name', async (page) => {
      await login(page, 'hz-permit');
      await waitForTable(page);
      const first = (await page.getByTestId('unit-name').first().innerText()).trim();
      // two characters from the middle of the name, e.g. 杭州宏达印染有限公司 → 宏达
      const han = [...first].filter((c) => /\p{Script=Han}/u.test(c));
      assert(han.length >= 4, `name too short: ${first}`);
      const needle = han.slice(2, 4).join('');
      await page.getByTestId('filter-q').fill(needle);
      await page.getByTestId('filter-submit').click();
      await page.waitForURL((u) => new URL(u).searchParams.get('q') === needle);
      await page.waitForFunction(
        (n) => {
          // the table shows the new result when the first row mentions the needle
          const rows = [...(globalThis as any).document.querySelectorAll('[data-testid=units-table] [data-testid=unit-name]')] as any[];
          return rows.length > 0 && rows.every((r) => String(r.innerText).includes(n));
        },
        needle,
        { timeout: 10_000 },
      );
      const names = await page.locator('[data-testid=units-table] [data-testid=unit-name]').allInnerTexts();
      assert(names.some((r) => r.includes(first)), `"${first}" not among the results for "${needle}"`);
      assert(names.every((r) => r.includes(needle)), `a row without "${needle}"`);
      // the filter survives a reload (it lives in the URL)
      await page.reload();
      await waitForTable(page);
      assert((await page.getByTestId('filter-q').inputValue()) === needle, 'filter lost on reload');
    });

    await test('create a unit: a bad credit code is refused, a good one is saved', 'create-unit', async (page) => {
      await login(page, 'hz-permit');
      await waitForTable(page);
      await page.getByTestId('unit-new').click();
      await page.getByTestId('unit-form').waitFor();
      await page.getByTestId('form-credit-code').fill(BAD_CODE);
      await page.getByTestId('form-entity-name').fill(NEW_ENTITY);
      // registered region: a county of Hangzhou (the user's jurisdiction)
      await page.locator('[data-testid=fi-entity-regionCode] .ant-select, [data-testid=fi-entity-regionCode] .ant-cascader').first().click();
      await page.locator('.ant-cascader-menu-item', { hasText: '西湖区' }).first().click();
      await page.getByTestId('form-name').fill(NEW_SITE);
      await page.locator('[data-testid=fi-industryCode] .ant-select').first().click();
      await page.keyboard.type('1713');
      await page.locator('.ant-select-item-option', { hasText: '1713' }).first().click();
      await page.getByTestId('form-address').fill('杭州市西湖区文三路 100 号');
      await page.getByTestId('form-submit').click();
      const err = page.locator('[data-testid=fi-entity-creditCode] .ant-form-item-explain-error');
      await err.waitFor();
      const text = await err.innerText();
      assert(/校验码|check/.test(text), `unexpected credit code message: ${text}`);
      await shot(page, 'create-form-error');
      assert(new URL(page.url()).pathname === '/units/new', 'left the form with a bad code');
      const res = await page.request.get(`${base}/api/registry/units?q=${encodeURIComponent('端到端测试')}`);
      assert(res.ok(), `list: ${res.status()}`);
      assert(((await res.json()) as { total: number }).total === 0, 'a unit was created with a bad code');

      await page.getByTestId('form-credit-code').fill(GOOD_CODE);
      await page.getByTestId('form-submit').click();
      await page.waitForURL(/\/units\/[0-9a-f-]{36}$/);
      await page.getByTestId('unit-detail').waitFor();
      assert((await page.getByTestId('detail-credit-code').innerText()).includes(GOOD_CODE), 'credit code not on the detail page');
      assert((await page.getByTestId('unit-title').innerText()).includes(NEW_SITE), 'site name not on the detail page');
      createdUnitUrl = page.url();
    });

    await test('the new unit history shows the create event with the actor', 'unit-history', async (page) => {
      assert(createdUnitUrl, 'no unit was created by the previous test');
      await login(page, 'hz-permit');
      const displayName = (await page.getByTestId('user-name').innerText()).trim();
      await page.goto(createdUnitUrl);
      await page.getByTestId('unit-history').waitFor();
      const entry = page.locator('[data-testid=history-entry][data-action="unit.create"]');
      await entry.first().waitFor();
      const text = await entry.first().innerText();
      assert(text.includes('新增排污单位'), `no create label in: ${text}`);
      // the audit trail names the actor by username (the header shows the display name)
      assert(text.includes('hz-permit') || text.includes(displayName), `actor "hz-permit" / "${displayName}" not in: ${text}`);
    });

    await test('the language switch changes the UI to English', 'english', async (page) => {
      await login(page, 'hz-permit');
      await waitForTable(page);
      assert((await page.getByTestId('nav-units').innerText()).includes('排污单位'), 'not Chinese at first');
      await page.getByTestId('lang-switch').click();
      await page.getByTestId('nav-units').filter({ hasText: 'Discharging units' }).waitFor();
      await page.getByRole('button', { name: 'Search' }).waitFor();
      const role = await page.getByTestId('user-role').innerText();
      assert(role.includes('Municipal permit department'), `role label: ${role}`);
      // server errors come back in English too
      await page.getByTestId('unit-new').click();
      await page.getByTestId('form-credit-code').fill(BAD_CODE);
      await page.getByTestId('form-submit').click();
      const err = await page.locator('[data-testid=fi-entity-creditCode] .ant-form-item-explain-error').innerText();
      assert(/check character/i.test(err), `credit code message not English: ${err}`);
      // the choice is remembered
      await page.reload();
      await page.getByTestId('nav-units').filter({ hasText: 'Discharging units' }).waitFor();
    });

    await test('a duplicate credit code offers adding a site to the existing entity', 'entity-exists', async (page) => {
      assert(createdUnitUrl, 'no unit was created by the earlier test');
      await login(page, 'hz-permit');
      await page.goto(base + '/units/new');
      await page.getByTestId('form-credit-code').fill(GOOD_CODE);
      await page.getByTestId('form-entity-name').fill(NEW_ENTITY);
      await page.locator('[data-testid=fi-entity-regionCode] .ant-select, [data-testid=fi-entity-regionCode] .ant-cascader').first().click();
      await page.locator('.ant-cascader-menu-item', { hasText: '西湖区' }).first().click();
      await page.getByTestId('form-name').fill(NEW_ENTITY + '第二厂区');
      await page.locator('[data-testid=fi-industryCode] .ant-select').first().click();
      await page.keyboard.type('1713');
      await page.locator('.ant-select-item-option', { hasText: '1713' }).first().click();
      await page.getByTestId('form-address').fill('杭州市西湖区文三路 200 号');
      await page.getByTestId('form-submit').click();
      await page.getByTestId('entity-exists').waitFor();
      await shot(page, 'entity-exists-offer');
      await page.getByTestId('add-site-instead').click();
      await page.getByTestId('form-existing-entity').waitFor();
      await page.getByTestId('form-submit').click();
      await page.waitForURL(/\/units\/[0-9a-f-]{36}$/);
      await page.getByTestId('unit-detail').waitFor();
      assert((await page.getByTestId('detail-credit-code').innerText()).includes(GOOD_CODE), 'not the same entity');
      assert((await page.getByTestId('unit-title').innerText()).includes('第二厂区'), 'second site not shown');
    });

    await test('edit, close and reopen a unit; the history shows the diff', 'edit-close-reopen', async (page) => {
      assert(createdUnitUrl, 'no unit was created by the earlier test');
      await login(page, 'hz-permit');
      await page.goto(createdUnitUrl);
      await page.getByTestId('unit-edit').click();
      await page.getByTestId('unit-form').waitFor();
      await page.getByTestId('form-contact-person').fill('端到端联系人');
      await page.getByTestId('form-submit').click();
      await page.waitForURL(createdUnitUrl);
      await page.locator('[data-testid=history-entry][data-action="unit.update"]').first().waitFor();
      const diff = await page.locator('[data-testid=history-entry][data-action="unit.update"]').first().innerText();
      assert(diff.includes('联系人') && diff.includes('端到端联系人'), `update diff: ${diff}`);
      await page.getByTestId('unit-close').click();
      await page.getByTestId('close-reason').fill('企业已停产搬迁');
      await page.getByTestId('close-confirm').click();
      await page.getByTestId('unit-reopen').waitFor();
      await page.locator('[data-testid=history-entry][data-action="unit.close"]').first().waitFor();
      await page.getByTestId('unit-reopen').click();
      await page.locator('.ant-popconfirm .ant-btn-primary').click();
      await page.getByTestId('unit-close').waitFor();
      await page.locator('[data-testid=history-entry][data-action="unit.reopen"]').first().waitFor();
    });

    await test('edit the legal entity; the history shows the change', 'entity-edit', async (page) => {
      assert(createdUnitUrl, 'no unit was created by the earlier test');
      await login(page, 'hz-permit');
      await page.goto(createdUnitUrl);
      await page.getByTestId('entity-edit').click();
      await page.getByTestId('entity-name').fill('杭州端到端测试印染股份有限公司');
      await page.getByTestId('entity-save').click();
      await page.locator('[data-testid=detail-entity-name]', { hasText: '杭州端到端测试印染股份有限公司' }).waitFor();
      await page.locator('[data-testid=history-entry][data-action="entity.update"]').first().waitFor();
    });

    await test('expert1 (no registry access) sees a profile home page', 'expert-home', async (page) => {
      await login(page, 'expert1');
      await page.getByTestId('home-page').waitFor();
      assert((await page.getByTestId('nav-units').count()) === 0, 'expert sees the units page');
      const text = await page.getByTestId('home-page').innerText();
      assert(text.includes('专家'), `role not shown: ${text}`);
    });

    await test('enterprise1 sees only its own units', 'enterprise', async (page) => {
      await login(page, 'enterprise1');
      await waitForTable(page);
      const codes = (await page.getByTestId('unit-credit-code').allInnerTexts()).map((s) => s.trim());
      assert(codes.length > 0, 'no units');
      assert(new Set(codes).size === 1, `several credit codes: ${[...new Set(codes)].join(', ')}`);
      assert((await page.getByTestId('unit-new').count()) === 0, 'enterprise can create units');
      assert((await page.getByTestId('nav-import').count()) === 0, 'enterprise sees the import page');
    });

    await test('a permit: its outlets and limits, its versions, and the diff of two versions', 'permit-compare', async (page) => {
      await login(page, 'hz-permit');
      await page.getByTestId('nav-permits').click();
      await page.getByTestId('permits-page').waitFor();
      await page.getByTestId('permit-number-filter').fill(issued.permit.permitNumber);
      await page.getByRole('button', { name: '查询' }).click();
      await page.getByTestId('permit-link').first().waitFor();
      assert((await page.getByTestId('permit-link').count()) === 1, 'the filter should leave one permit');
      await page.getByTestId('permit-link').first().click();
      await page.getByTestId('permit-detail').waitFor();
      assert((await page.getByTestId('permit-number').innerText()).trim() === issued.permit.permitNumber, 'wrong permit shown');
      const limits = await page.getByTestId('pollutant-limit').allInnerTexts();
      assert(limits.includes('≤ 200 mg/m3') && limits.includes('6–9 pH'), `limits: ${limits.join(' | ')}`);
      await page.getByText('二氧化硫（a21026）').first().waitFor();
      await shot(page, 'permit-content');
      await page.getByTestId('tab-versions').click();
      await page.locator('[data-testid=permit-versions] tbody tr.ant-table-row').nth(1).waitFor();
      await page.getByTestId('compare-run').click();
      await page.getByTestId('compare-changes').waitFor();
      const row = await page.locator('[data-testid=compare-changes] tbody tr.ant-table-row').first().innerText();
      assert(/排放口 DA001.*污染物 a21026.*数值/.test(row) && row.includes('300') && row.includes('200'), `diff row: ${row}`);
    });

    let caseUrl = '';
    let issuedNumber = '';
    const action = async (page: Page, name: string, fill?: () => Promise<void>) => {
      const version = await page.getByTestId('case-state').innerText();
      await page.getByTestId(`action-${name}`).click();
      if (fill) await fill();
      await page.getByTestId('action-ok').click();
      // the page reloads the case: the state tag changes (or the action button goes away)
      await page.getByTestId('case-state').filter({ hasNotText: version }).waitFor({ timeout: 15_000 }).catch(() => undefined);
    };

    await test('the unit applies from a template: fills it, uploads its materials and submits', 'case-apply', async (page) => {
      await login(page, 'enterprise1');
      await page.getByTestId('nav-cases').click();
      await page.getByTestId('case-new').click();
      await page.getByTestId('case-new-page').waitFor();
      await page.getByTestId('case-unit').click();
      await page.keyboard.type('端到端申请热力二厂');
      await page.keyboard.press('Enter');
      // the template of the site's industry (4430) is offered
      await page.getByText('GB 13271-2014 表 2 新建燃煤锅炉限值').waitFor();
      await page.getByTestId('case-create').click();
      await page.getByTestId('case-detail').waitFor();
      caseUrl = new URL(page.url()).pathname;
      assert((await page.getByTestId('case-state').innerText()).includes('草稿'), 'a new application is a draft');
      // the template filled GB 13271-2014 limits; the unit adds its permitted quantities
      // (antd puts the test id on the input itself or on its wrapper, by version)
      const field = (id: string) => page.locator(`input[data-testid=${id}], [data-testid=${id}] input`).first();
      const so2 = field('limit-DA001-a21026');
      assert((await so2.inputValue()) === '300', `SO2 limit from the template: ${await so2.inputValue()}`);
      await field('quantity-SO2').fill('86.4');
      await field('quantity-NOx').fill('120.5');
      await field('quantity-particulate').fill('21.6');
      await page.getByTestId('content-save').click();
      await page.getByText('检查发现').or(page.getByTestId('content-editor')).first().waitFor();
      await page.getByTestId('tab-materials').click();
      for (const [kind, label, file] of [['application_form', '排污许可证申请表', '申请表.pdf'], ['commitment', '承诺书', '承诺书.pdf'], ['eia_approval', '环评批复或备案材料', '环评批复.pdf']]) {
        await page.getByTestId('material-kind').click();
        await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: label }).click();
        await page.getByTestId('material-file').setInputFiles({ name: file, mimeType: 'application/pdf', buffer: PDF_BYTES });
        await page.getByTestId('material-upload').click();
        await page.getByRole('link', { name: file }).waitFor();
        void kind;
      }
      await page.getByTestId('completeness').filter({ hasText: '材料齐全' }).waitFor();
      await action(page, 'submit');
      await page.getByTestId('case-state').filter({ hasText: '待受理' }).waitFor();
      await shot(page, 'case-submitted');
    });

    await test('the city accepts, assigns experts, records an on-site review and issues the permit', 'case-decide', async (page) => {
      assert(caseUrl, 'no case from the previous test');
      await login(page, 'hz-permit');
      await page.goto(base + caseUrl);
      await page.getByTestId('case-detail').waitFor();
      await action(page, 'accept');
      await page.getByTestId('case-state').filter({ hasText: '已受理' }).waitFor();
      // experts: the preparing agency's and conflicted ones cannot be picked; 吴敏 can
      await action(page, 'assign_evaluation', async () => {
        await page.getByTestId('action-experts').click();
        await page.keyboard.type('吴敏');
        await page.keyboard.press('Enter');
        await page.keyboard.press('Escape');
      });
      await page.getByTestId('case-state').filter({ hasText: '技术评估中' }).waitFor();
      await page.getByTestId('tab-onsite').click();
      await page.getByTestId('onsite-people').fill('王科长，林工');
      await page.getByTestId('onsite-findings').fill('锅炉、除尘脱硫脱硝设施与申请一致，排放口已规范化设置。');
      await page.getByTestId('onsite-photo').setInputFiles({ name: '现场照片.png', mimeType: 'image/png', buffer: PNG_BYTES });
      await page.getByTestId('onsite-save').click();
      await page.getByTestId('onsite-list').getByText('现场照片.png').waitFor();
      await shot(page, 'case-onsite');
      await action(page, 'complete_evaluation', async () => {
        await page.getByTestId('action-reason').fill('专家组评估意见：申请材料符合锅炉行业技术规范。');
      });
      await page.getByTestId('case-state').filter({ hasText: '评估完成' }).waitFor();
      await action(page, 'approve');
      await page.getByTestId('case-state').filter({ hasText: '准予许可' }).waitFor();
      await page.getByTestId('tab-history').click();
      const history = await page.getByTestId('case-history').innerText();
      for (const step of ['提交', '受理', '指派技术评估', '现场审核', '提交评估意见', '准予许可并发证']) assert(history.includes(step), `history lacks ${step}`);
      await shot(page, 'case-approved');
    });

    await test('the unit downloads its permit as PDF; the public page shows it without login', 'case-pdf', async (page) => {
      await login(page, 'enterprise1');
      await page.goto(base + caseUrl);
      await page.getByTestId('case-result-permit').click();
      await page.getByTestId('permit-detail').waitFor();
      issuedNumber = (await page.getByTestId('permit-number').innerText()).trim();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('permit-pdf').click()]);
      assert(download.suggestedFilename().endsWith('.pdf') && download.suggestedFilename().includes(issuedNumber), `download name: ${download.suggestedFilename()}`);
      const path = await download.path();
      const bytes = (await import('node:fs')).readFileSync(path);
      assert(bytes.subarray(0, 5).toString() === '%PDF-', 'not a PDF');
      assert(/WenQuanYiMicroHei/.test(bytes.toString('latin1')), 'the CJK font is not embedded');
      // the public page, in a context without a session
      const anon = await browser.newContext({ locale: 'zh-CN' });
      const pub = await anon.newPage();
      await pub.goto(`${base}/public/permits/${issuedNumber}`);
      await pub.getByTestId('public-permit').waitFor();
      assert((await pub.getByTestId('public-number').innerText()).trim() === issuedNumber, 'public page shows another number');
      await pub.screenshot({ path: join(SHOTS, 'public-permit.png'), fullPage: true });
      await anon.close();
    });

    await test('the city draws a review plan, assigns a task, confirms and dismisses its findings and completes it onto the ledger', 'review-task', async (page) => {
      await login(page, 'hz-permit');
      await page.goto(base + '/review/plans');
      await page.getByTestId('plans-page').waitFor();
      await page.getByTestId('plan-new').click();
      await page.getByTestId('plan-period').click();
      await page.locator('.ant-select-dropdown:visible').getByText('2026Q1', { exact: true }).click();
      await page.getByTestId('plan-size').fill('30');
      await shot(page, 'review-plan-new');
      await page.getByTestId('plan-draw').click();
      await page.getByTestId('plan-detail').waitFor();
      const split = await page.getByTestId('plan-split').innerText();
      assert(/定向/.test(split) && /随机/.test(split), `plan split: ${split}`);
      const number = issued.permit.permitNumber;
      const row = page.locator('[data-testid=tasks-table] tr.ant-table-row', { hasText: number });
      await row.waitFor();
      await row.locator('input[type=checkbox]').check();
      await page.getByTestId('tasks-assign').click();
      await page.getByTestId('assign-user').click();
      await page.keyboard.type('王科长');
      await page.keyboard.press('Enter');
      await page.getByTestId('assign-ok').click();
      await row.getByText('杭州市生态环境局 审批科 王科长').waitFor();
      await shot(page, 'review-plan');
      await row.getByText(number).click();
      await page.getByTestId('task-form').waitFor();
      // confirm the first finding, dismiss the others, each with its reason
      let first = true;
      for (let guard = 0; guard < 30; guard++) {
        const confirm = page.locator('[data-testid^=confirm-]').first();
        if ((await confirm.count()) === 0) break;
        await (first ? confirm : page.locator('[data-testid^=dismiss-]').first()).click();
        await page.getByTestId('decision-reason').fill(first ? '经核对申请材料，问题属实' : '经核实不构成问题');
        await page.getByTestId('decision-ok').click();
        await page.getByTestId('decision-reason').waitFor({ state: 'detached' });
        await page.waitForTimeout(300);
        first = false;
      }
      assert(!first, 'the task had no findings to decide');
      await page.getByTestId('conclusion').fill('存在问题 1 项，纳入整改台账');
      await shot(page, 'review-task-form');
      await page.getByTestId('task-complete').click();
      await page.getByTestId('task-done').waitFor();
      assert((await page.getByTestId('task-status').innerText()).includes('已办结'), 'task not completed');
      await shot(page, 'review-task-done');
      await page.goto(base + '/rectifications');
      await page.locator('[data-testid=ledger-table] .ant-table-row', { hasText: number }).first().waitFor();
    });

    await test('import wizard dry run lists the bad rows', 'import-bad-rows', async (page) => {
      await login(page, 'hz-permit');
      await page.getByTestId('nav-import').click();
      await page.getByTestId('import-page').waitFor();
      const header = '统一社会信用代码,单位名称,生产经营场所名称,行政区划代码,行业类别代码,管理类别,生产经营场所地址,经度,纬度,联系人,联系电话,法定代表人';
      const good1 = makeCreditCode('91330106MA2E2E002');
      const good2 = makeCreditCode('91330106MA2E2E003');
      const good3 = makeCreditCode('91330106MA2E2E004');
      const rows = [
        `${good1},杭州导入测试甲有限公司,,330106,1713,重点管理,杭州市西湖区导入路1号,120.1,30.2,张三,0571-88888888,张三`,
        `${good2.slice(0, 17)}${good2[17] === '0' ? '1' : '0'},杭州导入测试乙有限公司,,330106,1713,简化管理,杭州市西湖区导入路2号,,,,,`,
        ` ${good3.slice(0, 6)} ${good3.slice(6).toLowerCase()},杭州导入测试丙有限公司,,330106,1713,登记管理,杭州市西湖区导入路3号,,,,,`,
        `${makeCreditCode('91330106MA2E2E005')},杭州导入测试丁有限公司,,339999,1713,登记管理,杭州市西湖区导入路4号,,,,,`,
        `${makeCreditCode('91330106MA2E2E006')},杭州导入测试戊有限公司,,330106,99999,登记管理,,,,,,`,
      ];
      const csv = '\ufeff' + [header, ...rows].join('\r\n') + '\r\n';
      await page.locator('[data-testid=import-page] input[type=file]').setInputFiles({ name: 'units-bad.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
      await page.getByTestId('import-dry-run').click();
      await page.getByTestId('import-summary').waitFor({ timeout: 30_000 });
      await page.getByTestId('import-errors').waitFor();
      const errRows = await page.locator('[data-testid=import-errors] tbody tr.ant-table-row').count();
      assert(errRows >= 3, `expected at least 3 error rows, got ${errRows}`);
      await shot(page, 'import-wizard-bad-rows');
      await page.getByTestId('import-next').click();
      await page.getByTestId('import-all-disabled').waitFor();
      assert(await page.locator('input[type=radio][value="all-or-nothing"]').isDisabled(), 'all-or-nothing enabled despite bad rows');
      await page.getByTestId('import-run').click();
      await page.getByTestId('import-result').waitFor({ timeout: 30_000 });
      const result = await page.getByTestId('import-result').innerText();
      assert(/导入完成/.test(result), `import result: ${result}`);
      const m = /已导入 (\d+) 个/.exec(result);
      assert(m && Number(m[1]) >= 1, `nothing imported: ${result}`);
    });
  } finally {
    await browser.close().catch(() => undefined);
    await server.app.close().catch(() => undefined);
    await server.database.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }

  log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  log('0 passed, 1 failed');
  process.exit(1);
});

/** True when web/dist is missing or older than any source it is built from. */
function consoleBuildIsStale(): boolean {
  const built = join(ROOT, 'web', 'dist', 'index.html');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const newest = (dir: string): number => {
    let t = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }
    return t;
  };
  return Math.max(newest(join(ROOT, 'web', 'src')), newest(join(ROOT, 'src', 'contracts')), statSync(join(ROOT, 'web', 'index.html')).mtimeMs) > builtAt;
}
