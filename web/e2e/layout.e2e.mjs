// Layouts with real data, accessibility and the API docs, end to end: the
// real `cargomon serve` seeded through its API with Colombian data as it
// comes (long full names, amounts in the billions of pesos), looked at in
// Debian's Chromium at a phone's, a laptop's, a desktop's and a 4K TV's size.
//
// Each size is measured in the page, not judged by eye: no sideways page
// scroll, no panel whose content is cut (scrolled or clipped), no text
// outside its card. Screenshots go to <repo>/build/e2e-screenshots/layout/.
// With CARGOMON_README_SCREENSHOT=1 the 1600×900 view is also written to
// docs/img/dashboard.png, the picture the README shows.
//
// axe-core (injected through the DevTools protocol, so the page's CSP stays
// as it is) must find no serious or critical violation on the login page,
// the dashboard and its TV mode (?pantalla=1); the dashboard must work from
// the keyboard alone.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  clearFailureShots,
  cop,
  ensureBuilt,
  launchChromium,
  norm,
  PASSWORD,
  REPO_DIR,
  Server,
  SHOTS_DIR,
  signIn,
  waitUntil,
} from './harness.mjs';
import { serverCsp } from './server-csp.mjs';

const LAYOUT_SHOTS = path.join(SHOTS_DIR, 'layout');
const README_SHOT = path.join(REPO_DIR, 'docs', 'img', 'dashboard.png');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core'), 'utf8');
clearFailureShots(LAYOUT_SHOTS);

const VIEWPORTS = [
  { width: 390, height: 844, name: 'phone' },
  { width: 1366, height: 768, name: 'laptop' },
  { width: 1600, height: 900, name: 'desktop-1600' },
  { width: 1920, height: 1080, name: 'desktop' },
  { width: 3840, height: 2160, name: 'tv-4k' },
];

// Couriers as a Colombian company's records name them: two given names and
// two surnames, particles and all.
const COURIERS = [
  { IdRepartidor: 'BOG-000123', Nombre: 'María Fernanda de los Ángeles Rodríguez Castañeda' },
  { IdRepartidor: 'MED-004567', Nombre: 'José Gregorio Hernández Valderrama de la Torre' },
  { IdRepartidor: 'CAL-008910', Nombre: 'Ana Lucía Betancourt Zuluaga de Santamaría' },
  { IdRepartidor: 'BAQ-011121', Nombre: 'Juan Sebastián Ospina Montoya' },
  { IdRepartidor: 'BUC-031415', Nombre: 'Luz Marina Quintero Villalobos de Ñañez' },
  { IdRepartidor: 'CTG-161718', Nombre: 'Carlos Andrés Restrepo Echeverri' },
  { IdRepartidor: 'PEI-192021', Nombre: 'Diana Carolina Gutiérrez Saldarriaga' },
  { IdRepartidor: 'MAN-222324', Nombre: 'Óscar Iván Arbeláez Londoño y Aristizábal' },
];
const PRODUCTS = [
  { IdProducto: 'TRK-EXC-320', producto: 'Excavadora hidráulica sobre orugas de 32 toneladas' },
  { IdProducto: 'TRC-KEN-T800', producto: 'Tractocamión Kenworth T800 con tráiler refrigerado' },
  { IdProducto: 'GEN-CAT-2000', producto: 'Planta eléctrica diésel de 2.000 kVA insonorizada' },
  { IdProducto: 'MON-0001', producto: 'Moneda' },
];

/** Orders worth billions of pesos (the API allows up to 10,000,000,000 each). */
function seededOrders() {
  const orders = [];
  COURIERS.forEach((repartidor, i) => {
    for (let k = 0; k < 3; k++) {
      orders.push({
        repartidor,
        productos: [
          { ...PRODUCTS[(i + k) % 3], precio: 99_876_543.21, cantidad: 40 + i + k },
          { ...PRODUCTS[3], precio: 1, cantidad: 3 },
        ],
      });
    }
  });
  return orders;
}

/**
 * Everything on the page that does not fit, measured in the browser:
 * sideways page scroll, elements whose content is wider or taller than their
 * clipping or scrolling box, and text (each text node's own box) outside
 * the card, KPI or dialog it belongs to.
 */
