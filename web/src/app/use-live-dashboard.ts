import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect } from 'react';
import { POLL_INTERVAL_MS } from '@/features/live/api/event-stream';
import { useLiveStream } from '@/features/live/api/use-live-stream';
import type { LiveState } from '@/features/live/api/use-live-stream';
import type { SseEvent } from '@/features/live/api/sse-parser';
import {
  applyLiveMetrics,
  getMetrics,
  invalidateMetrics,
} from '@/features/metrics/api/get-metrics';
import {
  applyLiveOrder,
  FIRST_PAGE,
  getOrders,
  invalidateOrders,
} from '@/features/orders/api/get-orders';

function parseJson(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return null;
  }
}

/**
 * While there is no live stream, reads today's metrics and newest orders every
 * `intervalMs` and feeds them to the cache as the stream would: metrics
 * replace today's, new orders are inserted (marked new), known ones ignored.
 * The first poll waits one interval: the lists have just been loaded.
 */
function usePolling(active: boolean, intervalMs: number): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!active) return;
    const controller = new AbortController();
    const { signal } = controller;
    // Read through a function: it changes while poll() awaits.
    const stopped = () => signal.aborted;
    let busy = false;
    /** The previous poll's first page, to notice more new orders than one page holds. */
    let previousIds: Set<string> | null = null;

    const poll = async () => {
      // A slow answer must not pile up requests behind it.
      if (busy) return;
      busy = true;
      try {
        const metrics = await getMetrics(null, signal);
        if (stopped()) return;
        applyLiveMetrics(queryClient, metrics);
        const page = await getOrders({ fecha: metrics.fecha, repartidor: '' }, FIRST_PAGE, signal);
        if (stopped()) return;
        const now = Date.now();
        // Oldest first, so that orders of the same instant keep their order.
        for (const order of [...page.pedidos].reverse()) {
          applyLiveOrder(queryClient, { pedido: order }, now);
        }
        const ids = new Set(page.pedidos.map((o) => o.pedido_id));
        const overlaps =
          previousIds === null || page.pedidos.some((o) => previousIds?.has(o.pedido_id));
        // A whole page of orders none of which was there last time: there
        // may be more behind it, so reload the lists rather than leave a hole.
        if (!overlaps && page.next_cursor) void invalidateOrders(queryClient);
        previousIds = ids;
      } catch {
        // Try again at the next tick (a 401 has already ended the session).
      } finally {
        busy = false;
      }
    };

    const timer = setInterval(() => void poll(), intervalMs);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, [active, intervalMs, queryClient]);
}

/**
 * Wires the live stream into the query cache: `metrics` replaces today's
 * metrics, `pedido` inserts the order into today's lists, `resync` reloads.
 * Where the front door has no stream, polls instead (status 'polling').
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
  const live = useLiveStream(enabled, onEvent);
  usePolling(enabled && live.status === 'polling', POLL_INTERVAL_MS);
  return live;
}
