import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useLiveStream } from '@/features/live/api/use-live-stream';
import type { LiveState } from '@/features/live/api/use-live-stream';
import type { SseEvent } from '@/features/live/api/sse-parser';
import { applyLiveMetrics, invalidateMetrics } from '@/features/metrics/api/get-metrics';
import { applyLiveOrder, invalidateOrders } from '@/features/orders/api/get-orders';

function parseJson(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return null;
  }
}

/**
 * Wires the live stream into the query cache: `metrics` replaces today's
 * metrics, `pedido` inserts the order into today's lists, `resync` reloads.
 */
export function useLiveDashboard(enabled: boolean): LiveState {
  const queryClient = useQueryClient();
  const onEvent = useCallback(
    (event: SseEvent) => {
      switch (event.type) {
        case 'metrics':
          applyLiveMetrics(queryClient, parseJson(event.data));
          break;
        case 'pedido':
          applyLiveOrder(queryClient, parseJson(event.data));
          break;
        case 'resync':
          void invalidateMetrics(queryClient);
          void invalidateOrders(queryClient);
          break;
        default:
          break;
      }
    },
    [queryClient],
  );
  return useLiveStream(enabled, onEvent);
}