function measureOverflow() {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    problems.push(`the page scrolls sideways by ${root.scrollWidth - root.clientWidth} px`);
  }
  const describe = (el) => {
    const cls =
      typeof el.className === 'string' && el.className ? `.${el.className.split(' ')[0]}` : '';
    return `${el.tagName.toLowerCase()}${cls} "${(el.textContent ?? '').trim().slice(0, 50)}"`;
  };
  const hidden = (el) => el.closest('.visually-hidden') !== null;
  for (const el of document.querySelectorAll('body *')) {
    if (hidden(el) || el.getClientRects().length === 0) continue;
    const style = getComputedStyle(el);
    const clipsX = style.overflowX !== 'visible';
    const clipsY = style.overflowY !== 'visible';
    // An <svg> or a form control clips by nature; their insides are not text boxes.
    if (el.closest('svg') || ['SELECT', 'INPUT', 'TEXTAREA', 'OPTION'].includes(el.tagName)) {
      continue;
    }
    if (clipsX && el.scrollWidth > el.clientWidth + 1) {
      problems.push(
        `${describe(el)} cuts or scrolls its content sideways (${el.scrollWidth} > ${el.clientWidth})`,
      );
    }
    if (clipsY && el.scrollHeight > el.clientHeight + 1 && !['HTML', 'BODY'].includes(el.tagName)) {
      problems.push(
        `${describe(el)} cuts or scrolls its content (${el.scrollHeight} > ${el.clientHeight} high)`,
      );
    }
  }
  // A chart's labels inside its drawing (an <svg> cuts what lies outside it).
  for (const text of document.querySelectorAll('svg text')) {
    const r = text.getBoundingClientRect();
    const svg = text.closest('svg').getBoundingClientRect();
    if (r.width === 0) continue;
    if (
      r.left < svg.left - 1 ||
      r.right > svg.right + 1 ||
      r.top < svg.top - 1 ||
      r.bottom > svg.bottom + 1
    ) {
      problems.push(`chart label "${text.textContent}" is cut by its chart`);
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !node.textContent.trim() || hidden(parent) || parent.closest('svg, select')) {
      continue;
    }
    const box = parent.closest('.card, .kpi__body, .modal__dialog, .login-form, .topbar, .toolbar');
    if (!box) continue;
    range.selectNodeContents(node);
    const outer = box.getBoundingClientRect();
    for (const r of range.getClientRects()) {
      if (r.width === 0) continue;
      if (r.left < outer.left - 1 || r.right > outer.right + 1) {
        problems.push(
          `text "${node.textContent.trim().slice(0, 40)}" overflows ${describe(box)} ` +
            `(${Math.round(r.left)}..${Math.round(r.right)} outside ${Math.round(outer.left)}..${Math.round(outer.right)})`,
        );
        break;
      }
    }
  }
  return problems;
}

