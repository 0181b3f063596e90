import { http, HttpResponse } from 'msw';
import { ADMIN, makeMetrics, makeOrders, makeRange, TODAY } from './data';
import { sse } from './sse';

export const TEST_TOKEN = 'test-token';

/** What the fake server holds; tests may replace it. */
export const db = {
  metrics: makeMetrics() as Record<string, unknown>,
  orders: makeOrders(130).reverse(), // newest first
  /** Every /pedidos query string seen, in order. */
  ordersRequests: [] as URLSearchParams[],
  metricsRequests: [] as URLSearchParams[],
  rangeRequests: [] as URLSearchParams[],
  /** The fecha of every /pedidos.csv request, in order. */
  csvRequests: [] as (string | null)[],
  /** The fecha of every /pedidos.xlsx request, in order. */
  xlsxRequests: [] as (string | null)[],
  /** The id of every GET /pedidos/{id}, in order. */
  orderRequests: [] as string[],
};

export function resetDb(): void {
  db.metrics = makeMetrics();
  db.orders = makeOrders(130).reverse();
  db.ordersRequests = [];
  db.metricsRequests = [];
  db.rangeRequests = [];
  db.csvRequests = [];
  db.xlsxRequests = [];
  db.orderRequests = [];
}

function unauthorized() {
  return HttpResponse.json(
    { detail: 'Could not validate credentials' },
    { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } },
  );
}

function authorized(request: Request): boolean {
  return request.headers.get('Authorization') === `Bearer ${TEST_TOKEN}`;
}

/**
 * The fake API at `base`: '' for the page's own origin, or another origin as
 * a dashboard configured by config.json would call.
 */
export function apiHandlers(base = '') {
  return [
    http.post(`${base}/token`, async ({ request }) => {
      const body = (await request.json()) as { username?: string; password?: string };
      if (body.username === ADMIN.username && body.password === ADMIN.password) {
        return HttpResponse.json({
          access_token: TEST_TOKEN,
          token_type: 'bearer',
          expires_in: 1800,
          role: 'admin',
        });
      }
      return HttpResponse.json({ detail: 'Incorrect username or password' }, { status: 401 });
    }),

    http.get(`${base}/metrics`, ({ request }) => {
      if (!authorized(request)) return unauthorized();
      const params = new URL(request.url).searchParams;
      db.metricsRequests.push(params);
      const fecha = params.get('fecha');
      if (fecha && fecha !== TODAY) {
        return HttpResponse.json(
          makeMetrics({
            fecha,
            total_pedidos: 0,
            unidades: 0,
            acumulado_ventas_dia: 0,
            precio_promedio_por_pedido: 0,
            top_3_productos: [],
            productos: [],
            repartidores: [],
            ultimo_pedido: null,
          }),
        );
      }
      return HttpResponse.json(db.metrics);
    }),

    http.get(`${base}/metrics/rango`, ({ request }) => {
      if (!authorized(request)) return unauthorized();
      const params = new URL(request.url).searchParams;
      db.rangeRequests.push(params);
      const desde = params.get('desde');
      const hasta = params.get('hasta');
      if (!desde || !hasta) {
        return HttpResponse.json({ detail: 'desde and hasta must be dates' }, { status: 400 });
      }
      return HttpResponse.json(makeRange(desde, hasta));
    }),

    http.get(`${base}/pedidos`, ({ request }) => {
      if (!authorized(request)) return unauthorized();
      const params = new URL(request.url).searchParams;
      db.ordersRequests.push(params);
      const limit = Number(params.get('limit') ?? '100');
      const fecha = params.get('fecha');
      const repartidor = params.get('repartidor');
      const hasta = params.get('hasta');
      const matching = db.orders.filter(
        (o) =>
          (!fecha || o.fecha === fecha) &&
          (!repartidor || String(o.repartidor.IdRepartidor) === repartidor) &&
          (!hasta || Date.parse(o.timestamp) < Date.parse(hasta)),
      );
      const cursor = params.get('cursor');
      const start = cursor ? Number(cursor.replace('c', '')) : 0;
      const page = matching.slice(start, start + limit);
      const next = start + limit < matching.length ? `c${start + limit}` : null;
      return HttpResponse.json({ pedidos: page, next_cursor: next });
    }),

    // The day's CSV, one row per order here (the real one has a row per product line).
    http.get(`${base}/pedidos.csv`, ({ request }) => {
      if (!authorized(request)) return unauthorized();
      const params = new URL(request.url).searchParams;
      const fecha = params.get('fecha');
      const formato = params.get('formato') ?? 'csv';
      db.csvRequests.push(fecha);
      if (!fecha) return HttpResponse.json({ detail: 'fecha is required' }, { status: 400 });
      if (formato !== 'csv' && formato !== 'hoja') {
        return HttpResponse.json({ detail: 'formato must be csv or hoja' }, { status: 400 });
      }
      const sep = formato === 'hoja' ? ';' : ',';
      const rows = db.orders
        .filter((o) => o.fecha === fecha)
        .map((o) => [o.pedido_id, o.secuencia, o.timestamp, o.fecha].join(sep) + '\r\n');
      const head = ['pedido_id', 'secuencia', 'timestamp', 'fecha'].join(sep);
      const name = formato === 'hoja' ? `pedidos-${fecha}-hoja.csv` : `pedidos-${fecha}.csv`;
      return new HttpResponse(`\uFEFF${head}\r\n${rows.join('')}`, {
        headers: {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': `attachment; filename="${name}"`,
        },
      });
    }),

    // The day's workbook: a zip's first bytes stand for it here.
    http.get(`${base}/pedidos.xlsx`, ({ request }) => {
      if (!authorized(request)) return unauthorized();
      const fecha = new URL(request.url).searchParams.get('fecha');
      db.xlsxRequests.push(fecha);
      if (!fecha) return HttpResponse.json({ detail: 'fecha is required' }, { status: 400 });
      return new HttpResponse(new Uint8Array([0x50, 0x4b, 0x03, 0x04]), {
        headers: {
          'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'Content-Disposition': `attachment; filename="pedidos-${fecha}.xlsx"`,
        },
      });
    }),

    http.get(`${base}/pedidos/:id`, ({ request, params }) => {
      if (!authorized(request)) return unauthorized();
      db.orderRequests.push(String(params.id));
      const order = db.orders.find((o) => o.pedido_id === params.id);
      if (!order) return HttpResponse.json({ detail: 'Order not found' }, { status: 404 });
      return HttpResponse.json(order);
    }),

    http.get(`${base}/eventos`, ({ request }) => {
      if (!authorized(request)) return unauthorized();
      const stream = sse.open(request.headers.get('Last-Event-ID'));
      return new HttpResponse(stream, {
        headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' },
      });
    }),
  ];
}

export const handlers = apiHandlers();
