import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { db } from '@/testing/mocks/handlers';
import { makeComparison, makeMetrics } from '@/testing/mocks/data';
import { cop, renderApp, signIn } from '@/testing/test-utils';
import { cumulative } from '@/features/metrics/components/CumulativeSalesChart';

async function renderDashboard() {
  signIn();
  const utils = renderApp();
  await screen.findByRole('group', { name: 'Pedidos' });
  return utils;
}

describe('comparison with yesterday and last week', () => {
  it('says on each card how the day goes against last week and yesterday at this hour', async () => {
    await renderDashboard();
    expect(screen.getByTestId('kpi-orders-vs-week')).toHaveTextContent(
      '▼ -7,1 % vs el jueves pasado a esta hora',
    );
    expect(screen.getByTestId('kpi-orders-vs-week')).toHaveClass('kpi__change--down');
    expect(screen.getByTestId('kpi-sales-vs-yesterday')).toHaveTextContent(
      '▲ +12 % vs ayer a esta hora',
    );
    expect(screen.getByTestId('kpi-sales-vs-yesterday')).toHaveClass('kpi__change--up');
    expect(screen.getByTestId('kpi-average-vs-week')).toHaveTextContent('= 0 % vs el jueves');
    // Units are not kept per hour: no comparison on that card.
    expect(screen.queryByTestId('kpi-units-vs-week')).not.toBeInTheDocument();
    expect(screen.getByTestId('kpi-projection')).toHaveTextContent(
      `Cierre proyectado: ${cop(1006.42)}`,
    );
  });

  it('says when last week had nothing to compare with, and projects nothing then', async () => {
    const comparison = makeComparison({ proyeccion_cierre: null });
    comparison.semana_anterior.variacion_pedidos = null as unknown as number;
    db.metrics = makeMetrics({ comparacion: comparison });
    await renderDashboard();
    expect(screen.getByTestId('kpi-orders-vs-week')).toHaveTextContent(
      'Sin ventas el jueves pasado a esta hora',
    );
    expect(screen.queryByTestId('kpi-projection')).not.toBeInTheDocument();
  });

  it('shows no comparison at all for a server that does not send one', async () => {
    db.metrics = makeMetrics({ comparacion: undefined });
    await renderDashboard();
    expect(screen.queryByTestId('kpi-orders-vs-week')).not.toBeInTheDocument();
    expect(screen.queryByTestId('cumulative-day')).not.toBeInTheDocument();
  });

  it('draws the day summed hour by hour against last week by the same hour', async () => {
    await renderDashboard();
    // Today: 200.8 at 03:00 and 68 at 04:00; last Thursday by 04:59: 150 + 100 + 87.6.
    expect(screen.getByRole('heading', { name: /Ventas acumuladas frente al jueves/ }));
    expect(screen.getByTestId('cumulative-day')).toHaveTextContent(cop(268.8));
    const line = cumulative(makeComparison().semana_anterior.ventas_por_hora);
    expect(line.slice(0, 6)).toEqual([0, 0, 150, 250, 337.6, 337.6]);
    expect(line[23]).toBeCloseTo(1100);
  });

  it('gives the last 7 days and the month to the viewed day from /metrics/rango', async () => {
    const { user } = await renderDashboard();
    const total = await screen.findByTestId('range-total');
    expect(db.rangeRequests.at(-1)?.get('desde')).toBe('2024-09-06');
    expect(db.rangeRequests.at(-1)?.get('hasta')).toBe('2024-09-12');
    // 1 + 2 + … + 7 orders at 100 pesos each.
    expect(total).toHaveTextContent(`28 pedidos · ${cop(2800)}`);
    const section = screen.getByRole('region', { name: 'Últimos 7 días' });
    expect(within(section).getAllByRole('row')).toHaveLength(1 + 7);
    await user.click(within(section).getByRole('button', { name: 'Mes' }));
    await waitFor(() => expect(db.rangeRequests.at(-1)?.get('desde')).toBe('2024-09-01'));
    expect(await screen.findByRole('region', { name: 'Mes hasta este día' })).toBeInTheDocument();
    expect(
      within(screen.getByRole('region', { name: 'Mes hasta este día' })).getByRole('button', {
        name: 'Mes',
      }),
    ).toHaveAttribute('aria-pressed', 'true');
  });
});
