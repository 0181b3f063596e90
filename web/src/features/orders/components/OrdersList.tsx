import { memo, useId, useState } from 'react';
import { formatMoney, formatNumber, formatTime, shortId } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { getOrder } from '../api/get-order';
import { useOrders } from '../api/get-orders';
import { orderTotal, orderUnits } from '../api/order-schema';
import type { Order, OrderRow } from '../api/order-schema';
import { OrderDetail } from './OrderDetail';

/** How long a live row keeps its "Nuevo" badge. */
export const NEW_BADGE_MS = 60_000;

export interface CourierOption {
  id: string;
  name: string;
}

export interface OrdersListProps {
  /** Business day shown; null while it is not known yet. */
  fecha: string | null;
  /** True when `fecha` is today: live orders are inserted. */
  live: boolean;
  timeZone: string;
  couriers: CourierOption[];
  repartidor: string;
  onRepartidorChange: (id: string) => void;
  /** How many orders the day (of the chosen courier) has, from /metrics; null if unknown. */
  total: number | null;
  now: number;
}

/** Does a listed order match what was typed in the search box? */
function matches(order: Order, q: string): boolean {
  const needle = q.toLocaleLowerCase();
  return (
    order.pedido_id.toLocaleLowerCase().includes(needle) ||
    order.repartidor.Nombre.toLocaleLowerCase().includes(needle) ||
    String(order.repartidor.IdRepartidor).toLocaleLowerCase() === needle
  );
}

// Memoized: the list re-renders every second (for the badges' age), rows
// only when their own props change.
const OrderTableRow = memo(function OrderTableRow({
  order,
  timeZone,
  isNew,
  onOpen,
}: {
  order: OrderRow;
  timeZone: string;
  isNew: boolean;
  onOpen: (order: OrderRow) => void;
}) {
  const { t, tn, lang } = useI18n();
  const units = orderUnits(order);
  const lines = order.productos.length;
  return (
    // A click or tap anywhere on the row opens it; the id's button is the
    // same for the keyboard and screen readers.
    <tr
      className={order.arrivedAt !== undefined ? 'order-row order-row--live' : 'order-row'}
      onClick={() => onOpen(order)}
    >
      <th scope="row" className="order-row__id">
        <button
          type="button"
          className="order-row__open"
          title={order.pedido_id}
          aria-label={t('orders.open', { id: order.pedido_id })}
          onClick={(e) => {
            e.stopPropagation();
            onOpen(order);
          }}
        >
          <code>{shortId(order.pedido_id)}</code>
        </button>
        {isNew && <span className="badge badge--new">{t('orders.new')}</span>}
      </th>
      <td className="order-row__courier">{order.repartidor.Nombre}</td>
      <td
        className="num col-optional order-row__products"
        data-label={t('orders.products')}
        title={t('orders.productsCount', { lines, units })}
      >
        {formatNumber(units, lang)}
        {lines !== units && (
          <span className="muted orders__lines"> ({tn('orders.lines', lines)})</span>
        )}
      </td>
      <td className="num order-row__total" data-label={t('orders.total')}>
        {formatMoney(orderTotal(order), lang)}
      </td>
      <td className="num order-row__time">
        <time dateTime={order.timestamp}>{formatTime(order.timestamp, timeZone, lang)}</time>
      </td>
    </tr>
  );
});

