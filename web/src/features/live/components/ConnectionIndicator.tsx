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

export function ConnectionIndicator({ status }: { status: LiveStatus }) {
  const { t } = useI18n();
  return (
    <p className={`live-indicator live-indicator--${status}`} role="status" aria-live="polite">
      <span className="live-indicator__dot" aria-hidden="true" />
      <span className="visually-hidden">{t('live.label')}: </span>
      <span className="live-indicator__text">
        {t(LABELS[status], { seconds: POLL_INTERVAL_MS / 1000 })}
      </span>
    </p>
  );
}
