import { useId, useState } from 'react';
import { addDays, formatDayInput, formatMoney, formatNumber, formatWeekday } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { useRange } from '../api/get-range';

type Span = 'week' | 'month';

/** The range a span covers, ending at `day` (the day being viewed). */
export function rangeOf(span: Span, day: string): { desde: string; hasta: string } {
  return { desde: span === 'week' ? addDays(day, -6) : `${day.slice(0, 8)}01`, hasta: day };
}

/**
 * The week or the month up to the viewed day: its totals, then a row per day
 * (week) or per ISO week (month) with a bar of its sales, from
 * /metrics/rango (per-day totals, never the orders).
 */
export function RangeSummary({ day }: { day: string }) {
  const { t, lang } = useI18n();
  const titleId = useId();
  const [span, setSpan] = useState<Span>('week');
  const { desde, hasta } = rangeOf(span, day);
  const range = useRange(desde, hasta);
  const rows = range.data
    ? span === 'week'
      ? range.data.dias.map((d) => ({
          key: d.fecha,
          label: `${formatWeekday(d.fecha, lang)} ${formatDayInput(d.fecha, lang)}`,
          ...d,
        }))
      : range.data.semanas.map((w) => ({
          key: w.desde,
          label: `${formatDayInput(w.desde, lang)} – ${formatDayInput(w.hasta, lang)}`,
          ...w,
        }))
    : [];
  const max = Math.max(0, ...rows.map((r) => r.ventas));
  return (
    <section className="card card--wide" aria-labelledby={titleId}>
      <h3 id={titleId} className="card__title">
        {t(span === 'week' ? 'range.title.week' : 'range.title.month')}
      </h3>
      <div className="segmented" role="group" aria-label={t('range.choose')}>
        {(['week', 'month'] as const).map((s) => (
          <button
            key={s}
            type="button"
            className="button button--secondary"
            aria-pressed={span === s}
            onClick={() => setSpan(s)}
          >
            {t(s === 'week' ? 'range.week' : 'range.month')}
          </button>
        ))}
      </div>
      {range.isError ? (
        <p className="alert alert--error" role="alert">
          {t('range.error')}
        </p>
      ) : !range.data ? (
        <p className="muted" role="status">
          {t('metrics.loading')}
        </p>
      ) : (
        <>
          <p className="range__total" data-testid="range-total">
            {t('range.total', {
              orders: formatNumber(range.data.total.pedidos, lang),
              sales: formatMoney(range.data.total.ventas, lang),
              average: formatMoney(range.data.total.precio_promedio_por_pedido, lang),
            })}
          </p>
          <div className="table-scroll">
            <table className="table range__table stack-table">
              <thead>
                <tr>
                  <th scope="col">{t(span === 'week' ? 'range.day' : 'range.weekRow')}</th>
                  <th scope="col" className="num">
                    {t('couriers.orders')}
                  </th>
                  <th scope="col" className="num">
                    {t('couriers.sales')}
                  </th>
                  <th scope="col" className="range__bar-col col-optional" aria-hidden="true" />
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.key}>
                    <th scope="row">{r.label}</th>
                    <td className="num" data-label={t('couriers.orders')}>
                      {formatNumber(r.pedidos, lang)}
                    </td>
                    <td className="num" data-label={t('couriers.sales')}>
                      {formatMoney(r.ventas, lang)}
                    </td>
                    <td className="range__bar-col col-optional" aria-hidden="true">
                      {/* An SVG bar: the strict CSP refuses inline styles. */}
                      <svg
                        className="range__bar"
                        viewBox="0 0 100 10"
                        preserveAspectRatio="none"
                        focusable="false"
                      >
                        <rect
                          className="hbar__fill"
                          x="0"
                          y="0"
                          width={max > 0 ? (r.ventas / max) * 100 : 0}
                          height="10"
                        />
                      </svg>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
