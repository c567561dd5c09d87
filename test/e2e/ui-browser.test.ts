/// <reference lib="dom" />
/**
 * The /ui view in a real headless Chromium (Debian's, driven by playwright-core): after `pnpm demo --serve` it
 * lists every corpus analysis, opens a rejected canary and shows its charts, prompt and model answer; screenshots
 * go to test/.artifacts/ui (gitignored) for review. A workload that prints HTML and script in its logs and events
 * renders as inert text.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pluginRequestBody,
  scenarioById,
  scenarios,
  startFakeGemini,
  withInjection,
  type FakeGemini,
  type InjectionPayload,
} from '@aiops/testkit';
import { launchChromium, type Browser } from '../support/browser.js';
import { startDemoServe, type DemoProcess } from '../support/demo-process.js';
import { startKubeFixture, type KubeFixture } from '../support/fakes.js';
import { postJson, startServiceProcess, type ServiceProcess } from '../support/service-process.js';

const SHOTS = fileURLToPath(new URL('../.artifacts/ui/', import.meta.url));

// One browser per suite, closed before the servers stop: its pooled keep-alive sockets would otherwise hold the
// service's graceful shutdown open.
let browser: Browser;

describe('/ui after `pnpm demo --serve`', () => {
  let gemini: FakeGemini;
  let demo: DemoProcess;
  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    browser = await launchChromium();
    gemini = await startFakeGemini();
    demo = await startDemoServe({ GOOGLE_API_KEY: 'fake-key-for-tests', GEMINI_BASE_URL: gemini.url });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    await gemini?.close();
  });

  it('lists every corpus analysis, opens a rejected canary and shows its chart, prompt and answer', async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    // A CSP violation or a script error shows up here.
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));

    await page.goto(`${demo.url}/ui`);
    const rows = page.locator('#analyses tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(scenarios.length);
    for (const s of scenarios) {
      await expect(page.locator(`#analyses a:text-is("${s.namespace}/${s.rolloutName}")`).count()).resolves.toBe(1);
    }
    await page.screenshot({ path: `${SHOTS}list.png`, fullPage: true });

    // The filter narrows the list to rejected canaries.
    await page.selectOption('select[name=verdict]', 'reject');
    await page.click('button[type=submit]');
    await page.waitForURL(/verdict=reject/);
    const verdicts = await page
      .locator('#analyses tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-verdict')));
    expect(verdicts.length).toBe(scenarios.filter((s) => !s.expected.promote).length);
    expect(new Set(verdicts)).toEqual(new Set(['reject']));

    const panic = scenarioById('go-panic')!;
    await page.click(`#analyses a:text-is("${panic.namespace}/${panic.rolloutName}")`);
    await page.waitForURL(/\/ui\/analyses\//);
    await expect(page.locator('h1 .badge').textContent()).resolves.toBe('reject');
    const chart = page.locator('svg[data-chart="series"]').first();
    expect(await chart.isVisible()).toBe(true);
    const box = await chart.boundingBox();
    expect(box?.width).toBeGreaterThan(100);
    expect(await page.locator('svg[data-chart="series"] polyline').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#signatures tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#pods tbody tr.canary').count()).toBeGreaterThan(0);
    expect(await page.locator('#prompt').textContent()).toContain('EVIDENCE-');
    expect(await page.locator('#model-answer').textContent()).toContain('"promote"');
    expect(await page.locator('#timeline tbody tr').count()).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: `${SHOTS}rejected-canary.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});

describe('/ui renders workload text inert', () => {
  const payload: InjectionPayload = {
    id: 'html',
    technique: 'markup in logs',
    text: () =>
      'ERROR <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><a href="javascript:window.__pwned=3">x</a>',
  };
  const variants = [
    withInjection(scenarioById('go-panic')!, payload),
    withInjection(scenarioById('healthy')!, payload),
  ];
  let kube: KubeFixture;
  let service: ServiceProcess;
  beforeAll(async () => {
    browser = await launchChromium();
    kube = await startKubeFixture(variants);
    service = await startServiceProcess({ ...kube.env, LLM_PROVIDER: 'none' });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    await kube?.close();
  });

  it('shows an XSS payload from a log line and an event as text: no element, no script run', async () => {
    for (const v of variants)
      expect((await postJson(`${service.url}/a2a/analyze`, pluginRequestBody(v))).status).toBe(200);
    const page = await browser.context.newPage();
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await page.goto(`${service.url}/ui`);
    const links = await page
      .locator('#analyses tbody a')
      .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(links.length).toBe(2);
    for (const link of links) {
      await page.goto(link);
      const text = await page.evaluate(() => document.body.textContent ?? '');
      expect(text).toContain('<script>window.__pwned=2</script>');
      const live = await page.evaluate(() => ({
        scripts: document.querySelectorAll('script').length,
        injectedImages: document.querySelectorAll('img').length,
        javascriptLinks: document.querySelectorAll('a[href^="javascript:"]').length,
        pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
      }));
      expect(live).toEqual({ scripts: 0, injectedImages: 0, javascriptLinks: 0, pwned: null });
    }
    expect(dialogs).toBe(0);
    await page.close();
  }, 120_000);
});
