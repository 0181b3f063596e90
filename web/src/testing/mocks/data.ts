// Fixtures shaped like cargomon's answers (docs/api.md), seeded from the
// original system's day: 13 orders, 268.8 in sales.

export const TODAY = '2024-09-12';
export const TIME_ZONE = 'America/Bogota';
export const ADMIN = { username: 'admin', password: 'correcto' };

export interface FakeOrder {
  pedido_id: string;
  repartidor: { IdRepartidor: number | string; Nombre: string };
  productos: { IdProducto: string; producto: string; precio: number; cantidad?: number }[];
  timestamp: string;
  fecha: string;
  total: number;
  unidades: number;
  secuencia: number;
}

export const COURIERS = [
  { IdRepartidor: 102, Nombre: 'Carlos García' },
  { IdRepartidor: 104, Nombre: 'María López' },
  { IdRepartidor: 'R-7', Nombre: 'Laura Sánchez' },
] as const;

const hours = (at: Record<number, number>) =>
  Array.from({ length: 24 }, (_, hora) => ({
    hora,
    pedidos: at[hora] ? 1 : 0,
    ventas: at[hora] ?? 0,
  }));

/** `comparacion` of /metrics (docs/api.md): today at 04:30 against Wednesday and last Thursday. */
export function makeComparison(overrides: Record<string, unknown> = {}) {
  return {
    hasta_hora: '04:30',
    dia_anterior: {
      fecha: '2024-09-11',
      pedidos: 10,
      ventas: 240,
      precio_promedio_por_pedido: 24,
      variacion_pedidos: 30,
      variacion_ventas: 12,
      variacion_precio_promedio: -13.8,
      dia_completo: { pedidos: 40, unidades: 120, ventas: 900, precio_promedio_por_pedido: 22.5 },
      ventas_por_hora: hours({ 3: 200, 4: 80, 12: 620 }),
    },
    semana_anterior: {
      fecha: '2024-09-05',
      pedidos: 14,
      ventas: 293.8,
      precio_promedio_por_pedido: 20.99,
      variacion_pedidos: -7.1,
      variacion_ventas: -8.5,
      variacion_precio_promedio: 0,
      dia_completo: { pedidos: 50, unidades: 150, ventas: 1100, precio_promedio_por_pedido: 22 },
      ventas_por_hora: hours({ 2: 150, 3: 100, 4: 87.6, 15: 762.4 }),
    },
    proyeccion_cierre: { pedidos: 46, ventas: 1006.42, segun: '2024-09-05' },
    ...overrides,
  };
}

export function makeRange(desde: string, hasta: string) {
  const days: string[] = [];
  for (let d = desde; d <= hasta;) {
    days.push(d);
    const [y = 0, m = 1, day = 1] = d.split('-').map(Number);
    d = new Date(Date.UTC(y, m - 1, day + 1)).toISOString().slice(0, 10);
  }
  const dias = days.map((fecha, i) => ({
    fecha,
    pedidos: i + 1,
    unidades: 2 * (i + 1),
    ventas: 100 * (i + 1),
    precio_promedio_por_pedido: 100,
  }));
  const sum = (key: 'pedidos' | 'unidades' | 'ventas') => dias.reduce((a, d) => a + d[key], 0);
  const total = {
    pedidos: sum('pedidos'),
    unidades: sum('unidades'),
    ventas: sum('ventas'),
    precio_promedio_por_pedido: 100,
  };
  return {
    desde,
    hasta,
    total,
    dias,
    semanas: [{ desde, hasta, ...total }],
    meses: [{ desde, hasta, ...total }],
  };
}

export function makeMetrics(overrides: Record<string, unknown> = {}) {
  return {
    top_3_productos: [
      ['Moneda', 9],
      ['Tarjeta SIM', 7],
      ['Estuche para gafas', 7],
    ],
    precio_promedio_por_pedido: 20.68,
    acumulado_ventas_dia: 268.8,
    fecha: TODAY,
    zona_horaria: TIME_ZONE,
    total_pedidos: 13,
    unidades: 50,
    productos: [
      { producto: 'Moneda', unidades: 9, ventas: 9 },
      { producto: 'Tarjeta SIM', unidades: 7, ventas: 35 },
      { producto: 'Estuche para gafas', unidades: 7, ventas: 56 },
      { producto: 'Tijeras pequeñas', unidades: 6, ventas: 84 },
      { producto: 'Lápiz', unidades: 5, ventas: 5 },
      { producto: 'Cuaderno', unidades: 4, ventas: 24 },
      { producto: 'Borrador', unidades: 3, ventas: 3.6 },
    ],
    otros_productos: { productos: 0, unidades: 0, ventas: 0 },
    ventas_por_hora: Array.from({ length: 24 }, (_, hora) => ({
      hora,
      pedidos: hora === 3 ? 10 : hora === 4 ? 3 : 0,
      ventas: hora === 3 ? 200.8 : hora === 4 ? 68 : 0,
    })),
    repartidores: [
      { IdRepartidor: 102, Nombre: 'Carlos García', pedidos: 6, unidades: 25, ventas: 150 },
      { IdRepartidor: 104, Nombre: 'María López', pedidos: 5, unidades: 20, ventas: 100.8 },
      { IdRepartidor: 'R-7', Nombre: 'Laura Sánchez', pedidos: 2, unidades: 5, ventas: 18 },
    ],
    otros_repartidores: { repartidores: 0, pedidos: 0, unidades: 0, ventas: 0 },
    ultimo_pedido: {
      secuencia: 130,
      timestamp: `${TODAY}T04:20:00.000000-05:00`,
      registrado_en: `${TODAY}T04:20:00.100000-05:00`,
    },
    comparacion: makeComparison(),
    ...overrides,
  };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `count` orders of TODAY, oldest first (secuencia 1..count). */
export function makeOrders(count: number): FakeOrder[] {
  return Array.from({ length: count }, (_, i) => {
    const courier = COURIERS[i % COURIERS.length]!;
    const seconds = 3 * 3600 + i * 60;
    const time = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:00`;
    return {
      pedido_id: `pedido-${pad(i + 1, 4)}`,
      repartidor: { ...courier },
      productos: [
        { IdProducto: 'pk0001', producto: 'Moneda', precio: 1 },
        { IdProducto: 'pk0007', producto: 'Tijeras pequeñas', precio: 14, cantidad: 2 },
      ],
      timestamp: `${TODAY}T${time}.000000-05:00`,
      fecha: TODAY,
      total: 29,
      unidades: 3,
      secuencia: i + 1,
    };
  });
}

export function makeOrder(overrides: Partial<FakeOrder> = {}): FakeOrder {
  return {
    pedido_id: 'nuevo-0001',
    repartidor: { IdRepartidor: 102, Nombre: 'Carlos García' },
    productos: [{ IdProducto: 'pk0100', producto: 'Audífonos', precio: 1234.5 }],
    timestamp: `${TODAY}T06:00:00.000000-05:00`,
    fecha: TODAY,
    total: 1234.5,
    unidades: 1,
    secuencia: 131,
    ...overrides,
  };
}
