import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeMetrics, makeOrder } from '@/testing/mocks/data';
import { db } from '@/testing/mocks/handlers';
import { cop, renderApp, signIn } from '@/testing/test-utils';

const UUID = '4205dd65-056f-462e-8e1f-c801a5e78536';

async function renderDashboard() {
  signIn();
  const utils = renderApp();
  await screen.findByText('pedido-0130');
  return utils;
}

function orderRows(): HTMLElement[] {
  const table = screen.getByRole('table', { name: /Pedidos del día/ });
  return within(table).getAllByRole('row').slice(1);
}

describe('orders you can open', () => {
  it('opens an order on a click anywhere in its row: lines, prices, quantities, totals, time', async () => {
    db.orders.unshift(
      makeOrder({
        pedido_id: UUID,
        productos: [
          { IdProducto: 'pk0001', producto: 'Moneda', precio: 1 },
          { IdProducto: 'pk0007', producto: 'Tijeras pequeñas', precio: 28.6, cantidad: 3 },
        ],
        total: 86.8,
        unidades: 4,
        secuencia: 131,
      }),
    );
    const { user } = await renderDashboard();
    const row = orderRows()[0]!;
    // The UUID is shortened in the list; the full id is in the button's name.
    expect(row).toHaveTextContent('4205dd65…');
    expect(row).not.toHaveTextContent(UUID);
    await user.click(within(row).getByText('Carlos García'));

    const dialog = await screen.findByRole('dialog', { name: `Pedido ${UUID}` });
    expect(db.orderRequests).toEqual([UUID]);
    const lines = within(dialog).getAllByRole('row');
    expect(lines[1]).toHaveTextContent(`Moneda (pk0001)${cop(1)}1${cop(1)}`);
    expect(lines[2]).toHaveTextContent(`Tijeras pequeñas (pk0007)${cop(28.6)}3${cop(85.8)}`);
    expect(lines[3]).toHaveTextContent(`Total del pedido${cop(86.8)}`);
    expect(dialog).toHaveTextContent('Hora del pedido12/09/2024 06:00:00');
    expect(dialog).toHaveTextContent('Carlos García (102)');
    expect(dialog).toHaveTextContent('Unidades4');
    expect(screen.getByRole('button', { name: 'Cerrar' })).toHaveFocus();

    await user.click(screen.getByRole('button', { name: 'Cerrar' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('opens by keyboard, keeps focus inside, and closes on Escape giving focus back', async () => {
    const { user } = await renderDashboard();
    const open = screen.getByRole('button', { name: 'Ver el pedido pedido-0129' });
    open.focus();
    await user.keyboard('{Enter}');
    const dialog = await screen.findByRole('dialog', { name: 'Pedido pedido-0129' });
    await waitFor(() => expect(dialog).toHaveTextContent(`Total del pedido${cop(29)}`));
    await user.tab();
    expect(within(dialog).getByRole('button', { name: 'Cerrar' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(open).toHaveFocus();
  });

  it('says the day total next to how many are shown', async () => {
    db.metrics = makeMetrics({
      total_pedidos: 130,
      repartidores: [
        { IdRepartidor: 102, Nombre: 'Carlos García', pedidos: 44, unidades: 132, ventas: 1276 },
        { IdRepartidor: 104, Nombre: 'María López', pedidos: 43, unidades: 129, ventas: 1247 },
        { IdRepartidor: 'R-7', Nombre: 'Laura Sánchez', pedidos: 43, unidades: 129, ventas: 1247 },
      ],
    });
    const { user } = await renderDashboard();
    expect(screen.getByText('Mostrando 50 de 130 pedidos del día')).toBeInTheDocument();
    // A courier's own count when the list is filtered by one: 43 of the
    // fake day's 130 orders are Laura's.
    await user.selectOptions(screen.getByRole('combobox', { name: 'Repartidor' }), 'R-7');
    expect(await screen.findByText('Mostrando 43 de 43 pedidos del día')).toBeInTheDocument();
  });

  it('searches the listed orders by id or courier as you type', async () => {
    const { user } = await renderDashboard();
    const search = screen.getByRole('searchbox', { name: 'Buscar pedido o repartidor' });
    await user.type(search, '0129');
    expect(orderRows()).toHaveLength(1);
    expect(orderRows()[0]).toHaveTextContent('pedido-0129');
    await user.clear(search);
    await user.type(search, 'laura');
    expect(orderRows().length).toBeGreaterThan(1);
    for (const row of orderRows()) expect(row).toHaveTextContent('Laura Sánchez');
    await user.clear(search);
    await user.type(search, 'nadie');
    expect(screen.getByText('Ningún pedido de la lista coincide con «nadie».')).toBeInTheDocument();
  });

  it('on Enter opens an order by its id, even one not loaded, or filters by the one courier it names', async () => {
    const { user } = await renderDashboard();
    const search = screen.getByRole('searchbox', { name: 'Buscar pedido o repartidor' });
    // pedido-0001 is far beyond the first page: found with GET /pedidos/{id}.
    await user.type(search, 'pedido-0001{Enter}');
    expect(await screen.findByRole('dialog', { name: 'Pedido pedido-0001' })).toBeInTheDocument();
    expect(db.orderRequests).toContain('pedido-0001');
    await user.keyboard('{Escape}');

    await user.clear(search);
    await user.type(search, 'no-existe{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'No hay ningún pedido con el ID «no-existe».',
    );

    await user.clear(search);
    await user.type(search, 'María{Enter}');
    await waitFor(() => expect(db.ordersRequests.at(-1)?.get('repartidor')).toBe('104'));
    expect(screen.getByRole('combobox', { name: 'Repartidor' })).toHaveValue('104');
    expect(search).toHaveValue('');
  });
});
