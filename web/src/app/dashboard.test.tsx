import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { db } from '@/testing/mocks/handlers';
import { server } from '@/testing/mocks/server';
import { cop, renderApp, signIn } from '@/testing/test-utils';

function kpi(name: string): HTMLElement {
  return screen.getByRole('group', { name });
}

async function renderDashboard() {
  signIn();
  const utils = renderApp();
  await screen.findByRole('group', { name: 'Pedidos' });
  return utils;
}

function orderRows(): HTMLElement[] {
  const table = screen.getByRole('table', { name: /Pedidos del día/ });
  // The first row is the header.
  return within(table).getAllByRole('row').slice(1);
}

describe('dashboard', () => {
  it('shows the day KPIs, money as Colombian pesos', async () => {
    await renderDashboard();
    expect(screen.getByRole('heading', { level: 2, name: /Métricas del Día/ })).toBeInTheDocument();
    expect(kpi('Pedidos')).toHaveTextContent('13');
    expect(kpi('Acumulado en ventas del día')).toHaveTextContent(cop(268.8));
    expect(cop(268.8)).toBe('$ 268,80');
    expect(kpi('Precio promedio por pedido')).toHaveTextContent(cop(20.68));
    expect(kpi('Unidades vendidas')).toHaveTextContent('50');
  });

  it('writes the hourly sales on the chart, with a money axis and an hour axis', async () => {
    await renderDashboard();
    const chart = screen.getByRole('img', { name: /Ventas por hora/ });
    // Visible SVG text, not <title> tooltips (a wall screen cannot hover).
    const texts = (selector: string) =>
      Array.from(chart.querySelectorAll(selector), (t) => t.textContent.replace(/\s/g, ' '));
    expect(texts('text.vbars__value')).toEqual([cop(200.8), cop(68)]);
    expect(texts('text.vbars__tick')).toEqual([cop(0), cop(100), cop(200), cop(300)]);
    expect(texts('text.vbars__hour')).toContain('03');
    expect(texts('text.vbars__hour')).toContain('23');
    expect(chart.querySelectorAll('line.vbars__grid')).toHaveLength(4);
  });

  it('highlights the top 3 products and shows the rest on "Ver más"', async () => {
    const { user } = await renderDashboard();
    const list = screen.getByRole('list', { name: 'Productos más vendidos' });
    let items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(5);
    expect(items.map((i) => i.classList.contains('hbar--top'))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(items[0]).toHaveTextContent('Moneda');
    expect(items[0]).toHaveTextContent('9 vendidos');
    expect(items[2]).toHaveTextContent('Top 3');
    expect(items[3]).not.toHaveTextContent('Top 3');

    await user.click(screen.getByRole('button', { name: 'Ver más (7)' }));
    items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(7);
    expect(items[6]).toHaveTextContent('Borrador');
    expect(screen.getByRole('button', { name: 'Ver menos' })).toHaveAttribute(
      'aria-expanded',
      'true',
    );
  });

  it('shows sales per hour and the per-courier table', async () => {
    await renderDashboard();
    expect(screen.getByRole('img', { name: /Ventas por hora/ })).toBeInTheDocument();
    const hours = within(screen.getByRole('list', { name: 'Ventas por hora' }));
    expect(hours.getAllByRole('listitem').map((li) => li.textContent.replace(/\s/g, ' '))).toEqual([
      `03:00: ${cop(200.8)}, 10 pedidos`,
      `04:00: ${cop(68)}, 3 pedidos`,
    ]);

    const table = screen.getByRole('table', { name: /por repartidor/ });
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    expect(headers).toEqual(['ID', 'Nombre', 'Pedidos', 'Unidades', 'Ventas']);
    const carlos = within(table).getByRole('row', { name: /Carlos García/ });
    expect(carlos).toHaveTextContent(cop(150));
  });

  it('says what the bounded lists leave out', async () => {
    db.metrics = {
      ...db.metrics,
      otros_productos: { productos: 4980, unidades: 12000, ventas: 1500000 },
      otros_repartidores: { repartidores: 450, pedidos: 3000, unidades: 9000, ventas: 2500000 },
    };
    const { user } = await renderDashboard();
    await user.click(screen.getByRole('button', { name: 'Ver más (4987)' }));
    expect(
      screen.getByText(`Y 4.980 productos más: 12.000 unidades, ${cop(1500000)}`),
    ).toBeInTheDocument();
    const table = screen.getByRole('table', { name: /por repartidor/ });
    const others = within(table).getByRole('row', { name: /450 repartidores más/ });
    expect(others).toHaveTextContent('3.000');
    expect(others).toHaveTextContent(cop(2500000));
  });

  it('lists orders newest first and pages with next_cursor', async () => {
    const { user } = await renderDashboard();
    await screen.findByText('pedido-0130');
    let rows = orderRows();
    expect(rows).toHaveLength(50);
    expect(rows[0]).toHaveTextContent('pedido-0130');
    expect(rows[0]).toHaveTextContent('Carlos García');
    expect(rows[0]).toHaveTextContent(cop(29));
    expect(rows[0]).toHaveTextContent('05:09:00');
    expect(db.ordersRequests[0]?.get('fecha')).toBe('2024-09-12');
    expect(db.ordersRequests[0]?.get('cursor')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Cargar más' }));
    await waitFor(() => expect(orderRows()).toHaveLength(100));
    expect(db.ordersRequests[1]?.get('cursor')).toBe('c50');

    await user.click(screen.getByRole('button', { name: 'Cargar más' }));
    await waitFor(() => expect(orderRows()).toHaveLength(130));
    rows = orderRows();
    expect(rows[129]).toHaveTextContent('pedido-0001');
    expect(screen.queryByRole('button', { name: 'Cargar más' })).not.toBeInTheDocument();
    expect(screen.getByText('No hay más pedidos.')).toBeInTheDocument();
  });

  it('filters the orders by courier with the repartidor parameter', async () => {
    const { user } = await renderDashboard();
    await screen.findByText('pedido-0130');
    const select = screen.getByRole('combobox', { name: 'Repartidor' });
    const options = within(select)
      .getAllByRole('option')
      .map((o) => o.textContent);
    expect(options).toEqual([
      'Todos',
      'Carlos García (102)',
      'María López (104)',
      'Laura Sánchez (R-7)',
    ]);

    await user.selectOptions(select, 'R-7');
    await waitFor(() => expect(db.ordersRequests.at(-1)?.get('repartidor')).toBe('R-7'));
    await waitFor(() => expect(orderRows()[0]).toHaveTextContent('Laura Sánchez'));
    for (const row of orderRows()) expect(row).toHaveTextContent('Laura Sánchez');
    expect(window.location.search).toContain('repartidor=R-7');
  });

  it('shows another day from the day picker, without live updates', async () => {
    const { user } = await renderDashboard();
    const picker = screen.getByLabelText('Día');
    expect(picker).toHaveValue('12/09/2024');
    await user.clear(picker);
    await user.type(picker, '10/09/2024{Enter}');
    await waitFor(() => expect(kpi('Pedidos')).toHaveTextContent('0'));
    expect(db.metricsRequests.at(-1)?.get('fecha')).toBe('2024-09-10');
    expect(picker).toHaveValue('10/09/2024');
    expect(screen.getByText('Viendo otro día: sin actualizaciones en vivo')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Volver a hoy' }));
    await waitFor(() => expect(kpi('Pedidos')).toHaveTextContent('13'));
  });

  it('returns to the login page with the expiry message on a 401', async () => {
    server.use(
      http.get('/pedidos', () => HttpResponse.json({ detail: 'Token expired' }, { status: 401 })),
    );
    signIn();
    renderApp();
    expect(
      await screen.findByText(
        'Tu sesión expiró. Inicia sesión de nuevo para seguir viendo el tablero.',
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Iniciar sesión' })).toBeInTheDocument();
    expect(sessionStorage.getItem('cargomon.session')).toBeNull();
  });

  it('returns to the login page when the token expires with nothing in flight', async () => {
    signIn(5_300); // 300 ms before the 5 s safety margin starts
    renderApp();
    await screen.findByRole('group', { name: 'Pedidos' });
    expect(
      await screen.findByText(/Tu sesión expiró/, undefined, { timeout: 3000 }),
    ).toBeInTheDocument();
  });

  it('logs out', async () => {
    const { user } = await renderDashboard();
    await user.click(screen.getByRole('button', { name: 'Cerrar sesión' }));
    expect(await screen.findByRole('heading', { name: 'Iniciar sesión' })).toBeInTheDocument();
    expect(screen.getByText('Cerraste sesión.')).toBeInTheDocument();
  });

  it('switches to English and remembers it', async () => {
    const { user } = await renderDashboard();
    await user.click(screen.getByRole('button', { name: 'English' }));
    expect(
      screen.getByRole('heading', { level: 1, name: 'Indicator Monitoring - Cargo Express' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('heading', { level: 2, name: /Metrics of the Day · Today, Thursday/ }),
    ).toBeInTheDocument();
    expect(screen.getByRole('group', { name: 'Total sales of the day' })).toHaveTextContent(
      /COP\s268\.80/,
    );
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
    expect(localStorage.getItem('cargomon.lang')).toBe('en');
    expect(document.documentElement.lang).toBe('en');

    await user.click(screen.getByRole('button', { name: 'Español' }));
    expect(screen.getByRole('button', { name: 'Cerrar sesión' })).toBeInTheDocument();
  });
});
