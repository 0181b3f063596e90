import { useEffect, useState } from 'react';
import { DayField } from '@/components/DayField';
import { LanguageToggle } from '@/components/LanguageToggle';
import { ConnectionIndicator } from '@/features/live/components/ConnectionIndicator';
import { useMetrics } from '@/features/metrics/api/get-metrics';
import type { Metrics } from '@/features/metrics/api/metrics-schema';
import { CouriersTable } from '@/features/metrics/components/CouriersTable';
import { KpiCards } from '@/features/metrics/components/KpiCards';
import { SalesPerHourChart } from '@/features/metrics/components/SalesPerHourChart';
import { CumulativeSalesChart } from '@/features/metrics/components/CumulativeSalesChart';
import { RangeSummary } from '@/features/metrics/components/RangeSummary';
import { DownloadReportButton } from '@/features/metrics/components/DownloadReportButton';
import { TopProductsChart } from '@/features/metrics/components/TopProductsChart';
import { DownloadOrdersButtons } from '@/features/orders/components/DownloadOrdersButtons';
import { OrdersList } from '@/features/orders/components/OrdersList';
import { logoutOnServer } from '@/features/auth/api/login';
import { SessionsPanel } from '@/features/sessions/components/SessionsPanel';
import { formatAgo, formatDay, formatTime } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { endSession } from '@/lib/session';
import type { Session } from '@/lib/session';
import { useNow } from '@/lib/use-now';
import { useLiveDashboard } from '../use-live-dashboard';
import { readUrlState, writeUrlState } from '../url-state';

function hourIn(timeZone: string, now: number): number | null {
  try {
    const hour = new Intl.DateTimeFormat('en-GB', { timeZone, hour: 'numeric', hourCycle: 'h23' })
      .formatToParts(new Date(now))
      .find((p) => p.type === 'hour')?.value;
    return hour === undefined ? null : Number(hour);
  } catch {
    return null;
  }
}

/**
 * The day's order count for the list's footer: every order, or the chosen
 * courier's (null when the courier is beyond the top 50 that /metrics lists).
 */
function dayOrderCount(metrics: Metrics | undefined, repartidor: string): number | null {
  if (!metrics) return null;
  if (repartidor === '') return metrics.total_pedidos;
  const courier = metrics.repartidores.find((c) => String(c.IdRepartidor) === repartidor);
  return courier ? courier.pedidos : null;
}

function Freshness({
  updatedAt,
  metrics,
  isToday,
  now,
}: {
  updatedAt: number | null;
  metrics: Metrics | undefined;
  isToday: boolean;
  now: number;
}) {
  const { t, lang } = useI18n();
  return (
    <p className="freshness">
      <span>
        {updatedAt
          ? t('freshness.updated', { ago: formatAgo(now - updatedAt, lang) })
          : t('freshness.never')}
      </span>
      {metrics && isToday && (
        <span className="freshness__last">
          {metrics.ultimo_pedido
            ? t('freshness.lastOrder', {
                time: formatTime(metrics.ultimo_pedido.timestamp, metrics.zona_horaria, lang),
              })
            : t('freshness.noOrders')}
        </span>
      )}
    </p>
  );
}

