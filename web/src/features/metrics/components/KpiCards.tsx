import { formatMoney, formatNumber } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import type { MessageKey } from '@/lib/messages';
import type { Metrics } from '../api/metrics-schema';

interface Kpi {
  key: string;
  label: MessageKey;
  value: string;
}

export function KpiCards({ metrics }: { metrics: Metrics }) {
  const { t, lang } = useI18n();
  const kpis: Kpi[] = [
    { key: 'orders', label: 'kpi.orders', value: formatNumber(metrics.total_pedidos, lang) },
    { key: 'sales', label: 'kpi.sales', value: formatMoney(metrics.acumulado_ventas_dia, lang) },
    {
      key: 'average',
      label: 'kpi.average',
      value: formatMoney(metrics.precio_promedio_por_pedido, lang),
    },
    { key: 'units', label: 'kpi.units', value: formatNumber(metrics.unidades, lang) },
  ];
  return (
    <ul className="kpis">
      {kpis.map((kpi) => (
        <li key={kpi.key} className={`kpi kpi--${kpi.key}`}>
          <div role="group" aria-label={t(kpi.label)} className="kpi__body">
            <span className="kpi__label">{t(kpi.label)}</span>
            <span className="kpi__value" data-testid={`kpi-${kpi.key}`}>
              {kpi.value}
            </span>
          </div>
        </li>
      ))}
    </ul>
  );
}
