import { useEffect, useId, useRef, useState } from 'react';
import { formatHour, formatMoney } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import type { Metrics } from '../api/metrics-schema';

const HOURS = 24;
/** Used until the plot has been measured (and where nothing measures: jsdom). */
const DEFAULT_SIZE = { width: 720, height: 240, rem: 16 };
/**
 * Pixels per character of the labels (0.6875rem, 11 px at the default root
 * size), a little generous (tabular digits); scaled with the root font size,
 * which grows on wall screens.
 */
const CHAR_PX = 6.6;
const HOUR_AXIS_PX = 20;

/** The root font size in CSS pixels (16 unless a media query raised it). */
function rootFontPx(): number {
  const px = Number.parseFloat(getComputedStyle(document.documentElement).fontSize);
  return Number.isFinite(px) && px > 0 ? px : 16;
}

/** A step of 1, 2, 2.5 or 5 × 10^k, so that `max` takes about four of them. */
export function niceStep(max: number): number {
  if (max <= 0) return 1;
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * power >= rough) ?? 10;
  return step * power;
}

/**
 * The plot's size in CSS pixels: the SVG is drawn at its real size, not
 * stretched, so that its text (values and axes) keeps its shape at every width.
 */
export function usePlotSize(ref: React.RefObject<HTMLDivElement | null>) {
  const [size, setSize] = useState(DEFAULT_SIZE);
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const width = Math.round(entry.contentRect.width);
      const height = Math.round(entry.contentRect.height);
      const rem = rootFontPx();
      if (width > 0 && height > 0) {
        setSize((old) =>
          old.width === width && old.height === height && old.rem === rem
            ? old
            : { width, height, rem },
        );
      }
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

/**
 * Sales per hour: bars with their amount written above them (turned upright,
 * so that 24 of them fit), a money axis with grid lines and an hour axis. A
 * wall screen cannot hover, so nothing is only in a tooltip.
 */
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
  const plotRef = useRef<HTMLDivElement>(null);
  const { width, height, rem } = usePlotSize(plotRef);
  const charPx = (CHAR_PX * rem) / 16;
  const hourAxisPx = (HOUR_AXIS_PX * rem) / 16;

  const byHour = Array.from({ length: HOURS }, (_, hora) => {
    const found = metrics.ventas_por_hora.find((h) => h.hora === hora);
    return { hora, ventas: found?.ventas ?? 0, pedidos: found?.pedidos ?? 0 };
  });
  const max = Math.max(0, ...byHour.map((h) => h.ventas));
  const withSales = byHour.filter((h) => h.ventas > 0);

  const step = niceStep(max);
  const top = max > 0 ? Math.ceil(max / step) * step : step * 4;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  const tickLabels = ticks.map((v) => formatMoney(v, lang));
  const left = Math.ceil(Math.max(...tickLabels.map((l) => l.length)) * charPx) + 8;
  const valueLabels = byHour.map((h) => (h.ventas > 0 ? formatMoney(h.ventas, lang) : ''));
  // Room above the tallest bar for its upright value.
  const valueRoom = Math.ceil(Math.max(0, ...valueLabels.map((l) => l.length)) * charPx) + 6;
  const plotTop = Math.min(valueRoom, Math.round(height * 0.6));
  const baseline = height - hourAxisPx;
  const barArea = Math.max(10, baseline - plotTop);
  const slot = Math.max(1, (width - left) / HOURS);
  const everyHour = slot >= (22 * rem) / 16;
  const y = (v: number) => baseline - (v / top) * barArea;

  return (
    <section className="card card--wide" aria-labelledby={titleId}>
      <h3 id={titleId} className="card__title">
        {t('hourly.title')}
      </h3>
      <p id={captionId} className="card__caption">
        {t('hourly.caption', { tz: metrics.zona_horaria })}
      </p>
      <div className="vbars" ref={plotRef}>
        <svg
          className="vbars__plot"
          width={width}
          height={height}
          viewBox={`0 0 ${width} ${height}`}
          role="img"
          aria-labelledby={`${titleId} ${captionId}`}
        >
          <g className="vbars__y-axis">
            {ticks.map((v, i) => (
              <g key={v}>
                <line className="vbars__grid" x1={left} x2={width} y1={y(v)} y2={y(v)} />
                <text className="vbars__tick" x={left - 6} y={y(v)} dy="0.35em" textAnchor="end">
                  {tickLabels[i]}
                </text>
              </g>
            ))}
          </g>
          {byHour.map((h) => {
            const x = left + h.hora * slot;
            const barHeight = h.ventas > 0 ? Math.max(1.5, (h.ventas / top) * barArea) : 0;
            const classes = ['vbars__bar'];
            if (h.hora === currentHour) classes.push('vbars__bar--now');
            const cx = x + slot / 2;
            return (
              <g key={h.hora}>
                <rect
                  className={classes.join(' ')}
                  x={x + slot * 0.15}
                  y={baseline - barHeight}
                  width={slot * 0.7}
                  height={barHeight}
                >
                  <title>
                    {tn('hourly.bar', h.pedidos, {
                      hour: formatHour(h.hora),
                      sales: formatMoney(h.ventas, lang),
                    })}
                  </title>
                </rect>
                {h.ventas > 0 && (
                  <text
                    className="vbars__value"
                    transform={`translate(${cx} ${baseline - barHeight - 4}) rotate(-90)`}
                    dy="0.35em"
                  >
                    {valueLabels[h.hora]}
                  </text>
                )}
                {(everyHour || h.hora % 3 === 0) && (
                  <text
                    className="vbars__hour"
                    x={cx}
                    y={height - 4}
                    textAnchor="middle"
                    aria-hidden="true"
                  >
                    {String(h.hora).padStart(2, '0')}
                  </text>
                )}
              </g>
            );
          })}
          <line className="vbars__axis" x1={left} y1={baseline} x2={width} y2={baseline} />
        </svg>
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
