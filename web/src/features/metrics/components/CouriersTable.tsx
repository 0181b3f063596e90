import { useId } from 'react';
import { formatMoney, formatNumber } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import type { Metrics } from '../api/metrics-schema';

export function CouriersTable({ metrics }: { metrics: Metrics }) {
  const { t, tn, lang } = useI18n();
  const titleId = useId();
  const others = metrics.otros_repartidores;
  return (
    <section className="card couriers" aria-labelledby={titleId}>
      <h3 id={titleId} className="card__title">
        {t('couriers.title')}
      </h3>
      {metrics.repartidores.length === 0 ? (
        <p className="empty">{t('couriers.empty')}</p>
      ) : (
        <div className="table-scroll">
          <table className="table couriers__table stack-table">
            <caption className="card__caption">{t('couriers.caption')}</caption>
            <thead>
              <tr>
                <th scope="col" className="col-optional">
                  {t('couriers.id')}
                </th>
                <th scope="col">{t('couriers.name')}</th>
                <th scope="col" className="num">
                  {t('couriers.orders')}
                </th>
                <th scope="col" className="num">
                  {t('couriers.units')}
                </th>
                <th scope="col" className="num">
                  {t('couriers.sales')}
                </th>
              </tr>
            </thead>
            <tbody>
              {metrics.repartidores.map((c) => (
                <tr key={String(c.IdRepartidor)}>
                  <td className="col-optional">{String(c.IdRepartidor)}</td>
                  <th scope="row">{c.Nombre}</th>
                  <td className="num" data-label={t('couriers.orders')}>
                    {formatNumber(c.pedidos, lang)}
                  </td>
                  <td className="num" data-label={t('couriers.units')}>
                    {formatNumber(c.unidades, lang)}
                  </td>
                  <td className="num" data-label={t('couriers.sales')}>
                    {formatMoney(c.ventas, lang)}
                  </td>
                </tr>
              ))}
              {others.repartidores > 0 && (
                <tr className="table__others">
                  <td className="col-optional" />
                  <th scope="row">{tn('couriers.others', others.repartidores)}</th>
                  <td className="num" data-label={t('couriers.orders')}>
                    {formatNumber(others.pedidos, lang)}
                  </td>
                  <td className="num" data-label={t('couriers.units')}>
                    {formatNumber(others.unidades, lang)}
                  </td>
                  <td className="num" data-label={t('couriers.sales')}>
                    {formatMoney(others.ventas, lang)}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
