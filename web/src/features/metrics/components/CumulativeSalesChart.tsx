import { useId, useRef } from 'react';
import { formatMoney, formatWeekday } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import type { Metrics } from '../api/metrics-schema';
import { niceStep, usePlotSize } from './SalesPerHourChart';

const HOURS = 24;
const CHAR_PX = 6.6;
const HOUR_AXIS_PX = 20;
/** Room above the highest line for the top tick's label. */
const TOP_PX = 10;

/** Sales summed hour by hour: the value at index h is the total by the end of hour h. */
export function cumulative(hours: { hora: number; ventas: number }[]): number[] {
  const byHour = Array.from(
    { length: HOURS },
    (_, hora) => hours.find((h) => h.hora === hora)?.ventas ?? 0,
  );
  let sum = 0;
  return byHour.map((v) => (sum += v));
}

/**
 * Today's sales so far, summed hour by hour, against the same weekday last
 * week's: whether today is ahead, on one line a wall screen shows without
 * hovering. Drawn only when the server sends the comparison.
 */
export function CumulativeSalesChart({
  metrics,
  currentHour,
}: {
  metrics: Metrics;
  /** Today: the line stops at the hour in progress. Null: a past day, drawn whole. */
  currentHour: number | null;
}) {
  const { t, lang } = useI18n();
  const titleId = useId();
  const plotRef = useRef<HTMLDivElement>(null);
  const { width, height, rem } = usePlotSize(plotRef);
  // Label sizes follow the root font size (larger on wall screens), as the hourly chart's.
  const charPx = (CHAR_PX * rem) / 16;
  const hourAxisPx = (HOUR_AXIS_PX * rem) / 16;
  const comparison = metrics.comparacion;
  if (!comparison) return null;

  const reference = comparison.semana_anterior;
  const weekday = formatWeekday(reference.fecha, lang);
  const day = cumulative(metrics.ventas_por_hora).slice(0, (currentHour ?? HOURS - 1) + 1);
  const before = cumulative(reference.ventas_por_hora);
  const max = Math.max(0, ...day, ...before);
  const step = niceStep(max);
  const top = max > 0 ? Math.ceil(max / step) * step : step * 4;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  const tickLabels = ticks.map((v) => formatMoney(v, lang));
  const left = Math.ceil(Math.max(...tickLabels.map((l) => l.length)) * charPx) + 8;
  const baseline = height - hourAxisPx;
  const slot = Math.max(1, (width - left) / HOURS);
  const x = (hour: number) => left + (hour + 1) * slot;
  const topPx = (TOP_PX * rem) / 16;
  const y = (v: number) => baseline - (v / top) * (baseline - topPx);
  const points = (values: number[]) =>
    [`${left},${baseline}`, ...values.map((v, h) => `${x(h)},${y(v)}`)].join(' ');
  const dayTotal = day.at(-1) ?? 0;
  const beforeAtSameHour = before[day.length - 1] ?? 0;

  return (
    <section className="card card--wide" aria-labelledby={titleId}>
      <h3 id={titleId} className="card__title">
        {t('cumulative.title', { weekday })}
      </h3>
      <ul className="legend">
        <li className="legend__item legend__item--day" data-testid="cumulative-day">
          {t('cumulative.day', { sales: formatMoney(dayTotal, lang) })}
        </li>
        <li className="legend__item legend__item--before" data-testid="cumulative-before">
          {t('cumulative.before', { weekday, sales: formatMoney(beforeAtSameHour, lang) })}
        </li>
      </ul>
      <div className="vbars" ref={plotRef}>
        <svg
          className="vbars__plot"
          width={width}
          height={height}
          viewBox={`0 0 ${width} ${height}`}
          aria-hidden="true"
        >
          {ticks.map((v, i) => (
            <g key={v}>
              <line className="vbars__grid" x1={left} x2={width} y1={y(v)} y2={y(v)} />
              <text className="vbars__tick" x={left - 6} y={y(v)} dy="0.35em" textAnchor="end">
                {tickLabels[i]}
              </text>
            </g>
          ))}
          <polyline className="line line--before" points={points(before)} />
          <polyline className="line line--day" points={points(day)} />
          {/* 00 to 21: a 24 at the right edge would be cut by the plot's border. */}
          {Array.from({ length: HOURS / 3 }, (_, i) => i * 3).map((hour) => (
            <text
              key={hour}
              className="vbars__hour"
              x={left + hour * slot}
              y={height - 4}
              textAnchor="middle"
            >
              {String(hour).padStart(2, '0')}
            </text>
          ))}
          <line className="vbars__axis" x1={left} y1={baseline} x2={width} y2={baseline} />
        </svg>
      </div>
    </section>
  );
}