export function OrdersList({
  fecha,
  live,
  timeZone,
  couriers,
  repartidor,
  onRepartidorChange,
  total,
  now,
}: OrdersListProps) {
  const { t, tn, lang } = useI18n();
  const titleId = useId();
  const searchId = useId();
  const searchHintId = useId();
  const query = useOrders(fecha === null ? null : { fecha, repartidor }, live);
  const loaded = query.data?.pages.flatMap((page) => page.pedidos) ?? [];
  const knownCourier = repartidor === '' || couriers.some((c) => c.id === repartidor);
  const [search, setSearch] = useState('');
  const [searchError, setSearchError] = useState<string | null>(null);
  const [opened, setOpened] = useState<{ id: string; shown?: Order } | null>(null);
  const q = search.trim();
  const rows = q === '' ? loaded : loaded.filter((o) => matches(o, q));

  // Enter in the search box: the listed order with exactly that id, else
  // the one courier whose name or id it matches (the server then lists all
  // of theirs), else the stored order with that id (GET /pedidos/{id}).
  async function submitSearch() {
    setSearchError(null);
    if (q === '') return;
    const listed = loaded.find((o) => o.pedido_id === q);
    if (listed) {
      setOpened({ id: listed.pedido_id, shown: listed });
      return;
    }
    const needle = q.toLocaleLowerCase();
    const courierMatches = couriers.filter(
      (c) => c.id.toLocaleLowerCase() === needle || c.name.toLocaleLowerCase().includes(needle),
    );
    const [onlyCourier, ...otherCouriers] = courierMatches;
    if (onlyCourier && otherCouriers.length === 0) {
      onRepartidorChange(onlyCourier.id);
      setSearch('');
      return;
    }
    try {
      const found = await getOrder(q);
      if (found) setOpened({ id: found.pedido_id, shown: found });
      else setSearchError(t('orders.notFound', { q }));
    } catch {
      setSearchError(t('orders.notFound', { q }));
    }
  }

  return (
    <section className="card card--wide orders" aria-labelledby={titleId}>
      <div className="card__header">
        <h2 id={titleId} className="card__title card__title--section">
          {t('orders.title')}
        </h2>
        <label className="field field--inline orders__filter">
          <span className="field__label">{t('orders.filter')}</span>
          <select
            className="field__input"
            value={repartidor}
            onChange={(e) => onRepartidorChange(e.target.value)}
          >
            <option value="">{t('orders.filterAll')}</option>
            {!knownCourier && <option value={repartidor}>{repartidor}</option>}
            {couriers.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.id})
              </option>
            ))}
          </select>
        </label>
        <form
          className="field field--inline orders__search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            void submitSearch();
          }}
        >
          <label className="field__label" htmlFor={searchId}>
            {t('orders.search')}
          </label>
          <input
            id={searchId}
            className="field__input"
            type="search"
            autoComplete="off"
            spellCheck={false}
            value={search}
            aria-describedby={searchHintId}
            onChange={(e) => {
              setSearch(e.target.value);
              setSearchError(null);
            }}
          />
          <button type="submit" className="button button--secondary">
            {t('orders.searchSubmit')}
          </button>
          <span id={searchHintId} className="visually-hidden">
            {t('orders.searchHint')}
          </span>
        </form>
      </div>
      {searchError !== null && (
        <p className="alert alert--error" role="alert">
          {searchError}
        </p>
      )}

      {query.isPending ? (
        <p className="muted" role="status">
          {t('orders.loading')}
        </p>
      ) : query.isError && rows.length === 0 ? (
        <div className="alert alert--error" role="alert">
          {t('orders.error')}{' '}
          <button
            type="button"
            className="button button--link"
            onClick={() => void query.refetch()}
          >
            {t('error.retry')}
          </button>
        </div>
      ) : rows.length === 0 ? (
        <p className="empty">{q === '' ? t('orders.empty') : t('orders.searchNone', { q })}</p>
      ) : (
        <div className="table-scroll">
          <table className="table orders__table stack-table">
            <caption className="visually-hidden">{t('orders.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('orders.id')}</th>
                <th scope="col">{t('orders.courier')}</th>
                <th scope="col" className="num col-optional">
                  {t('orders.products')}
                </th>
                <th scope="col" className="num">
                  {t('orders.total')}
                </th>
                <th scope="col" className="num">
                  {t('orders.time')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((order) => (
                <OrderTableRow
                  key={order.pedido_id}
                  order={order}
                  timeZone={timeZone}
                  isNew={order.arrivedAt !== undefined && now - order.arrivedAt < NEW_BADGE_MS}
                  onOpen={(o) => setOpened({ id: o.pedido_id, shown: o })}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}

      {loaded.length > 0 && (
        <div className="orders__footer">
          <span className="muted">
            {total !== null && total >= loaded.length
              ? tn('orders.shownOf', loaded.length, { total: formatNumber(total, lang) })
              : tn('orders.shown', loaded.length)}
          </span>
          {query.hasNextPage ? (
            <button
              type="button"
              className="button button--secondary"
              onClick={() => void query.fetchNextPage()}
              disabled={query.isFetchingNextPage}
            >
              {query.isFetchingNextPage ? t('orders.loadingMore') : t('orders.loadMore')}
            </button>
          ) : (
            <span className="muted">{t('orders.end')}</span>
          )}
        </div>
      )}
      {query.isFetchNextPageError && (
        <p className="alert alert--error" role="alert">
          {t('orders.error')}
        </p>
      )}
      {opened && (
        <OrderDetail
          key={opened.id}
          id={opened.id}
          {...(opened.shown ? { shown: opened.shown } : {})}
          timeZone={timeZone}
          onClose={() => setOpened(null)}
        />
      )}
    </section>
  );
}