/** axe-core's serious and critical violations on the page as it is. */
async function axeViolations(page) {
  // Evaluated through the DevTools protocol: no <script> tag, which the
  // server's CSP would (rightly) refuse.
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ['violations'] }),
  );
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact}: ${v.id} (${v.help}) at ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(', ')}`,
    );
}

describe(
  'cargomon dashboard with real data: layouts, accessibility, API docs',
  { timeout: 300_000 },
  () => {
    let dataDir;
    let server;
    let browser;
    let token;
    let metrics;
    const pageProblems = [];

    before(async () => {
      ensureBuilt();
      dataDir = mkdtempSync(path.join(os.tmpdir(), 'cargomon-e2e-layout-'));
      server = new Server(dataDir);
      await server.start('127.0.0.1:0');
      browser = await launchChromium();
      token = await server.token();
      for (const order of seededOrders()) await server.registerOrder(token, order);
      ({ json: metrics } = await server.api('GET', '/metrics', { token }));
      assert.ok(metrics.acumulado_ventas_dia > 100_000_000_000, `${metrics.acumulado_ventas_dia}`);
    });

    after(async () => {
      await browser?.close().catch(() => undefined);
      await server?.stop(5_000).catch(() => undefined);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    /** A fresh browser page (own storage) that records CSP refusals and script errors. */
    async function newPage(viewport) {
      const context = await browser.newContext({ viewport, locale: 'es-CO' });
      const page = await context.newPage();
      page.on('console', (message) => {
        const text = message.text();
        if (/Content Security Policy|Refused to/i.test(text)) pageProblems.push(`CSP: ${text}`);
      });
      page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
      return page;
    }

    /** Runs `fn(page)`; on failure saves a screenshot and the server's output. */
    async function withPage(t, viewport, fn) {
      const page = await newPage(viewport);
      try {
        await fn(page);
      } catch (error) {
        const name = String(t.name)
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-+|-+$/g, '')
          .slice(0, 60);
        const shot = path.join(LAYOUT_SHOTS, `failure-${name}.png`);
        const saved = await page
          .screenshot({ path: shot, fullPage: true })
          .then(() => true)
          .catch(() => false);
        const extra = `${saved ? `\n(screenshot: ${shot})` : ''}\n--- server output ---\n${server.log.slice(-40).join('\n')}`;
        error.message += extra;
        if (typeof error.stack === 'string') error.stack += extra;
        throw error;
      } finally {
        await page.context().close();
      }
    }

    /** Signs in and waits until the seeded day is on screen. */
    async function openDashboard(page) {
      await signIn(page, server.baseUrl);
      await waitUntil(
        async () =>
          norm(await page.getByTestId('kpi-sales').textContent()) ===
          cop(metrics.acumulado_ventas_dia),
        { timeoutMs: 10_000, what: "the KPI to show the day's sales" },
      );
      await page
        .getByRole('table', { name: /Pedidos del día/ })
        .locator('tbody tr')
        .nth(COURIERS.length * 3 - 1)
        .waitFor({ timeout: 10_000 });
      // Fonts and the chart's measured size settle after the first paint.
      await page.evaluate(() => document.fonts.ready);
    }

    for (const viewport of VIEWPORTS) {
      const size = `${viewport.width}×${viewport.height}`;
      test(`at ${size} (${viewport.name}) nothing overflows, scrolls sideways or is cut`, (t) =>
        withPage(t, { width: viewport.width, height: viewport.height }, async (page) => {
          await openDashboard(page);
          // Every figure and name is on the page in full.
          const text = norm(await page.locator('main').innerText());
          for (const c of COURIERS) assert.ok(text.includes(c.Nombre), `${c.Nombre} missing`);
          for (const c of metrics.repartidores) {
            assert.ok(text.includes(cop(c.ventas)), `${c.Nombre}'s sales ${cop(c.ventas)} missing`);
          }
          let problems = [];
          // The chart redraws at its measured size: allow it a moment to settle.
          await waitUntil(
            async () => {
              problems = await page.evaluate(measureOverflow);
              return problems.length === 0;
            },
            { timeoutMs: 3_000, what: 'a layout with nothing overflowing' },
          ).catch(() => undefined);
          mkdirSync(LAYOUT_SHOTS, { recursive: true });
          await page.screenshot({
            path: path.join(LAYOUT_SHOTS, `dashboard-${size}.png`),
            fullPage: true,
          });
          if (viewport.width === 1600 && process.env.CARGOMON_README_SCREENSHOT === '1') {
            mkdirSync(path.dirname(README_SHOT), { recursive: true });
            await page.screenshot({ path: README_SHOT });
          }
          assert.deepEqual(problems, [], `at ${size}:\n${problems.join('\n')}`);

          // On a wall screen the figures are big enough to read from afar.
          if (viewport.width >= 3840) {
            const px = await page
              .getByTestId('kpi-sales')
              .evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize));
            assert.ok(px >= 48, `KPI text is ${px} px on a 4K screen`);
            const main = await page.locator('main').boundingBox();
            assert.ok(main.width >= 0.9 * viewport.width, `main is ${main.width} px wide`);
          }
        }));
    }

    test('the login page and the dashboard have no serious or critical axe violations', (t) =>
      withPage(t, { width: 1366, height: 768 }, async (page) => {
        await page.goto(`${server.baseUrl}/`);
        await page.getByRole('heading', { name: 'Iniciar sesión' }).waitFor();
        assert.deepEqual(await axeViolations(page), [], 'login page');
        await openDashboard(page);
        assert.deepEqual(await axeViolations(page), [], 'dashboard');
        await page.setViewportSize({ width: 390, height: 844 });
        assert.deepEqual(await axeViolations(page), [], 'dashboard on a phone');
        // The wall screen's mode, as a TV shows it.
        await page.setViewportSize({ width: 1920, height: 1080 });
        await page.goto(`${server.baseUrl}/?pantalla=1`);
        await page.getByTestId('tv-orders').locator('li').first().waitFor();
        assert.deepEqual(await axeViolations(page), [], 'TV mode');
      }));

    test('the dashboard works from the keyboard alone', (t) =>
      withPage(t, { width: 1366, height: 768 }, async (page) => {
        await openDashboard(page);
        await page.locator('body').focus();
        // Tab from the top of the page: every control comes before the first
        // order, which then opens with Enter and closes with Escape.
        const [newest] = (
          await server.api('GET', `/pedidos?fecha=${metrics.fecha}&limit=1`, { token })
        ).json.pedidos;
        const target = `Ver el pedido ${newest.pedido_id}`;
        const reached = [];
        for (let i = 0; i < 80 && reached.at(-1) !== target; i++) {
          await page.keyboard.press('Tab');
          const name = await page.evaluate(() => {
            const el = document.activeElement;
            return (
              el?.getAttribute('aria-label') ||
              el?.labels?.[0]?.textContent ||
              el?.textContent ||
              ''
            );
          });
          reached.push(norm(name));
        }
        assert.equal(reached.at(-1), target, `tab order: ${reached.join(' | ')}`);
        for (const control of [
          'Día',
          'Descargar CSV',
          'Repartidor',
          'Buscar pedido o repartidor',
          'Cerrar sesión',
        ]) {
          assert.ok(
            reached.some((name) => name.startsWith(control)),
            `Tab never reached "${control}": ${reached.join(' | ')}`,
          );
        }
        await page.keyboard.press('Enter');
        const dialog = page.getByRole('dialog', { name: `Pedido ${newest.pedido_id}` });
        await dialog.waitFor({ timeout: 5_000 });
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached', timeout: 5_000 });
        assert.equal(
          await page.evaluate(() => document.activeElement?.getAttribute('aria-label')),
          target,
          'focus went back to the order',
        );
      }));

    test('/docs is Swagger UI on the served openapi.json, under the CSP, and "Try it out" works', (t) =>
      withPage(t, { width: 1366, height: 768 }, async (page) => {
        const answer = await fetch(`${server.baseUrl}/docs`);
        assert.equal(answer.status, 200);
        assert.match(answer.headers.get('content-type'), /^text\/html/);
        assert.equal(answer.headers.get('content-security-policy'), serverCsp());
        await answer.arrayBuffer();

        await page.goto(`${server.baseUrl}/docs`);
        const tokenOperation = page
          .locator('.opblock')
          .filter({ has: page.locator('[data-path="/token"]') });
        await tokenOperation.first().waitFor({ timeout: 15_000 });
        const { json: document } = await server.api('GET', '/openapi.json');
        for (const p of Object.keys(document.paths)) {
          assert.ok(
            (await page.locator(`.opblock-summary-path[data-path="${p}"]`).count()) > 0,
            `${p} is not listed`,
          );
        }
        await page.screenshot({ path: path.join(LAYOUT_SHOTS, 'api-docs.png') });
        // Try it out: POST /token with the admin's credentials, from the page.
        const op = tokenOperation.first();
        await op.locator('.opblock-summary').click();
        const tryButton = op.getByRole('button', { name: /Try it out/ });
        if (await tryButton.isVisible()) await tryButton.click();
        await op
          .locator('textarea.body-param__text')
          .fill(JSON.stringify({ username: 'admin', password: PASSWORD }));
        await op.getByRole('button', { name: 'Execute' }).click();
        const status = op.locator('.live-responses-table .response .response-col_status').first();
        await waitUntil(async () => norm(await status.textContent()) === '200', {
          timeoutMs: 10_000,
          what: 'the try-it-out request to answer 200',
        });
        assert.match(
          await op
            .locator('.live-responses-table .microlight, .live-responses-table pre')
            .first()
            .textContent(),
          /access_token/,
        );
      }));

    test('nothing was blocked by the Content-Security-Policy and no script failed', () => {
      assert.deepEqual(pageProblems, []);
    });
  },
);
