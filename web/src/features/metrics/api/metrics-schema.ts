import { z } from 'zod';
import { dayInTimeZone } from '@/lib/format';

const DEFAULT_TIME_ZONE = 'America/Bogota';

/** `IdRepartidor` is "returned as sent": an integer or a string. */
export const courierIdSchema = z.union([z.number(), z.string()]);

const hoursSchema = z
  .array(z.object({ hora: z.number(), pedidos: z.number(), ventas: z.number() }))
  .default([]);

/** A day compared with, up to the same local time (docs/api.md, `comparacion`). */
const referenceDaySchema = z.object({
  fecha: z.string(),
  pedidos: z.number(),
  ventas: z.number(),
  precio_promedio_por_pedido: z.number(),
  variacion_pedidos: z.number().nullable(),
  variacion_ventas: z.number().nullable(),
  variacion_precio_promedio: z.number().nullable(),
  dia_completo: z.object({
    pedidos: z.number(),
    unidades: z.number(),
    ventas: z.number(),
    precio_promedio_por_pedido: z.number(),
  }),
  ventas_por_hora: hoursSchema,
});

export const comparisonSchema = z.object({
  hasta_hora: z.string(),
  dia_anterior: referenceDaySchema,
  semana_anterior: referenceDaySchema,
  proyeccion_cierre: z
    .object({ pedidos: z.number(), ventas: z.number(), segun: z.string() })
    .nullable(),
});

// The first three fields are the original API's; the rest are cargomon's
// extensions, defaulted so a server that lacks one still gets a dashboard.
export const metricsSchema = z
  .object({
    top_3_productos: z.array(z.tuple([z.string(), z.number()])),
    precio_promedio_por_pedido: z.number(),
    acumulado_ventas_dia: z.number(),
    fecha: z.string().optional(),
    zona_horaria: z.string().default(DEFAULT_TIME_ZONE),
    total_pedidos: z.number().default(0),
    unidades: z.number().default(0),
    productos: z
      .array(z.object({ producto: z.string(), unidades: z.number(), ventas: z.number() }))
      .default([]),
    ventas_por_hora: hoursSchema,
    repartidores: z
      .array(
        z.object({
          IdRepartidor: courierIdSchema,
          Nombre: z.string(),
          pedidos: z.number(),
          unidades: z.number(),
          ventas: z.number(),
        }),
      )
      .default([]),
    // The lists hold the first of each ranking; these sum the rest.
    otros_productos: z
      .object({ productos: z.number(), unidades: z.number(), ventas: z.number() })
      .default({ productos: 0, unidades: 0, ventas: 0 }),
    otros_repartidores: z
      .object({
        repartidores: z.number(),
        pedidos: z.number(),
        unidades: z.number(),
        ventas: z.number(),
      })
      .default({ repartidores: 0, pedidos: 0, unidades: 0, ventas: 0 }),
    ultimo_pedido: z
      .object({
        secuencia: z.number(),
        timestamp: z.string(),
        registrado_en: z.string().optional(),
      })
      .nullable()
      .optional()
      .transform((v) => v ?? null),
    // Absent from servers before it: then no card shows a comparison.
    comparacion: comparisonSchema
      .nullable()
      .optional()
      .transform((v) => v ?? null),
  })
  .transform((m) => ({ ...m, fecha: m.fecha ?? dayInTimeZone(new Date(), m.zona_horaria) }));

export type Metrics = z.infer<typeof metricsSchema>;
export type CourierMetrics = Metrics['repartidores'][number];
export type ProductMetrics = Metrics['productos'][number];
export type Comparison = z.infer<typeof comparisonSchema>;
export type ReferenceDay = Comparison['dia_anterior'];
