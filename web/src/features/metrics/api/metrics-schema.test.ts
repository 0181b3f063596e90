import { describe, expect, it } from 'vitest';
import { metricsSchema } from './metrics-schema';

describe('metricsSchema', () => {
  it('accepts the original three-field answer, defaulting the extensions', () => {
    const parsed = metricsSchema.parse({
      top_3_productos: [['Moneda', 9]],
      precio_promedio_por_pedido: 20.68,
      acumulado_ventas_dia: 268.8,
    });
    expect(parsed.zona_horaria).toBe('America/Bogota');
    expect(parsed.fecha).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(parsed.productos).toEqual([]);
    expect(parsed.repartidores).toEqual([]);
    expect(parsed.ultimo_pedido).toBeNull();
  });

  it('keeps string and integer courier ids as sent', () => {
    const parsed = metricsSchema.parse({
      top_3_productos: [],
      precio_promedio_por_pedido: 0,
      acumulado_ventas_dia: 0,
      fecha: '2024-09-12',
      repartidores: [
        { IdRepartidor: 102, Nombre: 'A', pedidos: 1, unidades: 1, ventas: 1 },
        { IdRepartidor: 'R-7', Nombre: 'B', pedidos: 1, unidades: 1, ventas: 1 },
      ],
    });
    expect(parsed.repartidores.map((r) => r.IdRepartidor)).toEqual([102, 'R-7']);
    expect(parsed.fecha).toBe('2024-09-12');
  });
});
