import { useEffect, useId, useRef } from 'react';
import { formatDateTime, formatMoney, formatNumber } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { useOrder } from '../api/get-order';
import { orderTotal, orderUnits } from '../api/order-schema';
import type { Order } from '../api/order-schema';

export interface OrderDetailProps {
  id: string;
  /** The list's copy of the order, shown until the server's answers. */
  shown?: Order;
  timeZone: string;
  onClose: () => void;
}

/**
 * One order opened from the list or found by its id: its lines (product,
 * price, quantity, line total), the order's total, units, courier and times,
 * read from GET /pedidos/{pedido_id}. A modal dialog: focus moves into it and
 * stays there, Escape or the close button closes it, and focus goes back to
 * what opened it.
 */
export function OrderDetail({ id, shown, timeZone, onClose }: OrderDetailProps) {
  const { t, tn, lang } = useI18n();
  const titleId = useId();
  const closeRef = useRef<HTMLButtonElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  const query = useOrder(id, shown);
  const order = query.data;

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeRef.current?.focus();
    return () => opener?.focus();
  }, []);

  function onKeyDown(e: React.KeyboardEvent) {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
      return;
    }
    if (e.key !== 'Tab' || !dialogRef.current) return;
    // Keep Tab inside the dialog.
    const focusable = dialogRef.current.querySelectorAll<HTMLElement>(
      'button, [href], [tabindex]:not([tabindex="-1"])',
    );
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }

  return (
    <div className="modal" onClick={onClose}>
      <div
        ref={dialogRef}
        className="modal__dialog card"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onClick={(e) => e.stopPropagation()}
        onKeyDown={onKeyDown}
      >
        <div className="modal__header">
          <h2 id={titleId} className="card__title card__title--section">
            {t('detail.title')} <code className="modal__id">{id}</code>
          </h2>
          <button
            ref={closeRef}
            type="button"
            className="button button--secondary"
            onClick={onClose}
          >
            {t('detail.close')}
          </button>
        </div>
        {order === null ? (
          <p className="alert alert--error" role="alert">
            {t('detail.notFound', { id })}
          </p>
        ) : order === undefined ? (
          query.isError ? (
            <p className="alert alert--error" role="alert">
              {t('detail.error')}
            </p>
          ) : (
            <p className="muted" role="status">
              {t('detail.loading')}
            </p>
          )
        ) : (
          <>
            <dl className="detail__facts">
              <div>
                <dt>{t('orders.courier')}</dt>
                <dd>
                  {order.repartidor.Nombre}{' '}
                  <span className="muted">({String(order.repartidor.IdRepartidor)})</span>
                </dd>
              </div>
              <div>
                <dt>{t('detail.time')}</dt>
                <dd>
                  <time dateTime={order.timestamp}>
                    {formatDateTime(order.timestamp, timeZone, lang)}
                  </time>
                </dd>
              </div>
              {order.secuencia !== undefined && (
                <div>
                  <dt>{t('detail.sequence')}</dt>
                  <dd>{formatNumber(order.secuencia, lang)}</dd>
                </div>
              )}
              <div>
                <dt>{t('detail.units')}</dt>
                <dd>{formatNumber(orderUnits(order), lang)}</dd>
              </div>
            </dl>
            <div className="table-scroll">
              <table className="table detail__lines">
                <caption className="visually-hidden">
                  {tn('orders.lines', order.productos.length)}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{t('detail.product')}</th>
                    <th scope="col" className="num">
                      {t('detail.price')}
                    </th>
                    <th scope="col" className="num">
                      {t('detail.quantity')}
                    </th>
                    <th scope="col" className="num">
                      {t('detail.subtotal')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {order.productos.map((line, i) => {
                    const quantity = line.cantidad ?? 1;
                    // In cents: money is never multiplied as binary floats.
                    const subtotal = (Math.round(line.precio * 100) * quantity) / 100;
                    return (
                      <tr key={`${line.IdProducto}-${i}`}>
                        <th scope="row">
                          {line.producto} <span className="muted">({line.IdProducto})</span>
                        </th>
                        <td className="num" data-label={t('detail.price')}>
                          {formatMoney(line.precio, lang)}
                        </td>
                        <td className="num" data-label={t('detail.quantity')}>
                          {formatNumber(quantity, lang)}
                        </td>
                        <td className="num" data-label={t('detail.subtotal')}>
                          {formatMoney(subtotal, lang)}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row" colSpan={3}>
                      {t('detail.total')}
                    </th>
                    <td className="num detail__total">{formatMoney(orderTotal(order), lang)}</td>
                  </tr>
                </tfoot>
              </table>
            </div>
          </>
        )}
      </div>
    </div>
  );
}
