import { useQuery } from '@tanstack/react-query';
import { ApiError, requestJson } from '@/lib/api-client';
import { orderSchema } from './order-schema';
import type { Order } from './order-schema';

/** One stored order (GET /pedidos/{pedido_id}); null when there is none (404). */
export async function getOrder(id: string, signal?: AbortSignal): Promise<Order | null> {
  try {
    return await requestJson(`/pedidos/${encodeURIComponent(id)}`, (d) => orderSchema.parse(d), {
      signal,
    });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** The order of the detail; `shown` (the list's copy) stands in until it loads. */
export function useOrder(id: string, shown: Order | undefined) {
  return useQuery({
    queryKey: ['order', id],
    queryFn: ({ signal }) => getOrder(id, signal),
    placeholderData: shown,
    staleTime: 60_000,
  });
}
