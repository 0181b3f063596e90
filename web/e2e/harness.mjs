// What the e2e suites share: where things are, the preflight, polling,
// the dashboard's number formats, the real server (started on port 0 with a
// fresh data dir) and the headless browser. Node 18.18+ (see dashboard.e2e.mjs).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = path.resolve(WEB_DIR, '..');
export const DIST_DIR = path.join(WEB_DIR, 'dist');
export const BIN = path.resolve(WEB_DIR, process.env.CARGOMON_BIN ?? '../build/src/cli/cargomon');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS_DIR = path.join(REPO_DIR, 'build', 'e2e-screenshots');
export const PASSWORD = randomBytes(18).toString('base64url');

// ---------------------------------------------------------------- preflight

/** Why `file` cannot be run, or null when it is an executable file. */
function notExecutable(file) {
  try {
    if (!statSync(file).isFile()) return 'not a file';
    accessSync(file, constants.X_OK);
    return null;
  } catch (error) {
    return error.code === 'ENOENT'
      ? 'not found'
      : `not executable (${error.code ?? error.message})`;
  }
}

// Checked before any test starts, so a machine without the browser or the
// server fails with one clear message instead of a list of cancelled tests.
const missing = [];
const chromiumProblem = notExecutable(CHROMIUM);
if (chromiumProblem) {
  missing.push(
    `Chromium ${chromiumProblem} at ${CHROMIUM}: install Debian's browser ` +
      `(apt-get install -y chromium) or set CHROMIUM_PATH. Nothing downloads a browser.`,
  );
}
const binProblem = notExecutable(BIN);
if (binProblem) {
  missing.push(
    `cargomon binary ${binProblem} at ${BIN}: build it ` +
      `(cmake --build build --target cargomon) or set CARGOMON_BIN.`,
  );
}
if (missing.length > 0) {
  throw new Error(`e2e cannot run:\n  - ${missing.join('\n  - ')}`);
}

/**
 * Makes `dir` (default SHOTS_DIR) and removes its failure screenshots: one
 * left by an earlier run would read as this run's. Each suite has its own.
 */
export function clearFailureShots(dir = SHOTS_DIR) {
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(dir)) {
    if (/^failure-.*\.png$/.test(file)) rmSync(path.join(dir, file), { force: true });
  }
}

// ---------------------------------------------------------------- helpers

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function waitUntil(check, { timeoutMs, what, intervalMs = 20 }) {
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

export const norm = (s) =>
  String(s ?? '')
    .replace(/\s+/g, ' ')
    .trim();

/** The dashboard's money format: COP, always two decimals. */
export function cop(amount) {
  return norm(
    new Intl.NumberFormat('es-CO', {
      style: 'currency',
      currency: 'COP',
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    }).format(amount),
  );
}
/** "YYYY-MM-DD" as the Spanish day field shows it. */
export const ddmmyyyy = (day) => day.split('-').reverse().join('/');
export const count = (n) => new Intl.NumberFormat('es-CO').format(n);

// ---------------------------------------------------------------- server

export class Server {
  /** `extraArgs`: more flags for `cargomon serve` (say, a short `--token-ttl`). */
  constructor(dataDir, extraArgs = []) {
    this.dataDir = dataDir;
    this.extraArgs = extraArgs;
    this.child = null;
    this.log = [];
    this.baseUrl = null;
    this.port = null;
  }

  /** Starts `cargomon serve` and resolves once it prints its address. */
  async start(listen, { timeoutMs = 20_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    // A restart on the same port may briefly find it busy: try until the deadline.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#startOnce(listen, deadline);
      } catch (error) {
        if (Date.now() >= deadline || !error.exitedEarly) throw error;
        this.log.push(`(attempt ${attempt} failed: ${error.message}; retrying)`);
        await sleep(200);
      }
    }
  }

  #startOnce(listen, deadline) {
    const args = [
      'serve',
      '--listen',
      listen,
      '--data-dir',
      this.dataDir,
      '--web-dir',
      DIST_DIR,
      ...this.extraArgs,
    ];
    const child = spawn(BIN, args, {
      env: { ...process.env, CARGOMON_ADMIN_PASSWORD: PASSWORD },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    // Last resort if the runner exits without running `after` (an uncaught error).
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    return new Promise((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(
        () => fail(new Error(`server did not print its address in time`)),
        Math.max(0, deadline - Date.now()),
      );
      const fail = (error) => {
        clearTimeout(timer);
        reject(error);
      };
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (chunk) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          this.log.push(`[out] ${line}`);
          const match = /cargomon listening on (http:\/\/[^\s/]+:(\d+))/.exec(line);
          if (match) {
            this.baseUrl = match[1];
            this.port = Number(match[2]);
            clearTimeout(timer);
            resolve(this);
          }
        }
      });
      child.stderr.on('data', (chunk) => this.log.push(`[err] ${chunk.trimEnd()}`));
      child.on('error', (error) => fail(error));
      child.on('exit', (code, signal) => {
        this.log.push(`(exited: code ${code}, signal ${signal})`);
        const error = new Error(`server exited before listening (code ${code}, signal ${signal})`);
        error.exitedEarly = true;
        fail(error);
      });
    });
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 10_000) {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timedOut = await Promise.race([
      exited.then(() => false),
      sleep(graceMs).then(() => true),
    ]);
    if (timedOut) {
      this.log.push('(did not stop on SIGTERM; sending SIGKILL)');
      child.kill('SIGKILL');
      await exited;
    }
  }

  async api(method, pathname, { token, body } = {}) {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${pathname}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      // Not JSON.
    }
    return { status: response.status, json, text };
  }

  async token() {
    const answer = await this.api('POST', '/token', {
      body: { username: 'admin', password: PASSWORD },
    });
    assert.equal(answer.status, 200, `POST /token: ${answer.text}`);
    return answer.json.access_token;
  }

  async registerOrder(token, overrides = {}) {
    const order = {
      pedido_id: randomUUID(),
      repartidor: { IdRepartidor: 102, Nombre: 'Carlos García' },
      productos: [
        { IdProducto: 'pk0001', producto: 'Moneda', precio: 1 },
        { IdProducto: 'pk0007', producto: 'Tijeras pequeñas', precio: 14.35, cantidad: 2 },
      ],
      ...overrides,
    };
    const answer = await this.api('POST', '/registrar_pedido_entregado', { token, body: order });
    const at = Date.now();
    assert.equal(answer.status, 200, `POST /registrar_pedido_entregado: ${answer.text}`);
    return { order: answer.json.pedido ?? order, acknowledgedAt: at };
  }
}

/** Builds dist/ if it is missing (the suites serve it with --web-dir). */
export function ensureBuilt() {
  if (!existsSync(path.join(DIST_DIR, 'index.html'))) {
    const build = spawnSync('npm', ['run', 'build'], { cwd: WEB_DIR, stdio: 'inherit' });
    assert.equal(build.status, 0, 'npm run build failed');
  }
}

/** Debian's Chromium, headless, as containers need it. */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      // Containers often have a small /dev/shm; Chromium then crashes.
      '--disable-dev-shm-usage',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Signs in on the login page as the admin. */
export async function signIn(page, baseUrl) {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Usuario').fill('admin');
  await page.getByLabel('Contraseña').fill(PASSWORD);
  await page.getByRole('button', { name: 'Ingresar' }).click();
  await page
    .getByRole('heading', { level: 1, name: 'Monitoreo de Indicadores - Cargo Express' })
    .waitFor({ timeout: 10_000 });
}
