import { useId, useState } from 'react';
import { formatMoney, formatNumber } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import type { Metrics, ProductMetrics } from '../api/metrics-schema';

/** Rows shown before "Ver más". */
const COLLAPSED_ROWS = 5;
const TOP = 3;

function productsOf(metrics: Metrics): ProductMetrics[] {
  if (metrics.productos.length > 0) return metrics.productos;
  // A server without the extension fields: the top 3 is all there is.
  return metrics.top_3_productos.map(([producto, unidades]) => ({ producto, unidades, ventas: 0 }));
}

export function TopProductsChart({ metrics }: { metrics: Metrics }) {
  const { t, tn, lang } = useI18n();
  const [expanded, setExpanded] = useState(false);
  const listId = useId();
  const titleId = useId();
  const products = productsOf(metrics);
  const max = Math.max(1, ...products.map((p) => p.unidades));
  const shown = expanded ? products : products.slice(0, COLLAPSED_ROWS);

  return (
    <section className="card" aria-labelledby={titleId}>
      <h3 id={titleId} className="card__title">
        {t('top.title')}
      </h3>
      <p className="card__caption">{t('top.caption')}</p>
      {products.length === 0 ? (
        <p className="empty">{t('top.empty')}</p>
      ) : (
        <ol id={listId} className="hbars" aria-labelledby={titleId}>
          {shown.map((p, index) => {
            const top = index < TOP;
            const pct = (p.unidades / max) * 100;
            return (
              <li
                key={p.producto}
                className={top ? 'hbar hbar--top' : 'hbar'}
                data-rank={index + 1}
              >
                <span className="hbar__rank" aria-hidden="true">
                  {index + 1}
                </span>
                <span className="hbar__name">
                  {p.producto}
                  {top && <span className="visually-hidden"> ({t('top.top3')})</span>}
                </span>
                <svg
                  className="hbar__track"
                  viewBox="0 0 100 10"
                  preserveAspectRatio="none"
                  aria-hidden="true"
                  focusable="false"
                >
                  <rect className="hbar__fill" x="0" y="0" width={pct} height="10" rx="1" />
                </svg>
                <span className="hbar__value">
                  {tn('top.units', p.unidades)}
                  {p.ventas > 0 && (
                    <span className="hbar__sales"> · {formatMoney(p.ventas, lang)}</span>
                  )}
                </span>
              </li>
            );
          })}
        </ol>
      )}
      {(expanded || products.length <= COLLAPSED_ROWS) && metrics.otros_productos.productos > 0 && (
        <p className="card__caption">
          {tn('top.others', metrics.otros_productos.productos, {
            units: formatNumber(metrics.otros_productos.unidades, lang),
            sales: formatMoney(metrics.otros_productos.ventas, lang),
          })}
        </p>
      )}
      {products.length > COLLAPSED_ROWS && (
        <button
          type="button"
          className="button button--link"
          aria-expanded={expanded}
          aria-controls={listId}
          onClick={() => setExpanded((v) => !v)}
        >
          {expanded
            ? t('top.showLess')
            : t('top.showAll', { n: products.length + metrics.otros_productos.productos })}
        </button>
      )}
    </section>
  );
}
