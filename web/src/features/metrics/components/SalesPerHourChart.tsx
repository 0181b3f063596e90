import { useId } from 'react';
import { formatHour, formatMoney } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import type { Metrics } from '../api/metrics-schema';

const HOURS = 24;
const SLOT = 10;
const HEIGHT = 100;

export function SalesPerHourChart({
  metrics,
  currentHour,
}: {
  metrics: Metrics;
  /** Highlighted when viewing today. */
  currentHour: number | null;
}) {
  const { tn, t, lang } = useI18n();
  const titleId = useId();
  const captionId = useId();
  const byHour = Array.from({ length: HOURS }, (_, hora) => {
    const found = metrics.ventas_por_hora.find((h) => h.hora === hora);
    return { hora, ventas: found?.ventas ?? 0, pedidos: found?.pedidos ?? 0 };
  });
  const max = Math.max(0, ...byHour.map((h) => h.ventas));
  const withSales = byHour.filter((h) => h.ventas > 0);

  return (
    <section className="card card--wide" aria-labelledby={titleId}>
      <h3 id={titleId} className="card__title">
        {t('hourly.title')}
      </h3>
      <p id={captionId} className="card__caption">
        {t('hourly.caption', { tz: metrics.zona_horaria })}
      </p>
      <div className="vbars">
        <svg
          className="vbars__plot"
          viewBox={`0 0 ${HOURS * SLOT} ${HEIGHT}`}
          preserveAspectRatio="none"
          role="img"
          aria-labelledby={`${titleId} ${captionId}`}
        >
          <line className="vbars__axis" x1="0" y1={HEIGHT} x2={HOURS * SLOT} y2={HEIGHT} />
          {byHour.map((h) => {
            const height = max > 0 ? Math.max(h.ventas > 0 ? 1.5 : 0, (h.ventas / max) * 96) : 0;
            const classes = ['vbars__bar'];
            if (h.hora === currentHour) classes.push('vbars__bar--now');
            return (
              <rect
                key={h.hora}
                className={classes.join(' ')}
                x={h.hora * SLOT + 1.5}
                y={HEIGHT - height}
                width={SLOT - 3}
                height={height}
              >
                <title>
                  {tn('hourly.bar', h.pedidos, {
                    hour: formatHour(h.hora),
                    sales: formatMoney(h.ventas, lang),
                  })}
                </title>
              </rect>
            );
          })}
        </svg>
        <ol className="vbars__labels" aria-hidden="true">
          {byHour.map((h) => (
            <li key={h.hora} className={h.hora % 3 === 0 ? 'vbars__label--major' : undefined}>
              {String(h.hora).padStart(2, '0')}
            </li>
          ))}
        </ol>
      </div>
      {withSales.length === 0 ? (
        <p className="empty">{t('hourly.empty')}</p>
      ) : (
        <ul className="visually-hidden" aria-labelledby={titleId}>
          {withSales.map((h) => (
            <li key={h.hora}>
              {tn('hourly.bar', h.pedidos, {
                hour: formatHour(h.hora),
                sales: formatMoney(h.ventas, lang),
              })}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
