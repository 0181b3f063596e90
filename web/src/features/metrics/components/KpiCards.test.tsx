import { render, screen, within } from '@testing-library/react';
import { formatMoney } from '@/lib/format';
import { I18nProvider } from '@/lib/i18n';
import { makeMetrics } from '@/testing/mocks/data';
import { metricsSchema } from '../api/metrics-schema';
import { CouriersTable } from './CouriersTable';
import { KpiCard, KpiCards } from './KpiCards';

describe('KPI cards with figures in the billions', () => {
  test('a long figure is sized down by its length, a short one is not', () => {
    const metrics = metricsSchema.parse(
      makeMetrics({
        acumulado_ventas_dia: 118_518_518_520.25,
        precio_promedio_por_pedido: 49_382_716.05,
      }),
    );
    render(
      <I18nProvider>
        <KpiCards metrics={metrics} />
      </I18nProvider>,
    );
    const sales = screen.getByTestId('kpi-sales');
    expect(sales.textContent).toBe(formatMoney(118_518_518_520.25, 'es'));
    expect(sales).toHaveClass('kpi__value--xlong');
    expect(screen.getByTestId('kpi-average')).toHaveClass('kpi__value--long');
    expect(screen.getByTestId('kpi-orders').className).toBe('kpi__value');
  });

  test('a card shows what it is given under its value', () => {
    render(
      <ul>
        <KpiCard kind="sales" label="Ventas" value="$ 10,00">
          <span>+12 % vs. ayer</span>
        </KpiCard>
      </ul>,
    );
    const card = screen.getByRole('group', { name: 'Ventas' });
    expect(within(card).getByText('+12 % vs. ayer')).toBeInTheDocument();
  });
});

describe('couriers table', () => {
  test('labels each figure, so that a stacked row on a narrow card still says what it is', () => {
    const metrics = metricsSchema.parse(makeMetrics());
    render(
      <I18nProvider>
        <CouriersTable metrics={metrics} />
      </I18nProvider>,
    );
    const row = screen.getByRole('row', { name: /Carlos García/ });
    const labels = within(row)
      .getAllByRole('cell')
      .map((cell) => cell.getAttribute('data-label'))
      .filter((label) => label !== null);
    expect(labels).toEqual(['Pedidos', 'Unidades', 'Ventas']);
  });
});
