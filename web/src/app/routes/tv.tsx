import { useEffect, useRef } from 'react';
import { ConnectionIndicator } from '@/features/live/components/ConnectionIndicator';
import { useMetrics } from '@/features/metrics/api/get-metrics';
import { KpiCards } from '@/features/metrics/components/KpiCards';
import { useOrders } from '@/features/orders/api/get-orders';
import { orderTotal } from '@/features/orders/api/order-schema';
import { formatAgo, formatDay, formatMoney, formatTime, shortId } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { useNow } from '@/lib/use-now';
import { useLiveDashboard } from '../use-live-dashboard';

/** Rows the screen keeps: the first page of today's orders, newest first. */
const TV_ROWS = 50;
/** Pixels a second the order list scrolls by; it pauses at either end. */
const SCROLL_PX_PER_SECOND = 30;
const SCROLL_PAUSE_MS = 4_000;

/**
 * Scrolls `ref`'s overflow slowly down, pauses at the bottom, jumps back to
 * the top (where new orders arrive), pauses, and so on. With reduced motion
 * asked for, it turns a page at a time instead of gliding.
 */
function useAutoScroll(ref: React.RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const reduced =
      typeof window.matchMedia === 'function' &&
      window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    let pausedUntil = Date.now() + SCROLL_PAUSE_MS;
    let last = Date.now();
    let position = 0;
    const step = () => {
      const now = Date.now();
      const elapsed = now - last;
      last = now;
      if (now < pausedUntil) return;
      const room = element.scrollHeight - element.clientHeight;
      if (room <= 0) return;
      if (position >= room) {
        position = 0;
        pausedUntil = now + SCROLL_PAUSE_MS;
      } else if (reduced) {
        position = Math.min(room, position + element.clientHeight);
        pausedUntil = now + SCROLL_PAUSE_MS;
      } else {
        position = Math.min(room, position + (SCROLL_PX_PER_SECOND * elapsed) / 1000);
        if (position >= room) pausedUntil = now + SCROLL_PAUSE_MS;
      }
      element.scrollTop = position;
    };
    const timer = setInterval(step, 50);
    return () => clearInterval(timer);
  }, [ref]);
}

/**
 * The wall screen (?pantalla=1): today's KPIs always in view, the newest
 * orders scrolling by themselves, large type, nothing to click. When the
 * connection is lost the whole screen says so and the figures fade, so that
 * nobody reads stale numbers as current. Escape leaves the mode.
 */
export function TvRoute({ onExit }: { onExit: () => void }) {
  const { t, lang } = useI18n();
  const now = useNow(1000);
  const today = useMetrics(null);
  const metrics = today.data;
  const timeZone = metrics?.zona_horaria ?? 'America/Bogota';
  const live = useLiveDashboard(true);
  const orders = useOrders(metrics ? { fecha: metrics.fecha, repartidor: '' } : null, true);
  const rows = (orders.data?.pages.flatMap((page) => page.pedidos) ?? []).slice(0, TV_ROWS);
  const scroller = useRef<HTMLDivElement>(null);
  useAutoScroll(scroller);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onExit();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onExit]);

  const lost = live.status === 'offline' || live.status === 'reconnecting';

  return (
    <div className={`tv${lost ? ' tv--lost' : ''}`} data-testid="tv">
      <header className="tv__header">
        <h1 className="tv__title">{t('app.title')}</h1>
        <div className="tv__status">
          <ConnectionIndicator status={live.status} paused={false} />
          {metrics && (
            <p className="tv__day">
              {t('day.today')}, {formatDay(metrics.fecha, lang)}
              {live.lastActivityAt !== null && (
                <span className="tv__fresh">
                  {' · '}
                  {t('freshness.updated', { ago: formatAgo(now - live.lastActivityAt, lang) })}
                </span>
              )}
            </p>
          )}
        </div>
      </header>
      <main className="tv__main" aria-hidden={lost}>
        <section className="tv__kpis" aria-label={t('metrics.title')}>
          {metrics ? (
            <KpiCards metrics={metrics} />
          ) : (
            <p className="muted" role="status">
              {t('metrics.loading')}
            </p>
          )}
        </section>
        <section className="tv__orders" aria-labelledby="tv-orders-title">
          <h2 id="tv-orders-title" className="tv__section-title">
            {t('tv.orders')}
          </h2>
          <div
            className="tv__scroller"
            ref={scroller}
            tabIndex={0}
            role="region"
            aria-label={t('tv.orders')}
          >
            <ol className="tv__list" data-testid="tv-orders">
              {rows.map((order) => (
                <li
                  key={order.pedido_id}
                  className={`tv__order${order.arrivedAt !== undefined ? ' tv__order--new' : ''}`}
                  data-order-id={order.pedido_id}
                >
                  <span className="tv__order-time">
                    {formatTime(order.timestamp, timeZone, lang)}
                  </span>
                  <span className="tv__order-id">{shortId(order.pedido_id)}</span>
                  <span className="tv__order-courier">{order.repartidor.Nombre}</span>
                  <span className="tv__order-total">{formatMoney(orderTotal(order), lang)}</span>
                </li>
              ))}
            </ol>
          </div>
        </section>
      </main>
      {lost && (
        <div className="tv__lost" role="alert" data-testid="tv-lost">
          <p className="tv__lost-title">{t('tv.lost.title')}</p>
          <p className="tv__lost-body">{t('tv.lost.body')}</p>
        </div>
      )}
    </div>
  );
}
