#!/usr/bin/env node
// A stand-in for `cargomon serve`, only to exercise the e2e harness and the
// dashboard when the C++ server is not built. It speaks the subset of
// docs/api.md the dashboard uses, persists orders and its signing secret in
// --data-dir (so a restart keeps tokens valid, as the real server does), and
// serves --web-dir with the CSP the real server sends. Not a reference
// implementation: metrics are recomputed by scanning, money is summed in cents.
//
//   node e2e/fake-cargomon.mjs serve --listen 127.0.0.1:0 --data-dir DIR --web-dir dist
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { serverCsp } from './server-csp.mjs';

const CSP = serverCsp();
const OFFSET_MS = -5 * 3600 * 1000; // America/Bogota, no DST
const TZ = 'America/Bogota';

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : process.argv[i + 1];
}

if (process.argv[2] !== 'serve') {
  console.error('usage: fake-cargomon.mjs serve --listen HOST:PORT --data-dir DIR --web-dir DIR');
  process.exit(2);
}
const [host, portText] = arg('--listen', '127.0.0.1:8080').split(':');
const dataDir = arg('--data-dir', '.');
const webDir = arg('--web-dir', 'dist');
const adminPassword = process.env.CARGOMON_ADMIN_PASSWORD ?? 'admin';

const secretFile = path.join(dataDir, 'secret');
if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString('hex'));
const secret = readFileSync(secretFile, 'utf8');
const ordersFile = path.join(dataDir, 'orders.jsonl');
const orders = existsSync(ordersFile)
  ? readFileSync(ordersFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
  : [];

const b64 = (s) => Buffer.from(s).toString('base64url');
function sign(claims) {
  const head = `${b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64(JSON.stringify(claims))}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}
function verify(token) {
  const [h, p, s] = token.split('.');
  if (!h || !p || !s) return null;
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  return claims.exp * 1000 > Date.now() ? claims : null;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');
function localParts(ms) {
  const d = new Date(ms + OFFSET_MS);
  return {
    day: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    iso: `${d.toISOString().slice(0, 19)}.${pad(d.getUTCMilliseconds(), 3)}000-05:00`,
    hour: d.getUTCHours(),
  };
}
const today = () => localParts(Date.now()).day;
const cents = (n) => Math.round(n * 100);

function metricsOf(day) {
  const list = orders.filter((o) => o.fecha === day);
  const products = new Map();
  const couriers = new Map();
  const hours = Array.from({ length: 24 }, (_, hora) => ({ hora, pedidos: 0, ventas: 0 }));
  let sales = 0;
  let units = 0;
  for (const o of list) {
    sales += cents(o.total);
    units += o.unidades;
    const h = hours[Number(o.timestamp.slice(11, 13))];
    h.pedidos += 1;
    h.ventas += cents(o.total);
    const key = String(o.repartidor.IdRepartidor);
    const c = couriers.get(key) ?? { ...o.repartidor, pedidos: 0, unidades: 0, ventas: 0 };
    c.pedidos += 1;
    c.unidades += o.unidades;
    c.ventas += cents(o.total);
    couriers.set(key, c);
    for (const p of o.productos) {
      const q = p.cantidad ?? 1;
      const e = products.get(p.producto) ?? { producto: p.producto, unidades: 0, ventas: 0 };
      e.unidades += q;
      e.ventas += cents(p.precio) * q;
      products.set(p.producto, e);
    }
  }
  const productos = [...products.values()]
    .sort(
      (a, b) =>
        b.unidades - a.unidades || b.ventas - a.ventas || (a.producto < b.producto ? -1 : 1),
    )
    .map((p) => ({ ...p, ventas: p.ventas / 100 }));
  const last = list.at(-1);
  return {
    top_3_productos: productos.slice(0, 3).map((p) => [p.producto, p.unidades]),
    precio_promedio_por_pedido: list.length ? Math.round(sales / list.length) / 100 : 0,
    acumulado_ventas_dia: sales / 100,
    fecha: day,
    zona_horaria: TZ,
    total_pedidos: list.length,
    unidades: units,
    productos,
    ventas_por_hora: hours.map((h) => ({ ...h, ventas: h.ventas / 100 })),
    repartidores: [...couriers.values()]
      .sort((a, b) => b.ventas - a.ventas)
      .map((c) => ({ ...c, ventas: c.ventas / 100 })),
    ultimo_pedido: last
      ? { secuencia: last.secuencia, timestamp: last.timestamp, registrado_en: last.timestamp }
      : null,
  };
}

// Live stream: every open response, and a window of recent pedido events.
const streams = new Set();
const windowEvents = [];
// As the real server: only `pedido` events carry an id (the order's secuencia).
const frame = (event, data, id) =>
  `event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`;
const lastSeq = () => orders.at(-1)?.secuencia ?? 0;
let metricsTimer = null;
function publish(order) {
  const text = frame('pedido', { pedido: order }, order.secuencia);
  windowEvents.push({ id: order.secuencia, text });
  if (windowEvents.length > 1000) windowEvents.shift();
  for (const res of streams) res.write(text);
  metricsTimer ??= setTimeout(() => {
    metricsTimer = null;
    const m = frame('metrics', metricsOf(today()));
    for (const res of streams) res.write(m);
  }, 50);
}

/** Newest first: by order time, then by arrival (as the store lists them). */
function newestFirst(a, b) {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? 1 : -1;
  return b.secuencia - a.secuencia;
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
const readBody = (req) =>
  new Promise((resolve) => {
    let s = '';
    req.on('data', (c) => (s += c));
    req.on('end', () => resolve(s));
  });

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const auth = () => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const claims = m && verify(m[1]);
    if (!claims)
      send(
        res,
        401,
        { detail: 'Could not validate credentials' },
        { 'WWW-Authenticate': 'Bearer' },
      );
    return claims;
  };
  try {
    if (req.method === 'POST' && url.pathname === '/token') {
      const body = JSON.parse(await readBody(req));
      if (body.username !== 'admin' || body.password !== adminPassword) {
        return send(res, 401, { detail: 'Incorrect username or password' });
      }
      const iat = Math.floor(Date.now() / 1000);
      const token = sign({ sub: 'admin', role: 'admin', iat, exp: iat + 1800 });
      return send(res, 200, {
        access_token: token,
        token_type: 'bearer',
        expires_in: 1800,
        role: 'admin',
      });
    }
    if (req.method === 'POST' && url.pathname === '/registrar_pedido_entregado') {
      if (!auth()) return;
      const body = JSON.parse(await readBody(req));
      const existing = orders.find((o) => o.pedido_id === body.pedido_id);
      if (existing)
        return send(res, 200, { message: 'Pedido registrado exitosamente', pedido: existing });
      const at = body.timestamp ? Date.parse(body.timestamp) : Date.now();
      const local = localParts(at);
      const order = {
        pedido_id: body.pedido_id,
        repartidor: body.repartidor,
        productos: body.productos,
        timestamp: local.iso,
        fecha: local.day,
        total: body.productos.reduce((s, p) => s + cents(p.precio) * (p.cantidad ?? 1), 0) / 100,
        unidades: body.productos.reduce((s, p) => s + (p.cantidad ?? 1), 0),
        secuencia: lastSeq() + 1,
      };
      appendFileSync(ordersFile, `${JSON.stringify(order)}\n`);
      orders.push(order);
      send(res, 200, { message: 'Pedido registrado exitosamente', pedido: order });
      return publish(order);
    }
    if (req.method === 'GET' && url.pathname === '/metrics') {
      if (!auth()) return;
      return send(res, 200, metricsOf(url.searchParams.get('fecha') ?? today()));
    }
    if (req.method === 'GET' && url.pathname === '/pedidos') {
      if (!auth()) return;
      const q = url.searchParams;
      const list = orders
        .filter((o) => !q.get('fecha') || o.fecha === q.get('fecha'))
        .filter(
          (o) => !q.get('repartidor') || String(o.repartidor.IdRepartidor) === q.get('repartidor'),
        )
        .filter((o) => !q.get('hasta') || Date.parse(o.timestamp) < Date.parse(q.get('hasta')))
        .sort(newestFirst);
      const start = Number(q.get('cursor') ?? 0);
      const limit = Number(q.get('limit') ?? 100);
      const next = start + limit < list.length ? String(start + limit) : null;
      return send(res, 200, { pedidos: list.slice(start, start + limit), next_cursor: next });
    }
    if (req.method === 'GET' && url.pathname.startsWith('/pedidos/')) {
      if (!auth()) return;
      const id = decodeURIComponent(url.pathname.slice('/pedidos/'.length));
      const order = orders.find((o) => o.pedido_id === id);
      return order ? send(res, 200, order) : send(res, 404, { detail: 'Order not found' });
    }
    if (req.method === 'GET' && url.pathname === '/pedidos.csv') {
      if (!auth()) return;
      const fecha = url.searchParams.get('fecha') ?? '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(fecha)) {
        return send(res, 400, { detail: 'fecha must be a date YYYY-MM-DD' });
      }
      const formato = url.searchParams.get('formato') ?? 'csv';
      if (formato !== 'csv' && formato !== 'hoja') {
        return send(res, 400, { detail: 'formato must be csv or hoja' });
      }
      // formato=hoja: ';' between fields, decimal commas.
      const sep = formato === 'hoja' ? ';' : ',';
      const money = (n) => (formato === 'hoja' ? String(n).replace('.', ',') : String(n));
      // The real server's format (src/api/order_csv.hpp), newest first.
      const field = (value, text = true) => {
        let v = String(value);
        if (text && /^[=+\-@\t\r]/.test(v)) v = `'${v}`;
        return /[",;\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
      };
      const rows = orders
        .filter((o) => o.fecha === fecha)
        .sort(newestFirst)
        .flatMap((o) =>
          o.productos.map((p) =>
            [
              field(o.pedido_id),
              o.secuencia,
              o.timestamp,
              o.fecha,
              field(o.repartidor.IdRepartidor, typeof o.repartidor.IdRepartidor === 'string'),
              field(o.repartidor.Nombre),
              field(p.IdProducto),
              field(p.producto),
              money(p.precio),
              p.cantidad ?? 1,
              money((cents(p.precio) * (p.cantidad ?? 1)) / 100),
            ].join(sep),
          ),
        );
      res.writeHead(200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="pedidos-${fecha}${formato === 'hoja' ? '-hoja' : ''}.csv"`,
        'Cache-Control': 'no-store',
      });
      const header = (
        'pedido_id,secuencia,timestamp,fecha,IdRepartidor,Nombre,IdProducto,producto,precio,' +
        'cantidad,subtotal'
      ).replaceAll(',', sep);
      return res.end(`\uFEFF${[header, ...rows].map((r) => `${r}\r\n`).join('')}`);
    }
    if (req.method === 'GET' && url.pathname === '/eventos') {
      if (!auth()) return;
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write(frame('metrics', metricsOf(today())));
      const since = Number(req.headers['last-event-id'] ?? NaN);
      if (Number.isFinite(since) && since < lastSeq()) {
        const missed = windowEvents.filter((e) => e.id > since);
        if (missed.length && missed[0].id === since + 1) for (const e of missed) res.write(e.text);
        else res.write(frame('resync', { reason: 'events missed' }));
      }
      streams.add(res);
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15000);
      req.on('close', () => {
        clearInterval(keepAlive);
        streams.delete(res);
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/healthz')
      return send(res, 200, { status: 'ok' });
    if (req.method === 'GET' && url.pathname === '/openapi.json') {
      // The real server embeds the same document.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(readFileSync(new URL('../../docs/openapi.json', import.meta.url)));
    }
    if (req.method === 'GET') {
      // As the real server: '/' is the dashboard, '/docs' the API docs page.
      const pages = { '/': 'index.html', '/docs': 'docs.html', '/docs/': 'docs.html' };
      const rel = pages[url.pathname] ?? url.pathname.slice(1);
      const file = path.resolve(webDir, rel);
      if (file.startsWith(path.resolve(webDir)) && existsSync(file) && statSync(file).isFile()) {
        const type = MIME[path.extname(file)] ?? 'application/octet-stream';
        // As the real server: the policy goes with the HTML page.
        const page = type.startsWith('text/html')
          ? { 'Content-Security-Policy': CSP, 'X-Frame-Options': 'DENY' }
          : {};
        res.writeHead(200, { 'Content-Type': type, 'X-Content-Type-Options': 'nosniff', ...page });
        return res.end(readFileSync(file));
      }
    }
    send(res, 404, { detail: 'Not Found' });
  } catch (error) {
    send(res, 400, { detail: String(error) });
  }
});

server.listen(Number(portText), host, () => {
  const { port } = server.address();
  console.log(`cargomon listening on http://${host}:${port}`);
});
process.on('SIGTERM', () => {
  for (const res of streams) res.end();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
