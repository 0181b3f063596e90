import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getSession, startSession } from '@/lib/session';
import { server } from '@/testing/mocks/server';
import { sse } from '@/testing/mocks/sse';
import { defaultBackoffMs, startLiveStream } from './event-stream';
import type { LiveStatus } from './event-stream';
import type { SseEvent } from './sse-parser';

function signIn() {
  startSession({ token: 'test-token', username: 'a', role: 'admin', expiresAt: Date.now() + 6e5 });
}

let stop: (() => void) | undefined;
afterEach(() => stop?.());

describe('startLiveStream', () => {
  it('backs off 1 s, 2 s, 4 s, 8 s, then every 10 s', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(defaultBackoffMs)).toEqual([
      1000, 2000, 4000, 8000, 10000, 10000, 10000,
    ]);
  });

  it('sends the bearer token in a header and delivers events', async () => {
    signIn();
    let auth: string | null = null;
    let url = '';
    server.use(
      http.get('/eventos', ({ request }) => {
        auth = request.headers.get('Authorization');
        url = request.url;
        return new HttpResponse(sse.open(null), {
          headers: { 'Content-Type': 'text/event-stream' },
        });
      }),
    );
    const events: SseEvent[] = [];
    const statuses: LiveStatus[] = [];
    stop = startLiveStream({
      onEvent: (e) => events.push(e),
      onStatus: (s) => statuses.push(s),
    }).stop;
    await sse.waitForConnections(1);
    sse.send('pedido', { pedido: { pedido_id: 'x' } }, 7);
    await vi.waitFor(() => expect(events).toHaveLength(1));
    expect(events[0]).toEqual({
      type: 'pedido',
      data: '{"pedido":{"pedido_id":"x"}}',
      lastEventId: '7',
    });
    expect(auth).toBe('Bearer test-token');
    expect(url).not.toContain('test-token');
    expect(statuses).toEqual(['connecting', 'live']);
  });

  it('retries failures with backoff, says offline after 3, resumes with Last-Event-ID', async () => {
    signIn();
    let calls = 0;
    const lastIds: (string | null)[] = [];
    server.use(
      http.get('/eventos', ({ request }) => {
        calls += 1;
        lastIds.push(request.headers.get('Last-Event-ID'));
        if (calls === 1 || calls >= 5) {
          return new HttpResponse(sse.open(request.headers.get('Last-Event-ID')), {
            headers: { 'Content-Type': 'text/event-stream' },
          });
        }
        return calls === 2 ? HttpResponse.error() : new HttpResponse(null, { status: 503 });
      }),
    );
    const delays: number[] = [];
    const statuses: LiveStatus[] = [];
    stop = startLiveStream({
      onEvent: () => undefined,
      onStatus: (s) => statuses.push(s),
      backoffMs: (attempt) => {
        delays.push(attempt);
        return 5;
      },
    }).stop;
    await sse.waitForConnections(1);
    sse.send('metrics', {}, 41);
    sse.closeAll();
    await sse.waitForConnections(2);
    expect(delays).toEqual([0, 1, 2, 3]);
    expect(lastIds).toEqual([null, '41', '41', '41', '41']);
    await vi.waitFor(() => expect(statuses.at(-1)).toBe('live'));
    expect(statuses).toContain('reconnecting');
    expect(statuses).toContain('offline');
  });

  it('stops for good on 401 and ends the session', async () => {
    signIn();
    let calls = 0;
    server.use(
      http.get('/eventos', () => {
        calls += 1;
        return HttpResponse.json({ detail: 'expired' }, { status: 401 });
      }),
    );
    // Every retry asks for its delay first, so a stream that would retry calls
    // this right after the 401 is handled.
    const backoffMs = vi.fn(() => 1);
    const statuses: LiveStatus[] = [];
    stop = startLiveStream({
      onEvent: () => undefined,
      onStatus: (s) => statuses.push(s),
      backoffMs,
    }).stop;
    await vi.waitFor(() => expect(getSession()).toBeNull());
    // The 401 is handled in promise callbacks after the session ends: one turn
    // of the event loop runs them all (no time passes on any clock).
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(backoffMs).not.toHaveBeenCalled();
    expect(statuses).toEqual(['connecting']);
    expect(calls).toBe(1);
  });

  it('reconnects when nothing arrives within the idle timeout', async () => {
    signIn();
    const statuses: LiveStatus[] = [];
    stop = startLiveStream({
      onEvent: () => undefined,
      onStatus: (s) => statuses.push(s),
      idleTimeoutMs: 50,
      backoffMs: () => 1,
    }).stop;
    await sse.waitForConnections(2);
    expect(statuses.slice(0, 3)).toEqual(['connecting', 'live', 'reconnecting']);
  });

  it('drops a Last-Event-ID the server refuses and asks for a reload', async () => {
    signIn();
    const lastIds: (string | null)[] = [];
    server.use(
      http.get('/eventos', ({ request }) => {
        const id = request.headers.get('Last-Event-ID');
        lastIds.push(id);
        if (id === '41') {
          return HttpResponse.json({ detail: 'Last-Event-ID must be…' }, { status: 400 });
        }
        return new HttpResponse(sse.open(id), {
          headers: { 'Content-Type': 'text/event-stream' },
        });
      }),
    );
    const events: SseEvent[] = [];
    stop = startLiveStream({
      onEvent: (e) => events.push(e),
      onStatus: () => undefined,
      backoffMs: () => 1,
    }).stop;
    await sse.waitForConnections(1);
    sse.send('metrics', {}, 41);
    await vi.waitFor(() => expect(events).toHaveLength(1));
    sse.closeAll();
    await sse.waitForConnections(2);
    expect(lastIds).toEqual([null, '41', null]);
    await vi.waitFor(() => expect(events.at(-1)?.type).toBe('resync'));
  });
  it('501 means no stream: polling, retried now and then, then live with a resync', async () => {
    signIn();
    const answers = ['501', 'network', 'stream'];
    let calls = 0;
    server.use(
      http.get('/eventos', () => {
        const answer = answers[Math.min(calls, answers.length - 1)];
        calls += 1;
        if (answer === '501') return HttpResponse.json({ detail: 'no' }, { status: 501 });
        if (answer === 'network') return HttpResponse.error();
        return new HttpResponse(sse.open(null), {
          headers: { 'Content-Type': 'text/event-stream' },
        });
      }),
    );
    const events: SseEvent[] = [];
    const statuses: LiveStatus[] = [];
    stop = startLiveStream({
      onEvent: (e) => events.push(e),
      onStatus: (s) => statuses.push(s),
      noStreamRetryMs: 20,
    }).stop;
    await sse.waitForConnections(1);
    await vi.waitFor(() => expect(statuses.at(-1)).toBe('live'));
    // The network error of the retry did not leave polling for a reconnect loop.
    expect(statuses).toEqual(['connecting', 'polling', 'polling', 'live']);
    expect(events.map((e) => e.type)).toEqual(['resync']);
  });
});
