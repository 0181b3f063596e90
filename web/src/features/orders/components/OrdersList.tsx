import { memo, useId } from 'react';
import { formatMoney, formatNumber, formatTime } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { useOrders } from '../api/get-orders';
import { orderTotal, orderUnits } from '../api/order-schema';
import type { OrderRow } from '../api/order-schema';

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
  now: number;
}

// Memoized: the list re-renders every second (for the badges' age), rows
// only when their own props change.
const OrderTableRow = memo(function OrderTableRow({
  order,
  timeZone,
  isNew,
}: {
  order: OrderRow;
  timeZone: string;
  isNew: boolean;
}) {
  const { t, tn, lang } = useI18n();
  const units = orderUnits(order);
  const lines = order.productos.length;
  return (
    <tr className={order.arrivedAt !== undefined ? 'order-row order-row--live' : 'order-row'}>
      <th scope="row" className="order-row__id">
        <code title={order.pedido_id}>{order.pedido_id}</code>
        {isNew && <span className="badge badge--new">{t('orders.new')}</span>}
      </th>
      <td>{order.repartidor.Nombre}</td>
      <td className="num col-optional" title={t('orders.productsCount', { lines, units })}>
        {formatNumber(units, lang)}
        {lines !== units && (
          <span className="muted orders__lines"> ({tn('orders.lines', lines)})</span>
        )}
      </td>
      <td className="num">{formatMoney(orderTotal(order), lang)}</td>
      <td className="num">
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
  now,
}: OrdersListProps) {
  const { t, tn } = useI18n();
  const titleId = useId();
  const query = useOrders(fecha === null ? null : { fecha, repartidor }, live);
  const rows = query.data?.pages.flatMap((page) => page.pedidos) ?? [];
  const knownCourier = repartidor === '' || couriers.some((c) => c.id === repartidor);

  return (
    <section className="card card--wide orders" aria-labelledby={titleId}>
      <div className="card__header">
        <h2 id={titleId} className="card__title card__title--section">
          {t('orders.title')}
        </h2>
        <label className="field field--inline">
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
      </div>

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
        <p className="empty">{t('orders.empty')}</p>
      ) : (
        <div className="table-scroll">
          <table className="table orders__table">
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
                />
              ))}
            </tbody>
          </table>
        </div>
      )}

      {rows.length > 0 && (
        <div className="orders__footer">
          <span className="muted">{tn('orders.shown', rows.length)}</span>
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
    </section>
  );
}
