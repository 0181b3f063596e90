import type { ReactNode } from 'react';
import { formatMoney, formatNumber } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import type { MessageKey } from '@/lib/messages';
import type { Metrics } from '../api/metrics-schema';

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

interface Kpi {
  kind: string;
  label: MessageKey;
  value: string;
}

export function KpiCards({ metrics }: { metrics: Metrics }) {
  const { t, lang } = useI18n();
  const kpis: Kpi[] = [
    { kind: 'orders', label: 'kpi.orders', value: formatNumber(metrics.total_pedidos, lang) },
    { kind: 'sales', label: 'kpi.sales', value: formatMoney(metrics.acumulado_ventas_dia, lang) },
    {
      kind: 'average',
      label: 'kpi.average',
      value: formatMoney(metrics.precio_promedio_por_pedido, lang),
    },
    { kind: 'units', label: 'kpi.units', value: formatNumber(metrics.unidades, lang) },
  ];
  return (
    <ul className="kpis">
      {kpis.map((kpi) => (
        <KpiCard key={kpi.kind} kind={kpi.kind} label={t(kpi.label)} value={kpi.value} />
      ))}
    </ul>
  );
}
