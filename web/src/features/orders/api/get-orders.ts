import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import { requestJson } from '@/lib/api-client';
import { orderSchema, ordersPageSchema } from './order-schema';
import type { Order, OrderRow, OrdersPage } from './order-schema';

export const PAGE_SIZE = 50;
/**
 * A list that live orders have grown past this many rows is reloaded from
 * its first page, so a screen left open all day stays light.
 */
export const MAX_ROWS = 2000;

export interface OrdersFilter {
  /** Business day, YYYY-MM-DD. */
  fecha: string;
  /** `IdRepartidor` as a string, or '' for every courier. */
  repartidor: string;
}

type RowsPage = Omit<OrdersPage, 'pedidos'> & { pedidos: OrderRow[] };
export type OrdersData = InfiniteData<RowsPage, string | null>;

export const ordersKey = (filter: OrdersFilter) =>
  ['orders', { fecha: filter.fecha, repartidor: filter.repartidor }] as const;

export function getOrders(
  filter: OrdersFilter,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<OrdersPage> {
  return requestJson('/pedidos', (d) => ordersPageSchema.parse(d), {
    query: {
      fecha: filter.fecha,
      repartidor: filter.repartidor,
      cursor,
      limit: PAGE_SIZE,
    },
    signal,
  });
}

export function ordersQueryOptions(filter: OrdersFilter, live: boolean) {
  return infiniteQueryOptions({
    queryKey: ordersKey(filter),
    queryFn: ({ pageParam, signal }): Promise<RowsPage> => getOrders(filter, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last: RowsPage) => last.next_cursor ?? null,
    staleTime: live ? Infinity : 60_000,
  });
}

export function useOrders(filter: OrdersFilter | null, live: boolean) {
  return useInfiniteQuery({
    ...ordersQueryOptions(filter ?? { fecha: '', repartidor: '' }, live),
    enabled: filter !== null,
  });
}

function instant(order: Order): number {
  const ms = Date.parse(order.timestamp);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

/**
 * Puts a live order into a loaded list, newest first, unless it is there
 * already. An order older than everything loaded while more pages remain is
 * left for "Cargar más" to bring.
 */
export function insertOrder(data: OrdersData, order: OrderRow): OrdersData {
  for (const page of data.pages) {
    if (page.pedidos.some((p) => p.pedido_id === order.pedido_id)) return data;
  }
  const at = instant(order);
  const pages = data.pages.map((page) => ({ ...page, pedidos: [...page.pedidos] }));
  for (const page of pages) {
    // Equal times: the one that arrived later is newer, so it goes first.
    const index = page.pedidos.findIndex((p) => instant(p) <= at);
    if (index !== -1) {
      page.pedidos.splice(index, 0, order);
      return { ...data, pages };
    }
  }
  const last = pages[pages.length - 1];
  if (!last) return data;
  if (last.next_cursor) return data;
  last.pedidos.push(order);
  return { ...data, pages };
}

/**
 * Validates a `pedido` event's data and inserts the order into every loaded
 * list it belongs to (its day, every courier or its own courier). Returns the
 * order, or null when the data is malformed.
 */
export function applyLiveOrder(
  queryClient: QueryClient,
  data: unknown,
  now = Date.now(),
): Order | null {
  const parsed = orderSchema.safeParse((data as { pedido?: unknown } | null)?.pedido);
  if (!parsed.success) return null;
  const order = parsed.data;
  const row: OrderRow = { ...order, arrivedAt: now };
  const courier = String(order.repartidor.IdRepartidor);
  const filters = {
    queryKey: ['orders'],
    predicate: (query: { queryKey: readonly unknown[] }) => {
      const filter = query.queryKey[1] as OrdersFilter | undefined;
      if (!filter) return false;
      if (order.fecha !== undefined && filter.fecha !== order.fecha) return false;
      return filter.repartidor === '' || filter.repartidor === courier;
    },
  };
  queryClient.setQueriesData<OrdersData>(filters, (old) => (old ? insertOrder(old, row) : old));
  for (const query of queryClient.getQueryCache().findAll(filters)) {
    const loaded = query.state.data as OrdersData | undefined;
    if (loaded === undefined && query.state.fetchStatus === 'fetching') {
      // Still loading for the first time, maybe read before this order was
      // stored: load it again rather than miss the order.
      void queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true });
    } else if (loaded && loaded.pages.reduce((n, p) => n + p.pedidos.length, 0) > MAX_ROWS) {
      void queryClient.resetQueries({ queryKey: query.queryKey, exact: true });
    }
  }
  return order;
}

export function invalidateOrders(queryClient: QueryClient): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: ['orders'] });
}
