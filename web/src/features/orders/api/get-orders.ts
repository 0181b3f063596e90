import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import { requestJson } from '@/lib/api-client';
import { orderSchema, ordersPageSchema } from './order-schema';
import type { Order, OrderRow, OrdersPage } from './order-schema';

export const PAGE_SIZE = 50;
/**
 * The most rows a list keeps while live orders come in: past it the oldest
 * are dropped and left to "Cargar más" to bring back, so a screen left open
 * all day stays light (800 orders in a few seconds once left 860 rows).
 */
export const MAX_ROWS = 200;

export interface OrdersFilter {
  /** Business day, YYYY-MM-DD. */
  fecha: string;
  /** `IdRepartidor` as a string, or '' for every courier. */
  repartidor: string;
}

/**
 * Where a page starts: the previous page's `next_cursor`, within the orders
 * before `hasta` (exclusive) when the list was cut (see `boundRows`).
 */
export interface PageParam {
  cursor: string | null;
  hasta: string | null;
}
export const FIRST_PAGE: PageParam = { cursor: null, hasta: null };

export interface RowsPage {
  pedidos: OrderRow[];
  /** Where the next page starts; null at the end. */
  next: PageParam | null;
}
export type OrdersData = InfiniteData<RowsPage, PageParam>;

export const ordersKey = (filter: OrdersFilter) =>
  ['orders', { fecha: filter.fecha, repartidor: filter.repartidor }] as const;

export function getOrders(
  filter: OrdersFilter,
  from: PageParam,
  signal?: AbortSignal,
): Promise<OrdersPage> {
  return requestJson('/pedidos', (d) => ordersPageSchema.parse(d), {
    query: {
      fecha: filter.fecha,
      repartidor: filter.repartidor,
      cursor: from.cursor,
      hasta: from.hasta,
      limit: PAGE_SIZE,
    },
    signal,
  });
}

async function getRowsPage(
  filter: OrdersFilter,
  from: PageParam,
  signal: AbortSignal,
): Promise<RowsPage> {
  const page = await getOrders(filter, from, signal);
  return {
    pedidos: page.pedidos,
    next: page.next_cursor ? { cursor: page.next_cursor, hasta: from.hasta } : null,
  };
}

export function ordersQueryOptions(filter: OrdersFilter, live: boolean) {
  return infiniteQueryOptions({
    queryKey: ordersKey(filter),
    queryFn: ({ pageParam, signal }) => getRowsPage(filter, pageParam, signal),
    initialPageParam: FIRST_PAGE,
    getNextPageParam: (last: RowsPage) => last.next,
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
  if (last.next) return data;
  last.pedidos.push(order);
  return { ...data, pages };
}

/**
 * Keeps at most `max` rows: the newest. The cut is placed between two rows of
 * different instants (a millisecond apart at least), and the last kept page
 * then goes on with the orders before the last kept row's `timestamp`
 * (`hasta` is exclusive, at the server's microseconds): exactly the dropped
 * rows, which "Cargar más" brings back. The rare list whose first `max`
 * rows share one millisecond is left whole.
 */
export function boundRows(data: OrdersData, max = MAX_ROWS): OrdersData {
  const rows = data.pages.flatMap((page) => page.pedidos);
  if (rows.length <= max) return data;
  const at = rows.map(instant);
  let keep = max;
  while (keep > 0 && !((at[keep - 1] ?? 0) > (at[keep] ?? 0))) keep -= 1;
  const lastKept = rows[keep - 1];
  if (keep === 0 || !lastKept) return data;
  const hasta = lastKept.timestamp;
  const pages: RowsPage[] = [];
  const pageParams: PageParam[] = [];
  let left = keep;
  for (const [i, page] of data.pages.entries()) {
    if (left === 0) break;
    pageParams.push(data.pageParams[i] ?? FIRST_PAGE);
    if (page.pedidos.length <= left) {
      // A whole page: its own next page starts right after it.
      pages.push(page);
      left -= page.pedidos.length;
    } else {
      pages.push({ pedidos: page.pedidos.slice(0, left), next: { cursor: null, hasta } });
      left = 0;
    }
  }
  return { pages, pageParams };
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
  queryClient.setQueriesData<OrdersData>(filters, (old) =>
    old ? boundRows(insertOrder(old, row)) : old,
  );
  for (const query of queryClient.getQueryCache().findAll(filters)) {
    const loaded = query.state.data as OrdersData | undefined;
    if (loaded === undefined && query.state.fetchStatus === 'fetching') {
      // Still loading for the first time, maybe read before this order was
      // stored: load it again rather than miss the order.
      void queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true });
    }
  }
  return order;
}

export function invalidateOrders(queryClient: QueryClient): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: ['orders'] });
}
