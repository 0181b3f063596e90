// End-to-end: the built dashboard on one origin (a tiny static server, as S3
// or any static host would be) and the real `cargomon serve` on another,
// joined by config.json and `--cors-origin`. Run with `npm run e2e`.
//
// Environment: CARGOMON_BIN and CHROMIUM_PATH, as for dashboard.e2e.mjs
// (which checks they exist and explains how to get them).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serverCsp } from './server-csp.mjs';

const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST_DIR = path.join(WEB_DIR, 'dist');
const BIN = path.resolve(WEB_DIR, process.env.CARGOMON_BIN ?? '../build/src/cli/cargomon');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PASSWORD = randomBytes(18).toString('base64url');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const norm = (s) =>
  String(s ?? '')
    .replace(/\s+/g, ' ')
    .trim();
const count = (n) => new Intl.NumberFormat('es-CO').format(n);

/** Polls `check` until it returns a truthy value or the deadline passes. */
async function waitUntil(check, { timeoutMs, what, intervalMs = 25 }) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`,
      );
    }
    await sleep(intervalMs);
  }
}

/** `cargomon serve` on a kernel-chosen loopback port, API only (no --web-dir). */
async function startCargomon(extraArgs) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cargomon-cors-e2e-'));
  const args = ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...extraArgs];
  const child = spawn(BIN, args, {
    env: { ...process.env, CARGOMON_ADMIN_PASSWORD: PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const log = [];
  const baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('cargomon did not start in 20 s')), 20_000);
    let buffered = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => log.push(chunk));
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      log.push(chunk);
      const match = /cargomon listening on (http:\/\/[^\s/]+:\d+)/.exec(buffered);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cargomon exited early (code ${code}):\n${log.join('')}`));
    });
  });

  async function api(method, pathname, { token, body } = {}) {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${baseUrl}${pathname}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : null, text };
  }

  return {
    baseUrl,
    log,
    api,
    async token() {
      const answer = await api('POST', '/token', {
        body: { username: 'admin', password: PASSWORD },
      });
      assert.equal(answer.status, 200, answer.text);
      return answer.json.access_token;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
      }
      process.removeListener('exit', killOnExit);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/**
 * web/dist as a static host serves it: files only, no API, a config.json
 * that the test sets, and the real server's CSP with the API's origin added
 * to connect-src (what a deployment on another origin must send).
 */
async function startStaticHost() {
  const host = { config: { apiBase: '' }, apiOrigin: '' };
  const server = createServer((req, res) => {
    const pathname = new URL(req.url, 'http://x').pathname;
    if (pathname === '/config.json') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
      res.end(JSON.stringify(host.config));
      return;
    }
    const relative = pathname === '/' ? 'index.html' : pathname.slice(1);
    const file = path.join(DIST_DIR, relative);
    if (!file.startsWith(DIST_DIR + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    const headers = { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' };
    if (file.endsWith('.html')) {
      headers['Content-Security-Policy'] = serverCsp().replace(
        "connect-src 'self'",
        `connect-src 'self' ${host.apiOrigin}`,
      );
    }
    res.writeHead(200, headers);
    res.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  host.origin = `http://127.0.0.1:${server.address().port}`;
  host.close = () => new Promise((resolve) => server.close(resolve));
  return host;
}

describe('the dashboard on another origin than the API', { timeout: 120_000 }, () => {
  let staticHost;
  let allowed; // cargomon with --cors-origin <the dashboard's origin>
  let other; // cargomon that allows some other origin only
  let browser;
  const pageProblems = [];

  before(async () => {
    if (!existsSync(path.join(DIST_DIR, 'index.html'))) {
      const build = spawnSync('npm', ['run', 'build'], { cwd: WEB_DIR, stdio: 'inherit' });
      assert.equal(build.status, 0, 'npm run build failed');
    }
    staticHost = await startStaticHost();
    allowed = await startCargomon(['--cors-origin', staticHost.origin]);
    other = await startCargomon(['--cors-origin', 'http://127.0.0.1:1']);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await allowed?.stop().catch(() => undefined);
    await other?.stop().catch(() => undefined);
    await staticHost?.close().catch(() => undefined);
  });

  /** A fresh page (own storage) on the dashboard's origin, pointed at `api`. */
  async function openDashboard(api) {
    staticHost.config = { apiBase: api.baseUrl };
    staticHost.apiOrigin = api.baseUrl;
    const context = await browser.newContext({ locale: 'es-CO' });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) pageProblems.push(message.text());
    });
    page.on('pageerror', (error) => pageProblems.push(`page error: ${error.message}`));
    await page.goto(`${staticHost.origin}/`);
    await page.getByRole('heading', { name: 'Iniciar sesión' }).waitFor({ timeout: 10_000 });
    await page.getByLabel('Usuario').fill('admin');
    await page.getByLabel('Contraseña').fill(PASSWORD);
    await page.getByRole('button', { name: 'Ingresar' }).click();
    return { context, page };
  }

  const withLog = (server) => async (fn) => {
    try {
      await fn();
    } catch (error) {
      error.message += `\n--- server output ---\n${server.log.join('').slice(-3000)}`;
      throw error;
    }
  };

  test('signs in, shows the metrics and a new order live, across origins', () =>
    withLog(allowed)(async () => {
      const token = await allowed.token();
      const seeded = await allowed.api('POST', '/registrar_pedido_entregado', {
        token,
        body: {
          pedido_id: randomUUID(),
          repartidor: { IdRepartidor: 102, Nombre: 'Carlos García' },
          productos: [{ IdProducto: 'pk0001', producto: 'Moneda', precio: 1, cantidad: 3 }],
        },
      });
      assert.equal(seeded.status, 200, seeded.text);

      const { context, page } = await openDashboard(allowed);
      try {
        await page
          .getByRole('heading', { level: 1, name: 'Monitoreo de Indicadores - Cargo Express' })
          .waitFor({ timeout: 10_000 });
        const indicator = page.locator('.live-indicator__text');
        await waitUntil(async () => (await indicator.textContent()) === 'En vivo', {
          timeoutMs: 10_000,
          what: 'the live indicator to say "En vivo" (the stream across origins)',
        });
        const kpi = (name) => page.getByRole('group', { name, exact: true }).locator('.kpi__value');
        await waitUntil(async () => norm(await kpi('Pedidos').textContent()) === count(1), {
          timeoutMs: 5_000,
          what: 'KPI "Pedidos" to read 1',
        });
        await waitUntil(async () => norm(await kpi('Unidades vendidas').textContent()) === '3', {
          timeoutMs: 5_000,
          what: 'KPI "Unidades vendidas" to read 3',
        });

        const pedidoId = randomUUID();
        const answer = await allowed.api('POST', '/registrar_pedido_entregado', {
          token,
          body: {
            pedido_id: pedidoId,
            repartidor: { IdRepartidor: 'R-7', Nombre: 'Laura Sánchez' },
            productos: [{ IdProducto: 'pk0042', producto: 'Tarjeta SIM', precio: 5000 }],
          },
        });
        assert.equal(answer.status, 200, answer.text);
        await page
          .getByRole('table', { name: /Pedidos del día/ })
          .getByRole('row')
          // A long id is shortened on screen; its button's name holds it whole.
          .filter({ has: page.getByRole('button', { name: `Ver el pedido ${pedidoId}` }) })
          .waitFor({ state: 'visible', timeout: 5_000 });
        await waitUntil(async () => norm(await kpi('Pedidos').textContent()) === count(2), {
          timeoutMs: 5_000,
          what: 'KPI "Pedidos" to read 2',
        });
        assert.deepEqual(pageProblems, []);
      } finally {
        await context.close();
      }
    }));

  test('without --cors-origin for the dashboard, the browser blocks the login and says so', () =>
    withLog(other)(async () => {
      // The API itself answers (outside a browser nothing checks origins)…
      await other.token();
      // …but the browser refuses to hand the answer to a page of another origin.
      const { context, page } = await openDashboard(other);
      try {
        await page
          .getByRole('alert')
          .filter({ hasText: 'No se pudo conectar con el servidor' })
          .waitFor({ timeout: 10_000 });
        assert.equal(await page.getByRole('button', { name: 'Cerrar sesión' }).count(), 0);
      } finally {
        await context.close();
      }
    }));
});
