import { act, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeMetrics, makeOrder } from '@/testing/mocks/data';
import { db } from '@/testing/mocks/handlers';
import { server } from '@/testing/mocks/server';
import { sse } from '@/testing/mocks/sse';
import { renderApp, signIn } from '@/testing/test-utils';

// What cargomon on Lambda behind a buffered front door answers (docs/aws.md).
const NO_STREAM = { detail: 'The live stream needs response streaming on this front door' };
const NOTICE = 'Actualización cada 5 s (sin transmisión en vivo)';

/** GET /eventos: 404 until `streams` is set, then the fake stream. */
let streams = false;
let streamRequests = 0;

beforeEach(() => {
  streams = false;
  streamRequests = 0;
  // Fake clock, but still moving with real time so that Testing Library's
  // waitFor and MSW's own timers work; the schedule is driven by advancing it.
  vi.useFakeTimers({ shouldAdvanceTime: true });
  server.use(
    http.get('/eventos', () => {
      streamRequests += 1;
      if (!streams) return HttpResponse.json(NO_STREAM, { status: 404 });
      return new HttpResponse(sse.open(null), {
        headers: { 'Content-Type': 'text/event-stream' },
      });
    }),
  );
});

afterEach(() => {
  vi.useRealTimers();
});

const advance = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));

function orderRows(): HTMLElement[] {
  const table = screen.getByRole('table', { name: /Pedidos del día/ });
  return within(table).getAllByRole('row').slice(1);
}

async function renderPollingDashboard() {
  signIn();
  const utils = renderApp();
  await screen.findByText('pedido-0130');
  expect(await screen.findByText(NOTICE)).toBeInTheDocument();
  return utils;
}

describe('polling when there is no live stream', () => {
  it('says so, and polls /metrics and /pedidos every 5 s', async () => {
    await renderPollingDashboard();
    expect(streamRequests).toBe(1);
    const metricsAtStart = db.metricsRequests.length;
    const ordersAtStart = db.ordersRequests.length;

    // Not before the interval: the lists were just loaded.
    await advance(4000);
    expect(db.metricsRequests.length).toBe(metricsAtStart);

    await advance(1000);
    await waitFor(() => expect(db.metricsRequests.length).toBe(metricsAtStart + 1));
    await waitFor(() => expect(db.ordersRequests.length).toBe(ordersAtStart + 1));
    // Today's newest page for every courier.
    const polled = db.ordersRequests.at(-1)!;
    expect(polled.get('fecha')).toBe(makeMetrics().fecha);
    expect(polled.get('repartidor')).toBeNull();
    expect(polled.get('cursor')).toBeNull();

    await advance(5000);
    await waitFor(() => expect(db.metricsRequests.length).toBe(metricsAtStart + 2));
    await advance(5000);
    await waitFor(() => expect(db.metricsRequests.length).toBe(metricsAtStart + 3));
    // The stream is not asked again every tick.
    expect(streamRequests).toBe(1);
    expect(screen.getByText(NOTICE)).toBeInTheDocument();
  });

  it('shows new metrics and a new order, marked new, at the next poll', async () => {
    await renderPollingDashboard();
    expect(screen.getByRole('group', { name: 'Pedidos' })).not.toHaveTextContent('14');
    db.metrics = makeMetrics({ total_pedidos: 14, unidades: 51 });
    db.orders.unshift(makeOrder({ pedido_id: 'por-sondeo-1' }));

    await advance(5000);
    await waitFor(() => expect(orderRows()[0]).toHaveTextContent('por-sondeo-1'));
    expect(orderRows()[0]).toHaveTextContent('Nuevo');
    expect(orderRows()[1]).toHaveTextContent('pedido-0130');
    expect(orderRows()[1]).not.toHaveTextContent('Nuevo');
    expect(screen.getByRole('group', { name: 'Pedidos' })).toHaveTextContent('14');
    expect(screen.getByRole('group', { name: 'Unidades vendidas' })).toHaveTextContent('51');

    // Polled again: nothing duplicated.
    await advance(5000);
    await waitFor(() => expect(db.ordersRequests.at(-1)?.get('cursor')).toBeNull());
    expect(screen.getAllByText('por-sondeo-1')).toHaveLength(1);
  });

  // Minutes of a fake clock: the page re-renders every second, which takes a while.
  it(
    'tries the stream again after 5 minutes and goes live when it works',
    { timeout: 30_000 },
    async () => {
      await renderPollingDashboard();
      await advance(4 * 60_000);
      expect(streamRequests).toBe(1);
      await advance(60_000);
      await waitFor(() => expect(streamRequests).toBe(2));
      // Still none: keep polling, quietly.
      expect(screen.getByText(NOTICE)).toBeInTheDocument();

      streams = true;
      await advance(5 * 60_000);
      await sse.waitForConnections(1);
      expect(await screen.findByText('En vivo')).toBeInTheDocument();
      expect(screen.queryByText(NOTICE)).not.toBeInTheDocument();
      // The stream starts from now: what came since the last poll is reloaded once.
      await waitFor(() => expect(db.ordersRequests.at(-1)?.get('cursor')).toBeNull());
      const metricsWhenLive = db.metricsRequests.length;
      await advance(15_000);
      expect(db.metricsRequests.length).toBe(metricsWhenLive);

      sse.send('pedido', { pedido: makeOrder({ pedido_id: 'otra-vez' }) }, 131);
      await waitFor(() => expect(orderRows()[0]).toHaveTextContent('otra-vez'));
    },
  );

  it('says it in English too', async () => {
    localStorage.setItem('cargomon.lang', 'en');
    signIn();
    renderApp();
    expect(await screen.findByText('Updating every 5 s (no live stream)')).toBeInTheDocument();
  });
});

describe('a stream that fails for another reason', () => {
  it('keeps reconnecting after 1 s on a 503 and does not poll', async () => {
    server.use(
      http.get('/eventos', () => {
        streamRequests += 1;
        return HttpResponse.json({ detail: 'busy' }, { status: 503 });
      }),
    );
    signIn();
    renderApp();
    await screen.findByText('pedido-0130');
    await waitFor(() => expect(streamRequests).toBe(1));
    const metricsAtStart = db.metricsRequests.length;
    await advance(1000);
    await waitFor(() => expect(streamRequests).toBe(2));
    await advance(2000);
    await waitFor(() => expect(streamRequests).toBe(3));
    await advance(5000);
    expect(screen.queryByText(NOTICE)).not.toBeInTheDocument();
    expect(screen.getByText('Sin conexión')).toBeInTheDocument();
    expect(db.metricsRequests.length).toBe(metricsAtStart);
  });
});
