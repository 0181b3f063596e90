import { useI18n } from '@/lib/i18n';
import type { MessageKey } from '@/lib/messages';
import { POLL_INTERVAL_MS } from '../api/event-stream';
import type { LiveStatus } from '../api/event-stream';

const LABELS: Record<LiveStatus, MessageKey> = {
  connecting: 'live.connecting',
  live: 'live.live',
  reconnecting: 'live.reconnecting',
  offline: 'live.offline',
  polling: 'live.polling',
};

/**
 * The connection's state. `paused`: the screen shows another day, which live
 * events do not change, so it says "En pausa" in grey rather than a green "En
 * vivo" next to figures that stay still (the stream itself keeps running, for
 * today's data).
 */
export function ConnectionIndicator({ status, paused }: { status: LiveStatus; paused: boolean }) {
  const { t } = useI18n();
  const shown = paused ? 'paused' : status;
  return (
    <p className={`live-indicator live-indicator--${shown}`} role="status" aria-live="polite">
      <span className="live-indicator__dot" aria-hidden="true" />
      <span className="visually-hidden">{t('live.label')}: </span>
      <span className="live-indicator__text">
        {paused ? t('live.paused') : t(LABELS[status], { seconds: POLL_INTERVAL_MS / 1000 })}
      </span>
    </p>
  );
}
