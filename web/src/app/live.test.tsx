import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeMetrics, makeOrder } from '@/testing/mocks/data';
import { db } from '@/testing/mocks/handlers';
import { sse } from '@/testing/mocks/sse';
import { cop, renderApp, signIn } from '@/testing/test-utils';

async function renderLiveDashboard() {
  signIn();
  const utils = renderApp();
  await screen.findByText('pedido-0130', undefined, { timeout: 8000 });
  await sse.waitForConnections(1);
  await screen.findByText('En vivo');
  return utils;
}

function orderRows(): HTMLElement[] {
  const table = screen.getByRole('table', { name: /Pedidos del día/ });
  return within(table).getAllByRole('row').slice(1);
}

describe('live updates', () => {
  it('inserts a pedido event at the top of the list, marked as new', async () => {
    await renderLiveDashboard();
    const order = makeOrder({ pedido_id: 'en-vivo-1' });
    sse.send('pedido', { pedido: order }, 131);

    await waitFor(() => expect(orderRows()[0]).toHaveTextContent('en-vivo-1'));
    const row = orderRows()[0]!;
    expect(row).toHaveTextContent('Nuevo');
    expect(row).toHaveClass('order-row--live');
    expect(row).toHaveTextContent(cop(1234.5));
    expect(orderRows()[1]).toHaveTextContent('pedido-0130');
    expect(orderRows()[1]).not.toHaveTextContent('Nuevo');

    // The same order again (a replay after reconnecting) is not duplicated.
    sse.send('pedido', { pedido: order }, 131);
    sse.send('pedido', { pedido: makeOrder({ pedido_id: 'en-vivo-2', secuencia: 132 }) }, 132);
    await waitFor(() => expect(orderRows()[0]).toHaveTextContent('en-vivo-2'));
    expect(screen.getAllByText('en-vivo-1')).toHaveLength(1);
    expect(screen.getByText('52 pedidos mostrados')).toBeInTheDocument();
  });

  it('does not put an order into a list filtered by another courier', async () => {
    const { user } = await renderLiveDashboard();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Repartidor' }), '104');
    await waitFor(() => expect(orderRows()[0]).toHaveTextContent('María López'));
    sse.send('pedido', { pedido: makeOrder({ pedido_id: 'de-carlos' }) }, 131);
    sse.send(
      'pedido',
      {
        pedido: makeOrder({
          pedido_id: 'de-maria',
          secuencia: 132,
          repartidor: { IdRepartidor: 104, Nombre: 'María López' },
        }),
      },
      132,
    );
    await waitFor(() => expect(orderRows()[0]).toHaveTextContent('de-maria'));
    expect(screen.queryByText('de-carlos')).not.toBeInTheDocument();
  });

  it('updates the KPIs from a metrics event without refetching', async () => {
    await renderLiveDashboard();
    const fetches = db.metricsRequests.length;
    sse.send(
      'metrics',
      makeMetrics({
        total_pedidos: 14,
        acumulado_ventas_dia: 1503.3,
        precio_promedio_por_pedido: 107.38,
        unidades: 51,
      }),
      131,
    );
    await waitFor(() =>
      expect(screen.getByRole('group', { name: 'Pedidos' })).toHaveTextContent('14'),
    );
    expect(screen.getByRole('group', { name: 'Acumulado en ventas del día' })).toHaveTextContent(
      cop(1503.3),
    );
    expect(screen.getByRole('group', { name: 'Precio promedio por pedido' })).toHaveTextContent(
      cop(107.38),
    );
    expect(screen.getByRole('group', { name: 'Unidades vendidas' })).toHaveTextContent('51');
    expect(db.metricsRequests.length).toBe(fetches);
  });

  it('reloads metrics and orders on resync', async () => {
    await renderLiveDashboard();
    const metricsFetches = db.metricsRequests.length;
    const ordersFetches = db.ordersRequests.length;
    db.metrics = makeMetrics({ total_pedidos: 99 });
    sse.send('resync', { reason: 'missed events' }, 500);
    await waitFor(() =>
      expect(screen.getByRole('group', { name: 'Pedidos' })).toHaveTextContent('99'),
    );
    expect(db.metricsRequests.length).toBeGreaterThan(metricsFetches);
    await waitFor(() => expect(db.ordersRequests.length).toBeGreaterThan(ordersFetches));
  });

  it('reconnects after the stream ends, sending Last-Event-ID', async () => {
    await renderLiveDashboard();
    sse.raw(': keep-alive\n\n');
    sse.send('metrics', makeMetrics(), 130);
    await waitFor(() => expect(screen.getByText('En vivo')).toBeInTheDocument());
    sse.closeAll();
    expect(await screen.findByText('Reconectando…')).toBeInTheDocument();
    // First retry after 1 s.
    await sse.waitForConnections(2);
    expect(sse.connections[1]?.lastEventId).toBe('130');
    expect(await screen.findByText('En vivo')).toBeInTheDocument();
    sse.send('pedido', { pedido: makeOrder({ pedido_id: 'reconectado' }) }, 131);
    await waitFor(() => expect(orderRows()[0]).toHaveTextContent('reconectado'));
  });

  it('shows how fresh the data is and when the last order came', async () => {
    await renderLiveDashboard();
    expect(screen.getByText(/^Actualizado hace \d+ s$/)).toBeInTheDocument();
    expect(screen.getByText('Último pedido: 04:20:00')).toBeInTheDocument();
  });

  // 180 events and 200 rows: slow in jsdom.
  it(
    'keeps at most 200 rows as live orders pour in, and pages the older ones back',
    {
      timeout: 30_000,
    },
    async () => {
      const { user } = await renderLiveDashboard();
      // 180 orders after the first page's 50: 230 rows, bounded to 200.
      for (let i = 1; i <= 180; i++) {
        const minutes = String(Math.floor(i / 60)).padStart(2, '0');
        const seconds = String(i % 60).padStart(2, '0');
        sse.send(
          'pedido',
          {
            pedido: makeOrder({
              pedido_id: `vivo-${i}`,
              secuencia: 130 + i,
              timestamp: `2024-09-12T06:${minutes}:${seconds}.000000-05:00`,
            }),
          },
          130 + i,
        );
      }
      await waitFor(() => expect(orderRows()[0]).toHaveTextContent('vivo-180'));
      expect(orderRows()).toHaveLength(200);
      // Newest first: the 180 live ones, then the newest 20 of the first page.
      expect(orderRows()[179]).toHaveTextContent('vivo-1');
      expect(orderRows()[199]).toHaveTextContent('pedido-0111');
      expect(screen.queryByText('pedido-0110')).not.toBeInTheDocument();

      // "Cargar más" goes on right after the last kept row.
      await user.click(screen.getByRole('button', { name: 'Cargar más' }));
      await waitFor(() => expect(orderRows()).toHaveLength(250));
      const more = db.ordersRequests.at(-1)!;
      expect(more.get('hasta')).toBe('2024-09-12T04:50:00.000000-05:00');
      expect(more.get('cursor')).toBeNull();
      expect(orderRows()[200]).toHaveTextContent('pedido-0110');
      expect(orderRows()[249]).toHaveTextContent('pedido-0061');
    },
  );

  it('says "En pausa", not "En vivo", while another day is shown; in English no "Today"', async () => {
    const { user } = await renderLiveDashboard();
    const picker = screen.getByLabelText('Día');
    await user.clear(picker);
    await user.type(picker, '10/09/2024{Enter}');
    expect(await screen.findByText('En pausa')).toBeInTheDocument();
    expect(screen.queryByText('En vivo')).not.toBeInTheDocument();
    expect(screen.getByText('Viendo otro día: sin actualizaciones en vivo')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'English' }));
    const heading = screen.getByRole('heading', { level: 2, name: /Metrics of the Day/ });
    expect(heading).toHaveTextContent('Metrics of the Day · Tuesday, September 10, 2024');
    expect(heading).not.toHaveTextContent(/today/i);
    expect(screen.getByText('Paused')).toBeInTheDocument();
    expect(screen.queryByText('Live')).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Back to today' }));
    expect(await screen.findByText('Live')).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 2, name: /Metrics of the Day/ })).toHaveTextContent(
      'Today, Thursday, September 12, 2024',
    );
  });
});
