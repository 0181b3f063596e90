// A wall screen that stays on, end to end: the real `cargomon serve` with
// one-minute access tokens, Debian's Chromium signed in with "Mantener esta
// pantalla conectada" in TV mode (?pantalla=1). Two minutes later, two
// renewals on, with no login in between, a new order still appears on it;
// then an admin revokes its session from the dashboard's list and the
// screen goes back to the login page.
//
// The two minutes are real wall time, which the test needs by design; it
// waits for them by polling conditions (the first token refused, the
// screen's token renewed twice), never by a fixed sleep.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureBuilt, launchChromium, Server, signIn, waitUntil } from './harness.mjs';

const SCREEN_USER = 'pantalla-bodega';
const SCREEN_PASSWORD = 'una pantalla en la pared';

describe('a wall screen that stays signed in', { timeout: 420_000 }, () => {
  let dataDir;
  let server;
  let browser;
  let adminToken;

  before(async () => {
    ensureBuilt();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'cargomon-e2e-sessions-'));
    server = new Server(dataDir, ['--token-ttl', '60']);
    await server.start('127.0.0.1:0');
    browser = await launchChromium();
    adminToken = await server.token();
    const created = await server.api('POST', '/usuarios', {
      token: adminToken,
      body: { username: SCREEN_USER, password: SCREEN_PASSWORD, role: 'viewer' },
    });
    assert.equal(created.status, 201, created.text);
    await server.registerOrder(adminToken);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop(5_000).catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** What the screen keeps of its session (localStorage: it was kept signed in). */
  const storedSession = (page) =>
    page.evaluate(() => JSON.parse(localStorage.getItem('cargomon.session') ?? 'null'));

  test('stays live for two minutes of one-minute tokens, and a revocation signs it out', async (t) => {
    const screenContext = await browser.newContext({
      viewport: { width: 1920, height: 1080 },
      locale: 'es-CO',
    });
    const screen = await screenContext.newPage();
    const problems = [];
    screen.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    t.after(() => screenContext.close().catch(() => undefined));

    await screen.goto(`${server.baseUrl}/?pantalla=1`);
    await screen.getByLabel('Usuario').fill(SCREEN_USER);
    await screen.getByLabel('Contraseña').fill(SCREEN_PASSWORD);
    await screen.getByLabel('Mantener esta pantalla conectada').check();
    await screen.getByRole('button', { name: 'Ingresar' }).click();
    await screen.getByTestId('tv').waitFor({ timeout: 10_000 });
    await screen.getByTestId('tv-orders').locator('li').first().waitFor({ timeout: 10_000 });
    const first = await storedSession(screen);
    assert.ok(first?.refreshToken, 'a refresh token is kept');
    assert.equal(first.keep, true);
    const signedInAt = Date.now();

    // The first token runs out (the server refuses it) and the screen has
    // renewed twice since: two minutes of one-minute tokens.
    const tokensSeen = new Set([first.token]);
    await waitUntil(
      async () => {
        const stored = await storedSession(screen);
        if (stored?.token) tokensSeen.add(stored.token);
        if (tokensSeen.size < 3 || Date.now() - signedInAt < 120_000) return false;
        const old = await server.api('GET', '/pedidos?limit=1', { token: first.token });
        return old.status === 401;
      },
      { timeoutMs: 200_000, intervalMs: 1_000, what: 'two renewals and two minutes' },
    );
    assert.equal(await screen.getByRole('heading', { name: 'Iniciar sesión' }).count(), 0);
    assert.equal(await screen.getByTestId('tv-lost').count(), 0, 'no lost-connection screen');
    assert.equal((await storedSession(screen)).sessionId, first.sessionId, 'one session');

    // Still live: a new order reaches the screen through the stream (sent
    // with a new token: the test's own lasts a minute too).
    const { order } = await server.registerOrder(await server.token(), {
      repartidor: { IdRepartidor: 555, Nombre: 'Nueva Repartidora' },
    });
    await screen.locator(`[data-order-id="${order.pedido_id}"]`).waitFor({ timeout: 15_000 });

    // An admin revokes the screen's session from the dashboard's list.
    const adminContext = await browser.newContext({
      viewport: { width: 1600, height: 900 },
      locale: 'es-CO',
    });
    t.after(() => adminContext.close().catch(() => undefined));
    const admin = await adminContext.newPage();
    await signIn(admin, server.baseUrl);
    await admin.getByRole('button', { name: 'Sesiones activas' }).click();
    const row = admin.locator(`[data-session-id="${first.sessionId}"]`);
    await row.waitFor({ timeout: 10_000 });
    assert.match(await row.innerText(), new RegExp(SCREEN_USER));
    await row.getByRole('button', { name: 'Revocar' }).click();
    await row.waitFor({ state: 'detached', timeout: 10_000 });

    // The screen is signed out at its next renewal: within one token's life.
    await screen.getByRole('heading', { name: 'Iniciar sesión' }).waitFor({ timeout: 90_000 });
    assert.match(await screen.locator('.login-form').innerText(), /revocada/);
    assert.equal(await storedSession(screen), null, 'nothing kept after the revocation');
    assert.deepEqual(problems, []);
  });
});
