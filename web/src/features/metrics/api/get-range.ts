import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { requestJson } from '@/lib/api-client';

const figures = {
  pedidos: z.number(),
  unidades: z.number(),
  ventas: z.number(),
  precio_promedio_por_pedido: z.number(),
};

/** GET /metrics/rango: a range's totals by day, ISO week and month (docs/api.md). */
export const rangeSchema = z.object({
  desde: z.string(),
  hasta: z.string(),
  total: z.object(figures),
  dias: z.array(z.object({ fecha: z.string(), ...figures })),
  semanas: z.array(z.object({ desde: z.string(), hasta: z.string(), ...figures })),
  meses: z.array(z.object({ desde: z.string(), hasta: z.string(), ...figures })),
});

export type RangeMetrics = z.infer<typeof rangeSchema>;

export function getRange(desde: string, hasta: string, signal?: AbortSignal) {
  return requestJson('/metrics/rango', (d) => rangeSchema.parse(d), {
    query: { desde, hasta },
    signal,
  });
}

export function useRange(desde: string, hasta: string) {
  return useQuery({
    queryKey: ['metrics-range', desde, hasta],
    queryFn: ({ signal }) => getRange(desde, hasta, signal),
    // Past days change only with late orders; today's refresh each minute.
    staleTime: 60_000,
    refetchInterval: 60_000,
  });
}
