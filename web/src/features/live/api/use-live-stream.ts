import { useEffect, useRef, useState } from 'react';
import { startLiveStream } from './event-stream';
import type { LiveStatus, LiveStreamOptions } from './event-stream';
import type { SseEvent } from './sse-parser';

export interface LiveState {
  status: LiveStatus;
  /** Epoch ms of the last byte received from the stream, or null. */
  lastActivityAt: number | null;
}

/**
 * Keeps one live connection open while `enabled`, calling `onEvent` for each
 * event. The callback may change between renders without reconnecting.
 */
export function useLiveStream(
  enabled: boolean,
  onEvent: (event: SseEvent) => void,
  options: Pick<LiveStreamOptions, 'backoffMs' | 'idleTimeoutMs'> = {},
): LiveState {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const [lastActivityAt, setLastActivityAt] = useState<number | null>(null);
  const onEventRef = useRef(onEvent);
  useEffect(() => {
    onEventRef.current = onEvent;
  }, [onEvent]);
  const { backoffMs, idleTimeoutMs } = options;

  useEffect(() => {
    if (!enabled) return;
    const stream = startLiveStream({
      onEvent: (event) => onEventRef.current(event),
      onStatus: setStatus,
      onActivity: setLastActivityAt,
      ...(backoffMs ? { backoffMs } : {}),
      ...(idleTimeoutMs ? { idleTimeoutMs } : {}),
    });
    return () => stream.stop();
  }, [enabled, backoffMs, idleTimeoutMs]);

  return { status, lastActivityAt };
}
