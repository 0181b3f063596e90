import { formatMoney, formatNumber, formatPercentChange, formatWeekday } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import type { MessageKey } from '@/lib/messages';
import type { Comparison, Metrics, ReferenceDay } from '../api/metrics-schema';

type Change = 'variacion_pedidos' | 'variacion_ventas' | 'variacion_precio_promedio';

interface Kpi {
  key: string;
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
      key: 'orders',
      label: 'kpi.orders',
      value: formatNumber(metrics.total_pedidos, lang),
      change: 'variacion_pedidos',
    },
    {
      key: 'sales',
      label: 'kpi.sales',
      value: formatMoney(metrics.acumulado_ventas_dia, lang),
      change: 'variacion_ventas',
    },
    {
      key: 'average',
      label: 'kpi.average',
      value: formatMoney(metrics.precio_promedio_por_pedido, lang),
      change: 'variacion_precio_promedio',
    },
    { key: 'units', label: 'kpi.units', value: formatNumber(metrics.unidades, lang) },
  ];
  const comparison = metrics.comparacion;
  const projection = comparison?.proyeccion_cierre ?? null;
  return (
    <ul className="kpis">
      {kpis.map((kpi) => (
        <li key={kpi.key} className={`kpi kpi--${kpi.key}`}>
          <div role="group" aria-label={t(kpi.label)} className="kpi__body">
            <span className="kpi__label">{t(kpi.label)}</span>
            <span className="kpi__value" data-testid={`kpi-${kpi.key}`}>
              {kpi.value}
            </span>
            {comparison && kpi.change && (
              <ComparisonLines
                comparison={comparison}
                change={kpi.change}
                testId={`kpi-${kpi.key}-vs`}
              />
            )}
            {kpi.key === 'sales' && projection && (
              <span className="kpi__projection" data-testid="kpi-projection">
                {t('kpi.projection', { sales: formatMoney(projection.ventas, lang) })}
              </span>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