export function DashboardRoute({
  session,
  onEnterTv,
}: {
  session: Session;
  onEnterTv: () => void;
}) {
  const { t, lang } = useI18n();
  const now = useNow(1000);
  const [initial] = useState(readUrlState);
  const [selectedDay, setSelectedDay] = useState<string | null>(initial.fecha);
  const [repartidor, setRepartidor] = useState(initial.repartidor);
  const [showSessions, setShowSessions] = useState(false);

  // Today's metrics are always loaded: they say which day "today" is in the
  // business timezone, and they are what the live stream keeps current.
  const today = useMetrics(null);
  const todayFecha = today.data?.fecha ?? null;
  const day = selectedDay !== null && selectedDay !== todayFecha ? selectedDay : null;
  const isToday = day === null;
  const viewed = useMetrics(day);
  const metrics = viewed.data;
  const timeZone = metrics?.zona_horaria ?? today.data?.zona_horaria ?? 'America/Bogota';
  const ordersFecha = day ?? todayFecha;

  const live = useLiveDashboard(true);

  useEffect(() => {
    writeUrlState({ fecha: day, repartidor });
  }, [day, repartidor]);

  const updatedAt = isToday
    ? Math.max(live.lastActivityAt ?? 0, viewed.dataUpdatedAt) || null
    : viewed.dataUpdatedAt || null;

  const couriers =
    metrics?.repartidores.map((c) => ({ id: String(c.IdRepartidor), name: c.Nombre })) ?? [];

  return (
    <div className="dashboard">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <h1 className="brand">{t('app.title')}</h1>
        <div className="topbar__status">
          <ConnectionIndicator status={live.status} paused={!isToday} />
          <Freshness updatedAt={updatedAt} metrics={metrics} isToday={isToday} now={now} />
        </div>
        <div className="topbar__actions">
          <span className="topbar__user">{t('header.user', { name: session.username })}</span>
          <LanguageToggle />
          <button type="button" className="button button--secondary" onClick={onEnterTv}>
            {t('tv.enter')}
          </button>
          {session.role === 'admin' && (
            <button
              type="button"
              className="button button--secondary"
              aria-expanded={showSessions}
              onClick={() => setShowSessions((shown) => !shown)}
            >
              {showSessions ? t('sessions.close') : t('sessions.open')}
            </button>
          )}
          <button
            type="button"
            className="button button--secondary"
            onClick={() => {
              logoutOnServer(session);
              endSession('logout');
            }}
          >
            {t('header.logout')}
          </button>
        </div>
      </header>

      <main id="main" className="dashboard__main" tabIndex={-1}>
        {showSessions && session.role === 'admin' && (
          <SessionsPanel timeZone={timeZone} currentSessionId={session.sessionId} />
        )}
        <div className="toolbar">
          <DayField
            value={day ?? todayFecha}
            max={todayFecha}
            onChange={(next) => setSelectedDay(next)}
          />
          <DownloadOrdersButtons fecha={ordersFecha} />
          <DownloadReportButton fecha={ordersFecha} />
          {!isToday && (
            <button
              type="button"
              className="button button--secondary"
              onClick={() => setSelectedDay(null)}
            >
              {t('day.backToToday')}
            </button>
          )}
          {!isToday && <p className="toolbar__note">{t('live.pausedOtherDay')}</p>}
        </div>

        <section className="metrics" aria-labelledby="metrics-title">
          <h2 id="metrics-title" className="section-title">
            {t('metrics.title')}
            {metrics && (
              <span className="section-title__day">
                {' '}
                · {isToday ? `${t('day.today')}, ` : ''}
                {formatDay(metrics.fecha, lang)}
              </span>
            )}
          </h2>
          {viewed.isPending ? (
            <p className="muted" role="status">
              {t('metrics.loading')}
            </p>
          ) : viewed.isError && !metrics ? (
            <div className="alert alert--error" role="alert">
              {t('metrics.error')}{' '}
              <button
                type="button"
                className="button button--link"
                onClick={() => void viewed.refetch()}
              >
                {t('metrics.retry')}
              </button>
            </div>
          ) : metrics ? (
            <>
              <KpiCards metrics={metrics} />
              <div className="grid">
                <TopProductsChart metrics={metrics} />
                <CouriersTable metrics={metrics} />
                <SalesPerHourChart
                  metrics={metrics}
                  currentHour={isToday ? hourIn(timeZone, now) : null}
                />
                <CumulativeSalesChart
                  metrics={metrics}
                  currentHour={isToday ? hourIn(timeZone, now) : null}
                />
                <RangeSummary day={metrics.fecha} />
              </div>
            </>
          ) : null}
        </section>

        <OrdersList
          fecha={ordersFecha}
          live={isToday}
          timeZone={timeZone}
          couriers={couriers}
          repartidor={repartidor}
          onRepartidorChange={setRepartidor}
          total={dayOrderCount(metrics, repartidor)}
          now={now}
        />
      </main>
    </div>
  );
}
