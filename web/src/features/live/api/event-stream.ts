// The live connection to GET /eventos. It reads the SSE stream with fetch so
// the bearer token travels in the Authorization header (never in the URL),
// remembers the last event id and sends it back as Last-Event-ID when it
// reconnects, and reconnects with capped exponential backoff. Where the front
// door cannot stream (cargomon on Lambda behind a buffered API Gateway answers
// /eventos with 404), the status is 'polling' and the stream is tried again
// only now and then: the app polls meanwhile.
import { ApiError, request } from '@/lib/api-client';
import { createSseParser } from './sse-parser';
import type { SseEvent } from './sse-parser';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'polling';

export interface LiveStreamOptions {
  onEvent: (event: SseEvent) => void;
  onStatus: (status: LiveStatus) => void;
  /** Anything arrived (event or keep-alive): the data is known fresh at `at`. */
  onActivity?: (at: number) => void;
  path?: string;
  /** Delay before reconnect attempt `n` (0-based). Default 1 s, 2 s, 4 s, 8 s, 10 s… */
  backoffMs?: (attempt: number) => number;
  /** No byte for this long (keep-alives come every 15 s): assume a dead link. */
  idleTimeoutMs?: number;
  /** After this many failed attempts in a row the status says "offline". */
  offlineAfterFailures?: number;
  /** While the server says it has no stream (404/501), try again this often. Default 5 min. */
  noStreamRetryMs?: number;
}

/**
 * 404 or 501 from /eventos: this front door has no live stream at all
 * (docs/aws.md: a buffered Lambda answers 404). Anything else, a network
 * error or a 502/503 included, is a passing failure worth a quick reconnect.
 */
export function isNoStreamAnswer(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 501);
}

/**
 * How often the app polls GET /metrics and GET /pedidos while there is no
 * stream: well inside the original's promise of an order on screen within 10 s.
 */
export const POLL_INTERVAL_MS = 5_000;

export function defaultBackoffMs(attempt: number): number {
  return Math.min(10_000, 1000 * 2 ** attempt);
}

/** A stream that lasted this long before the server ended it is reconnected at once. */
const STABLE_STREAM_MS = 5_000;

export interface LiveStream {
  stop: () => void;
  readonly lastEventId: string;
}

export function startLiveStream(options: LiveStreamOptions): LiveStream {
  const {
    onEvent,
    onStatus,
    onActivity,
    path = '/eventos',
    backoffMs = defaultBackoffMs,
    idleTimeoutMs = 45_000,
    offlineAfterFailures = 3,
    noStreamRetryMs = 5 * 60_000,
  } = options;

  let stopped = false;
  // Read through a function: `stopped` changes while run() awaits.
  const isStopped = () => stopped;
  let lastEventId = '';
  let failures = 0;
  let everLive = false;
  /** The server refused our Last-Event-ID: we resume without it and must reload. */
  let mustResync = false;
  /** The last answer was "no stream here": the app is polling. */
  let noStream = false;
  /** Ends the current connection (abort the fetch and cancel its body). */
  let hangUp: (() => void) | null = null;
  let wakeUp: (() => void) | null = null;

  const browserOnline = () => typeof navigator === 'undefined' || navigator.onLine;

  const waitingStatus = (): LiveStatus =>
    !browserOnline() || failures >= offlineAfterFailures ? 'offline' : 'reconnecting';

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });

  const onOnline = () => wakeUp?.();
  const onOffline = () => {
    if (!stopped) hangUp?.();
  };
  if (typeof window !== 'undefined') {
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
  }

  /**
   * One connection, until it ends. Resolves to when it went live, or null if
   * it never did; rejects for an answer other than the stream.
   */
  async function connectOnce(): Promise<number | null> {
    let liveSince: number | null = null;
    const controller = new AbortController();
    let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
    hangUp = () => {
      controller.abort();
      // Not every fetch implementation errors the body when aborted.
      reader?.cancel().catch(() => undefined);
    };
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => hangUp?.(), idleTimeoutMs);
      onActivity?.(Date.now());
    };
    try {
      const headers: Record<string, string> = { Accept: 'text/event-stream' };
      if (lastEventId !== '') headers['Last-Event-ID'] = lastEventId;
      const response = await request(path, { headers, signal: controller.signal });
      if (!response.body) throw new Error('The event stream has no body');
      failures = 0;
      everLive = true;
      // Back from polling: the stream starts from now, so reload what came
      // between the last poll and this moment.
      if (noStream) mustResync = true;
      noStream = false;
      onStatus('live');
      liveSince = Date.now();
      touch();
      if (mustResync) {
        mustResync = false;
        onEvent({ type: 'resync', data: '{"reason":"Last-Event-ID refused"}', lastEventId });
      }

      const parser = createSseParser(
        {
          onEvent: (event) => {
            lastEventId = event.lastEventId;
            onEvent(event);
          },
        },
        lastEventId,
      );
      reader = response.body.getReader();
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done || stopped) break;
          touch();
          parser.push(decoder.decode(value, { stream: true }));
        }
      } finally {
        lastEventId = parser.lastEventId;
        parser.end();
        reader.cancel().catch(() => undefined);
      }
    } finally {
      clearTimeout(idleTimer);
      hangUp = null;
    }
    return liveSince;
  }

  async function run(): Promise<void> {
    onStatus('connecting');
    while (!stopped) {
      try {
        const liveSince = await connectOnce();
        // The server ended a stream that had run a while: its token expired
        // (the session has renewed it meanwhile). Reconnect at once with the
        // current token, resuming after the last event: no gap, no
        // "reconnecting" on the screen. A stream that ends at once goes
        // through the backoff below instead, so nothing spins.
        if (liveSince !== null && !isStopped() && Date.now() - liveSince >= STABLE_STREAM_MS) {
          failures = 0;
          continue;
        }
      } catch (error) {
        // 401: the API client has ended the session; the app leaves this page.
        if (error instanceof ApiError && error.kind === 'unauthorized') {
          stopped = true;
          break;
        }
        // No stream here, or the occasional retry while polling failed in any
        // way: keep polling, try the stream again later. Polling is not
        // dropped for a network blip of that one retry.
        if (isNoStreamAnswer(error) || noStream) {
          noStream = true;
          failures = 0;
          // Whatever we had seen belongs to a stream that is gone.
          lastEventId = '';
          onStatus('polling');
          await sleep(noStreamRetryMs);
          continue;
        }
        // 400 for a Last-Event-ID this server does not know (say, another
        // instance's): start afresh and reload rather than retry forever.
        if (error instanceof ApiError && error.kind === 'client' && lastEventId !== '') {
          lastEventId = '';
          mustResync = true;
        }
      }
      if (isStopped()) break;
      failures += 1;
      if (everLive) onStatus(waitingStatus());
      else onStatus(failures >= offlineAfterFailures ? 'offline' : 'connecting');
      await sleep(backoffMs(failures - 1));
      if (!isStopped() && everLive) onStatus(waitingStatus());
    }
  }

  void run();

  return {
    stop: () => {
      stopped = true;
      if (typeof window !== 'undefined') {
        window.removeEventListener('online', onOnline);
        window.removeEventListener('offline', onOffline);
      }
      hangUp?.();
      wakeUp?.();
    },
    get lastEventId() {
      return lastEventId;
    },
  };
}
