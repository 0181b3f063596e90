import type { ReactNode } from 'react';
import { formatMoney, formatNumber, formatPercentChange, formatWeekday } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import type { MessageKey } from '@/lib/messages';
import type { Comparison, Metrics, ReferenceDay } from '../api/metrics-schema';

/**
 * A figure's length class: the value is sized by its card's width
 * (container units), and a longer one (a day's sales in the billions of
 * pesos) by a smaller share of it, so it stays inside the card on a phone.
 */
function lengthClass(value: string): string {
  if (value.length > 17) return ' kpi__value--xlong';
  if (value.length > 12) return ' kpi__value--long';
  return '';
}

export interface KpiCardProps {
  /** Names the card: the class `kpi--<kind>` and the value's test id. */
  kind: string;
  label: string;
  value: string;
  /** Anything shown under the value (a comparison with another day, …). */
  children?: ReactNode;
}

export function KpiCard({ kind, label, value, children }: KpiCardProps) {
  return (
    <li className={`kpi kpi--${kind}`}>
      <div role="group" aria-label={label} className="kpi__body">
        <span className="kpi__label">{label}</span>
        <span className={`kpi__value${lengthClass(value)}`} data-testid={`kpi-${kind}`}>
          {value}
        </span>
        {children !== undefined && <div className="kpi__extra">{children}</div>}
      </div>
    </li>
  );
}

type Change = 'variacion_pedidos' | 'variacion_ventas' | 'variacion_precio_promedio';

interface Kpi {
  kind: string;
  label: MessageKey;
  value: string;
  /** Which change of `comparacion` this card shows; none for units (not kept per hour). */
  change?: Change;
}

function direction(percent: number): 'up' | 'down' | 'flat' {
  return percent > 0 ? 'up' : percent < 0 ? 'down' : 'flat';
}

const ARROWS = { up: '▲', down: '▼', flat: '=' } as const;

/**
 * "▲ +12 % vs el jueves pasado a esta hora" under a card's value, and the
 * same against yesterday, smaller: whether the day goes well, at a glance.
 */
function ComparisonLines({
  comparison,
  change,
  testId,
}: {
  comparison: Comparison;
  change: Change;
  testId: string;
}) {
  const { t, lang } = useI18n();
  const whole = comparison.hasta_hora === '24:00';
  const line = (reference: ReferenceDay, which: 'week' | 'yesterday') => {
    const percent = reference[change];
    const weekday = formatWeekday(reference.fecha, lang);
    if (percent === null) {
      if (which === 'yesterday') return null;
      return (
        <span className="kpi__change kpi__change--none" data-testid={`${testId}-${which}`}>
          {t(whole ? 'kpi.vsWeek.none.day' : 'kpi.vsWeek.none.now', { weekday })}
        </span>
      );
    }
    const dir = direction(percent);
    const key: MessageKey =
      which === 'week'
        ? whole
          ? 'kpi.vsWeek.day'
          : 'kpi.vsWeek.now'
        : whole
          ? 'kpi.vsYesterday.day'
          : 'kpi.vsYesterday.now';
    return (
      <span
        className={`kpi__change kpi__change--${dir} kpi__change--${which}`}
        data-testid={`${testId}-${which}`}
      >
        <span aria-hidden="true">{ARROWS[dir]} </span>
        {t(key, { change: formatPercentChange(percent, lang), weekday })}
      </span>
    );
  };
  return (
    <>
      {line(comparison.semana_anterior, 'week')}
      {line(comparison.dia_anterior, 'yesterday')}
    </>
  );
}

export function KpiCards({ metrics }: { metrics: Metrics }) {
  const { t, lang } = useI18n();
  const kpis: Kpi[] = [
    {
      kind: 'orders',
      label: 'kpi.orders',
      value: formatNumber(metrics.total_pedidos, lang),
      change: 'variacion_pedidos',
    },
    {
      kind: 'sales',
      label: 'kpi.sales',
      value: formatMoney(metrics.acumulado_ventas_dia, lang),
      change: 'variacion_ventas',
    },
    {
      kind: 'average',
      label: 'kpi.average',
      value: formatMoney(metrics.precio_promedio_por_pedido, lang),
      change: 'variacion_precio_promedio',
    },
    { kind: 'units', label: 'kpi.units', value: formatNumber(metrics.unidades, lang) },
  ];
  const comparison = metrics.comparacion;
  const projection = comparison?.proyeccion_cierre ?? null;
  return (
    <ul className="kpis">
      {kpis.map((kpi) => {
        const change = comparison !== null ? kpi.change : undefined;
        const projected = kpi.kind === 'sales' && projection !== null;
        return (
          <KpiCard key={kpi.kind} kind={kpi.kind} label={t(kpi.label)} value={kpi.value}>
            {change !== undefined || projected ? (
              <>
                {comparison !== null && change !== undefined && (
                  <ComparisonLines
                    comparison={comparison}
                    change={change}
                    testId={`kpi-${kpi.kind}-vs`}
                  />
                )}
                {projected && (
                  <span className="kpi__projection" data-testid="kpi-projection">
                    {t('kpi.projection', { sales: formatMoney(projection.ventas, lang) })}
                  </span>
                )}
              </>
            ) : undefined}
          </KpiCard>
        );
      })}
    </ul>
  );
}
