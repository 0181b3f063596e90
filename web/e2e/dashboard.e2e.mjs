// End-to-end: the real `cargomon serve` with the built dashboard, driven by
// Debian's Chromium through playwright-core. Run with `npm run e2e`.
//
// Environment:
//   CARGOMON_BIN   server binary (default ../build/src/cli/cargomon, from web/)
//   CHROMIUM_PATH  browser (default /usr/bin/chromium, Debian's `chromium` package)
//
// The server is started on port 0 with a fresh data dir; the port it prints
// is reused for the restart. Screenshots go to <repo>/build/e2e-screenshots/
// (login, desktop and phone views, plus `failure-<test>.png` for a failed test).
//
// Runs on Node 18.18+ (Debian 12's nodejs) and 20+: nothing newer than
// node:test as Node 18 has it (no import.meta.dirname, no t.assert, ...).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import {
  clearFailureShots,
  cop,
  count,
  ddmmyyyy,
  ensureBuilt,
  launchChromium,
  norm,
  PASSWORD,
  Server,
  SHOTS_DIR,
  waitUntil,
} from './harness.mjs';
import { serverCsp } from './server-csp.mjs';

const LIVE_BUDGET_MS = 1000;
clearFailureShots();

// ---------------------------------------------------------------- suite

describe('cargomon dashboard, end to end', { timeout: 180_000 }, () => {
  let dataDir;
  let server;
  let browser;
  let page;
  const pageProblems = [];

  before(async () => {
    ensureBuilt();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'cargomon-e2e-'));
    server = new Server(dataDir);
    await server.start('127.0.0.1:0');

    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      locale: 'es-CO',
    });
    page = await context.newPage();
    page.on('console', (message) => {
      const text = message.text();
      if (/Content Security Policy|Refused to/i.test(text)) pageProblems.push(`CSP: ${text}`);
    });
    page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
  });

  after(async () => {
    // Whatever happened, leave nothing running.
    await browser?.close().catch(() => undefined);
    await server?.stop(5_000).catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * Runs a test body; on failure saves a screenshot of the page and attaches
   * the server's output, to make failures readable (in CI too).
   */
  const withServerLog = async (t, fn) => {
    try {
      await fn();
    } catch (error) {
      const name = String(t.name)
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 60);
      const shot = path.join(SHOTS_DIR, `failure-${name}.png`);
      const saved = await page
        ?.screenshot({ path: shot, fullPage: true })
        .then(() => true)
        .catch(() => false);
      let extra = saved ? `\n(screenshot: ${shot})` : '';
      extra += `\n--- server output ---\n${server?.log.slice(-40).join('\n')}`;
      error.message += extra;
      // The reporter prints the stack, which was captured with the old message.
      if (typeof error.stack === 'string') error.stack += extra;
      throw error;
    }
  };

  const indicator = () => page.locator('.live-indicator__text');
  const kpi = (name) => page.getByRole('group', { name, exact: true }).locator('.kpi__value');
  // A long id is shortened on screen; its button's name holds it whole.
  const orderRow = (pedidoId, on = page) =>
    on
      .getByRole('table', { name: /Pedidos del día/ })
      .getByRole('row')
      .filter({
        has: on.getByRole('button', { name: `Ver el pedido ${pedidoId}`, exact: true }),
      });
  const tableRows = (on = page) =>
    on.getByRole('table', { name: /Pedidos del día/ }).locator('tbody tr');

  test('seeds two orders through the API', (t) =>
    withServerLog(t, async () => {
      const token = await server.token();
      await server.registerOrder(token);
      await server.registerOrder(token, {
        repartidor: { IdRepartidor: 'R-7', Nombre: 'Laura Sánchez' },
        productos: [{ IdProducto: 'pk0042', producto: 'Tarjeta SIM', precio: 5000 }],
      });
    }));

  test("sends the page with the real server's Content-Security-Policy", (t) =>
    withServerLog(t, async () => {
      // The policy is defined once, in src/api/handlers/static_files.cpp; the
      // stand-in server reads it from there too.
      const answer = await fetch(`${server.baseUrl}/`);
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('content-security-policy'), serverCsp());
      await answer.arrayBuffer();
    }));

  test('rejects wrong credentials, then signs in', (t) =>
    withServerLog(t, async () => {
      await page.goto(`${server.baseUrl}/`);
      await page.getByRole('heading', { name: 'Iniciar sesión' }).waitFor();
      await page.screenshot({ path: path.join(SHOTS_DIR, 'login.png') });

      await page.getByLabel('Usuario').fill('admin');
      await page.getByLabel('Contraseña').fill(`${PASSWORD}-incorrecta`);
      await page.getByRole('button', { name: 'Ingresar' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: 'Usuario o contraseña incorrectos' })
        .waitFor({ timeout: 5_000 });

      await page.getByLabel('Contraseña').fill(PASSWORD);
      await page.getByRole('button', { name: 'Ingresar' }).click();
      await page
        .getByRole('heading', { level: 1, name: 'Monitoreo de Indicadores - Cargo Express' })
        .waitFor({ timeout: 5_000 });
      await page.getByRole('button', { name: 'Cerrar sesión' }).waitFor();
      await waitUntil(async () => (await indicator().textContent()) === 'En vivo', {
        timeoutMs: 5_000,
        what: 'the live indicator to say "En vivo"',
      });
    }));

  test("shows today's KPIs as GET /metrics reports them", (t) =>
    withServerLog(t, async () => {
      const token = await server.token();
      const { json: metrics } = await server.api('GET', '/metrics', { token });
      assert.equal(metrics.total_pedidos, 2);
      const expected = {
        Pedidos: count(metrics.total_pedidos),
        'Acumulado en ventas del día': cop(metrics.acumulado_ventas_dia),
        'Precio promedio por pedido': cop(metrics.precio_promedio_por_pedido),
        'Unidades vendidas': count(metrics.unidades),
      };
      for (const [name, value] of Object.entries(expected)) {
        await waitUntil(async () => norm(await kpi(name).textContent()) === value, {
          timeoutMs: 3_000,
          what: `KPI "${name}" to read "${value}"`,
        });
      }
      assert.equal(await page.locator('.hbar--top').count(), Math.min(3, metrics.productos.length));
    }));

  test('compares the day with last week at this hour and totals the last 7 days', (t) =>
    withServerLog(t, async () => {
      const token = await server.token();
      const { json: metrics } = await server.api('GET', '/metrics', { token });
      const lastWeek = metrics.comparacion.semana_anterior;
      const [y, m, d] = lastWeek.fecha.split('-').map(Number);
      const weekday = new Intl.DateTimeFormat('es-CO', { timeZone: 'UTC', weekday: 'long' }).format(
        new Date(Date.UTC(y, m - 1, d)),
      );
      // A fresh store: nothing last week to compare with, said in words.
      assert.equal(lastWeek.variacion_pedidos, null);
      const line = page.getByTestId('kpi-orders-vs-week');
      await waitUntil(
        async () =>
          norm(await line.textContent()) === `Sin ventas el ${weekday} pasado a esta hora`,
        { timeoutMs: 3_000, what: `the orders card to compare with last ${weekday}` },
      );
      const { json: range } = await server.api(
        'GET',
        `/metrics/rango?desde=${lastWeek.fecha}&hasta=${metrics.fecha}`,
        { token },
      );
      assert.equal(range.total.pedidos, metrics.total_pedidos);
      const total = page.getByTestId('range-total');
      await waitUntil(
        async () =>
          norm(await total.textContent()).startsWith(`${count(metrics.total_pedidos)} pedidos`),
        { timeoutMs: 3_000, what: 'the last 7 days to total the orders' },
      );
    }));

  test("downloads the shown day's orders as the server's CSV", (t) =>
    withServerLog(t, async () => {
      const token = await server.token();
      await server.registerOrder(token, {
        repartidor: { IdRepartidor: 'R-7', Nombre: 'Laura Sánchez' },
        productos: [{ IdProducto: 'pk0099', producto: 'Estuche, "gafas" ñ', precio: 14.5 }],
      });
      const { json: metrics } = await server.api('GET', '/metrics', { token });
      const fecha = metrics.fecha;
      // On screen before going on, so that the next tests count from it.
      await waitUntil(
        async () => norm(await kpi('Pedidos').textContent()) === count(metrics.total_pedidos),
        { timeoutMs: 5_000, what: `KPI "Pedidos" to read ${metrics.total_pedidos}` },
      );

      const button = page.getByRole('button', { name: 'Descargar CSV' });
      await button.waitFor({ timeout: 5_000 });
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 10_000 }),
        button.click(),
      ]);
      assert.equal(download.suggestedFilename(), `pedidos-${fecha}.csv`);
      assert.equal(await download.failure(), null);
      const saved = readFileSync(await download.path());

      // Byte for byte what the server answers for that day.
      const answer = await fetch(`${server.baseUrl}/pedidos.csv?fecha=${fecha}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('content-type'), 'text/csv; charset=utf-8');
      const expected = Buffer.from(await answer.arrayBuffer());
      assert.ok(saved.equals(expected), `saved file differs:\n${saved}\n---\n${expected}`);

      assert.deepEqual([...saved.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
      const rows = saved.subarray(3).toString('utf8').split('\r\n');
      assert.equal(
        rows[0],
        'pedido_id,secuencia,timestamp,fecha,IdRepartidor,Nombre,IdProducto,producto,precio,' +
          'cantidad,subtotal',
      );
      assert.equal(rows.at(-1), '');
      // Three orders today (2, 1 and 1 product lines), newest first.
      assert.equal(rows.length, 1 + 4 + 1);
      assert.match(rows[1], /,R-7,Laura Sánchez,pk0099,"Estuche, ""gafas"" ñ",14\.5,1,14\.5$/);
      assert.match(rows[4], /,102,Carlos García,pk0007,Tijeras pequeñas,14\.35,2,28\.7$/);
      assert.equal(await page.getByRole('alert').filter({ hasText: 'CSV' }).count(), 0);
    }));

  test('offers the CSV for spreadsheets: semicolons and decimal commas, as the server writes it', (t) =>
    withServerLog(t, async () => {
      const token = await server.token();
      const { json: metrics } = await server.api('GET', '/metrics', { token });
      const button = page.getByRole('button', { name: 'CSV para hoja de cálculo' });
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 10_000 }),
        button.click(),
      ]);
      assert.equal(download.suggestedFilename(), `pedidos-${metrics.fecha}-hoja.csv`);
      const saved = readFileSync(await download.path());
      const answer = await fetch(
        `${server.baseUrl}/pedidos.csv?fecha=${metrics.fecha}&formato=hoja`,
        { headers: { Authorization: `Bearer ${token}` } },
      );
      assert.equal(answer.status, 200);
      assert.ok(saved.equals(Buffer.from(await answer.arrayBuffer())), 'saved file differs');
      const rows = saved.subarray(3).toString('utf8').split('\r\n');
      assert.equal(
        rows[0],
        'pedido_id;secuencia;timestamp;fecha;IdRepartidor;Nombre;IdProducto;producto;precio;' +
          'cantidad;subtotal',
      );
      assert.match(rows[1], /;R-7;Laura Sánchez;pk0099;"Estuche, ""gafas"" ñ";14,5;1;14,5$/);
      assert.match(rows[4], /;102;Carlos García;pk0007;Tijeras pequeñas;14,35;2;28,7$/);
    }));

  test('offers the orders as a workbook first, its cells typed for any locale', (t) =>
    withServerLog(t, async () => {
      const token = await server.token();
      const { json: metrics } = await server.api('GET', '/metrics', { token });
      const button = page.getByRole('button', { name: 'Descargar pedidos (.xlsx)' });
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 10_000 }),
        button.click(),
      ]);
      assert.equal(download.suggestedFilename(), `pedidos-${metrics.fecha}.xlsx`);
      // Read by an independent reader (openpyxl), as the server's tests do.
      const reader = path.join(
        path.dirname(fileURLToPath(import.meta.url)),
        '../../src/report/read_xlsx.py',
      );
      // Under its own name: the reader goes by the .xlsx ending.
      const folder = mkdtempSync(path.join(os.tmpdir(), 'cargomon-xlsx-'));
      const file = path.join(folder, download.suggestedFilename());
      await download.saveAs(file);
      const book = JSON.parse(execFileSync('/usr/bin/python3', [reader, file]));
      rmSync(folder, { recursive: true, force: true });
      const rows = book.Pedidos;
      // The heading, the day's four product lines (newest first) and the total.
      assert.equal(rows.length, 1 + 4 + 1);
      assert.equal(rows[0][7].value, 'Producto');
      assert.deepEqual(
        [rows[1][5].value, rows[1][7].value, rows[1][8].type, rows[1][8].value],
        ['Laura Sánchez', 'Estuche, "gafas" ñ', 'n', 14.5],
      );
      assert.equal(rows[5][0].value, 'Total');
      assert.equal(rows[5][10].cached, metrics.acumulado_ventas_dia);
    }));

  test('an order opens from its row, by click or keyboard, with its lines and totals', (t) =>
    withServerLog(t, async () => {
      const token = await server.token();
      const { order } = await server.registerOrder(token, {
        repartidor: { IdRepartidor: 104, Nombre: 'María Fernanda López Restrepo' },
        productos: [
          { IdProducto: 'pk0001', producto: 'Moneda', precio: 1 },
          { IdProducto: 'pk0031', producto: 'Audífonos inalámbricos', precio: 28.6, cantidad: 3 },
          { IdProducto: 'pk0032', producto: 'Televisor 55"', precio: 2_499_900 },
        ],
      });
      const row = orderRow(order.pedido_id);
      await row.waitFor({ timeout: 5_000 });
      // The UUID column shows a short id, not the whole UUID.
      const idCell = norm(await row.locator('th').textContent());
      assert.ok(idCell.startsWith(`${order.pedido_id.slice(0, 8)}…`), idCell);
      assert.ok(!idCell.includes(order.pedido_id), idCell);
      const widths = await page
        .getByRole('table', { name: /Pedidos del día/ })
        .locator('thead th')
        .evaluateAll((ths) => ths.map((th) => th.getBoundingClientRect().width));
      assert.ok(widths[0] < Math.max(...widths.slice(1)), `id column widest: ${widths}`);

      // A click on the courier's name (anywhere in the row) opens it.
      await row.getByText('María Fernanda López Restrepo').click();
      const dialog = page.getByRole('dialog', { name: `Pedido ${order.pedido_id}` });
      await dialog.waitFor({ timeout: 5_000 });
      const { json: stored } = await server.api('GET', `/pedidos/${order.pedido_id}`, { token });
      const lines = dialog.locator('tbody tr');
      assert.equal(await lines.count(), 3);
      assert.equal(
        norm(await lines.nth(1).textContent()),
        norm(`Audífonos inalámbricos (pk0031)${cop(28.6)}3${cop(85.8)}`),
      );
      assert.equal(
        norm(await lines.nth(2).textContent()),
        norm(`Televisor 55" (pk0032)${cop(2_499_900)}1${cop(2_499_900)}`),
      );
      assert.equal(
        norm(await dialog.locator('tfoot').textContent()),
        norm(`Total del pedido${cop(stored.total)}`),
      );
      assert.equal(stored.total, 2_499_986.8);
      const time = new Intl.DateTimeFormat('es-CO', {
        timeZone: 'America/Bogota',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      }).format(new Date(stored.timestamp));
      assert.match(
        norm(await dialog.textContent()),
        new RegExp(`Hora del pedido${ddmmyyyy(stored.fecha)} ${time}`),
      );
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });

      // By keyboard: the row's id is a button; Enter opens, Escape gives focus back.
      const open = page.getByRole('button', { name: `Ver el pedido ${order.pedido_id}` });
      await open.focus();
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cerrar');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(
        await open.evaluate((el) => el === document.activeElement),
        true,
        'focus went back to the row',
      );

      // Search: the full id on Enter opens it; an unknown id says so.
      const search = page.getByRole('searchbox', { name: 'Buscar pedido o repartidor' });
      await search.fill(order.pedido_id);
      assert.equal(await tableRows().count(), 1);
      await search.press('Enter');
      await dialog.waitFor();
      await page.getByRole('button', { name: 'Cerrar', exact: true }).click();
      await search.fill('no-existe-este-pedido');
      await search.press('Enter');
      await page
        .getByRole('alert')
        .filter({ hasText: 'No hay ningún pedido con el ID «no-existe-este-pedido».' })
        .waitFor({ timeout: 5_000 });
      await search.fill('');

      // The day's total beside how many rows are shown.
      const { json: metrics } = await server.api('GET', '/metrics', { token });
      const shown = await tableRows().count();
      await page
        .getByText(`Mostrando ${shown} de ${count(metrics.total_pedidos)} pedidos del día`)
        .waitFor({ timeout: 5_000 });
    }));

  test('money has two decimals everywhere, and the hourly chart writes its values and axes', (t) =>
    withServerLog(t, async () => {
      const token = await server.token();
      const { json: metrics } = await server.api('GET', '/metrics', { token });
      await waitUntil(
        async () => norm(await kpi('Pedidos').textContent()) === count(metrics.total_pedidos),
        { timeoutMs: 5_000, what: 'the KPIs to catch up' },
      );
      assert.equal(
        norm(await kpi('Acumulado en ventas del día').textContent()),
        cop(metrics.acumulado_ventas_dia),
      );
      const couriers = page.getByRole('table', { name: /repartidor/i }).locator('tbody tr');
      const laura = metrics.repartidores.find((c) => c.IdRepartidor === 'R-7');
      assert.match(
        norm(await couriers.filter({ hasText: 'Laura Sánchez' }).textContent()),
        new RegExp(cop(laura.ventas).replace(/[$.]/g, '\\$&')),
      );
      // Every amount on the page has two decimals.
      const amounts = await page
        .locator('main')
        .evaluate((main) => [...main.innerText.matchAll(/\$\s?[\d.]+(,\d+)?/g)].map((m) => m[0]));
      assert.ok(amounts.length > 5, `amounts: ${amounts}`);
      for (const a of amounts) assert.match(a, /,\d{2}$/, `"${a}" lacks two decimals`);

      const chart = page.getByRole('img', { name: /Ventas por hora/ });
      const values = await chart.locator('text.vbars__value').allTextContents();
      const expected = metrics.ventas_por_hora
        .filter((h) => h.ventas > 0)
        .map((h) => cop(h.ventas));
      assert.deepEqual(values.map(norm), expected);
      const ticks = (await chart.locator('text.vbars__tick').allTextContents()).map(norm);
      assert.equal(ticks[0], cop(0));
      assert.ok(ticks.length >= 3, `ticks: ${ticks}`);
      // Upright on screen: each value's box is taller than wide, inside the chart.
      const box = await chart.boundingBox();
      for (const value of await chart.locator('text.vbars__value').all()) {
        const b = await value.boundingBox();
        assert.ok(b.height > b.width, 'value not upright');
        assert.ok(b.y >= box.y - 1 && b.y + b.height <= box.y + box.height + 1, 'value clipped');
      }
    }));

  test('the day picker is dd/mm/aaaa in an en-US browser; another day is paused, never "Today"', (t) =>
    withServerLog(t, async () => {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        locale: 'en-US',
      });
      try {
        const us = await context.newPage();
        us.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
        await us.goto(`${server.baseUrl}/`);
        await us.getByLabel('Usuario').fill('admin');
        await us.getByLabel('Contraseña').fill(PASSWORD);
        await us.getByRole('button', { name: 'Ingresar' }).click();
        const token = await server.token();
        const { json: metrics } = await server.api('GET', '/metrics', { token });
        const picker = us.getByLabel('Día', { exact: true });
        await waitUntil(async () => (await picker.inputValue()) === ddmmyyyy(metrics.fecha), {
          timeoutMs: 5_000,
          what: `the day field to show ${ddmmyyyy(metrics.fecha)}`,
        });
        await waitUntil(
          async () => norm(await us.locator('.live-indicator__text').textContent()) === 'En vivo',
          {
            timeoutMs: 5_000,
            what: 'the indicator to say "En vivo"',
          },
        );

        // 12/01 typed in dd/mm: the 12th of January, whatever the browser's locale.
        const year = Number(metrics.fecha.slice(0, 4)) - 1;
        await picker.fill(`12/01/${year}`);
        await picker.press('Enter');
        await us
          .getByText('Viendo otro día: sin actualizaciones en vivo')
          .waitFor({ timeout: 5_000 });
        const heading = us.getByRole('heading', { level: 2, name: /Métricas del Día/ });
        await waitUntil(async () => /12 de enero de/.test(norm(await heading.textContent())), {
          timeoutMs: 5_000,
          what: 'the heading to name 12 January',
        });
        assert.equal(norm(await us.locator('.live-indicator__text').textContent()), 'En pausa');
        assert.equal(await us.getByText('En vivo', { exact: true }).count(), 0);
        assert.equal(await us.locator('.live-indicator--live').count(), 0);

        await us.getByRole('button', { name: 'English' }).click();
        const en = us.getByRole('heading', { level: 2, name: /Metrics of the Day/ });
        await en.waitFor();
        assert.match(norm(await en.textContent()), new RegExp(`January 12, ${year}`));
        assert.doesNotMatch(norm(await en.textContent()), /today/i);
        assert.equal(await us.getByLabel('Day', { exact: true }).inputValue(), `${year}-01-12`);
        assert.equal(norm(await us.locator('.live-indicator__text').textContent()), 'Paused');
        await us.getByRole('button', { name: 'Back to today' }).click();
        await waitUntil(
          async () => norm(await us.locator('.live-indicator__text').textContent()) === 'Live',
          {
            timeoutMs: 5_000,
            what: 'the indicator to say "Live" again',
          },
        );
        assert.match(norm(await en.textContent()), /Today, /);
      } finally {
        await context.close();
      }
    }));

  test('a screen flooded with live orders keeps at most 200 rows; older ones come back paged', (t) =>
    withServerLog(t, async () => {
      const token = await server.token();
      const FLOOD = 230;
      const ids = [];
      for (let batch = 0; batch < FLOOD; batch += 10) {
        const sent = await Promise.all(
          Array.from({ length: Math.min(10, FLOOD - batch) }, () => server.registerOrder(token)),
        );
        for (const { order } of sent) ids.push(order.pedido_id);
      }
      await orderRow(ids.at(-1)).waitFor({ timeout: 10_000 });
      const { json: metrics } = await server.api('GET', '/metrics', { token });
      await waitUntil(
        async () => norm(await kpi('Pedidos').textContent()) === count(metrics.total_pedidos),
        { timeoutMs: 10_000, what: 'the KPIs to count the flood' },
      );
      const rows = await tableRows().count();
      assert.ok(rows <= 200, `${rows} rows kept`);
      assert.ok(rows >= 190, `only ${rows} rows kept`);
      await page
        .getByText(`Mostrando ${count(rows)} de ${count(metrics.total_pedidos)} pedidos del día`)
        .waitFor({ timeout: 5_000 });

      // "Cargar más" goes on where the list was cut: no gap, no repeat.
      await page.getByRole('button', { name: 'Cargar más' }).click();
      await waitUntil(async () => (await tableRows().count()) > rows, {
        timeoutMs: 5_000,
        what: 'more rows after "Cargar más"',
      });
      const shownIds = await page
        .getByRole('table', { name: /Pedidos del día/ })
        .locator('tbody th button')
        .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('title')));
      const { json: listed } = await server.api(
        'GET',
        `/pedidos?fecha=${metrics.fecha}&limit=${shownIds.length}`,
        { token },
      );
      // The same orders as the server's newest ones (orders of the same
      // millisecond may stand in either order), each once.
      assert.equal(new Set(shownIds).size, shownIds.length, 'a row is repeated');
      assert.deepEqual([...shownIds].sort(), listed.pedidos.map((o) => o.pedido_id).sort());
    }));

  /** Registers an order and checks row and KPI appear within the budget, no reload. */
  async function orderArrivesLive(label) {
    await page.evaluate(() => {
      window.__cargomonNoReload = true;
    });
    const token = await server.token();
    const before = Number(norm(await kpi('Pedidos').textContent()).replace(/\D/g, ''));
    const { order, acknowledgedAt } = await server.registerOrder(token);

    const row = orderRow(order.pedido_id);
    await row.waitFor({ state: 'visible', timeout: LIVE_BUDGET_MS });
    const rowMs = Date.now() - acknowledgedAt;
    await waitUntil(
      async () =>
        Number(norm(await kpi('Pedidos').textContent()).replace(/\D/g, '')) === before + 1,
      {
        timeoutMs: Math.max(1, LIVE_BUDGET_MS - (Date.now() - acknowledgedAt)),
        what: `KPI "Pedidos" to become ${before + 1} (${label})`,
      },
    );
    const kpiMs = Date.now() - acknowledgedAt;
    assert.ok(kpiMs <= LIVE_BUDGET_MS + 50, `KPI updated after ${kpiMs} ms`);
    assert.match(norm(await row.first().textContent()), /Nuevo/);
    assert.equal(
      await page.evaluate(() => window.__cargomonNoReload === true),
      true,
      'the page reloaded',
    );
    // The newest order is the first row.
    const firstRow = page
      .getByRole('table', { name: /Pedidos del día/ })
      .locator('tbody tr')
      .first();
    assert.match(norm(await firstRow.textContent()), new RegExp(order.pedido_id.slice(0, 8)));
    console.log(`# ${label}: row after ${rowMs} ms, KPI after ${kpiMs} ms`);
  }

  test('an order registered through the API shows up within 1 s, without reload', (t) =>
    withServerLog(t, async () => {
      await orderArrivesLive('first live order');
      await page.screenshot({
        path: path.join(SHOTS_DIR, 'dashboard-desktop.png'),
        fullPage: true,
      });
    }));

  test('after a server restart on the same port the dashboard goes live again', (t) =>
    withServerLog(t, async () => {
      const port = server.port;
      await server.stop();
      await waitUntil(
        async () => ['Reconectando…', 'Sin conexión'].includes(await indicator().textContent()),
        { timeoutMs: 5_000, what: 'the indicator to show the lost connection' },
      );
      await server.start(`127.0.0.1:${port}`);
      assert.equal(server.port, port);
      // Backoff is 1, 2, 4, 8, 10 s: allow for a few attempts.
      await waitUntil(
        async () => {
          if (await page.getByRole('heading', { name: 'Iniciar sesión' }).isVisible()) {
            throw new Error(
              'the dashboard went back to the login page (token rejected after restart?)',
            );
          }
          return (await indicator().textContent()) === 'En vivo';
        },
        { timeoutMs: 25_000, what: 'the indicator to say "En vivo" again', intervalMs: 100 },
      );
      await orderArrivesLive('order after restart');
    }));

  test('fits a phone screen', (t) =>
    withServerLog(t, async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole('heading', { level: 2, name: /Métricas del Día/ }).waitFor();
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      await page.screenshot({ path: path.join(SHOTS_DIR, 'dashboard-phone.png'), fullPage: true });
      assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow} px on a phone`);
      await page.setViewportSize({ width: 1440, height: 900 });
    }));

  test('logging out returns to the login page', (t) =>
    withServerLog(t, async () => {
      await page.getByRole('button', { name: 'Cerrar sesión' }).click();
      await page.getByRole('heading', { name: 'Iniciar sesión' }).waitFor({ timeout: 5_000 });
      await page.getByText('Cerraste sesión.').waitFor();
    }));

  test('nothing was blocked by the Content-Security-Policy and no script failed', () => {
    assert.deepEqual(pageProblems, []);
  });
});
