import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { server } from '@/testing/mocks/server';
import { ApiError, buildUrl, parseRetryAfter, request } from './api-client';
import { getEndReason, getSession, startSession } from './session';

function signIn(token: string, expiresAt = Date.now() + 600_000) {
  startSession({ token, username: 'u', role: 'admin', expiresAt });
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('api-client', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2024-09-12T08:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Thu, 12 Sep 2024 08:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });

  it('builds relative URLs and leaves out empty parameters', () => {
    expect(buildUrl('/pedidos', { fecha: '2024-09-12', repartidor: '', cursor: null })).toBe(
      '/pedidos?fecha=2024-09-12',
    );
  });

  it('ends the session once on 401, as expired', async () => {
    signIn('t1');
    server.use(
      http.get('/metrics', () => HttpResponse.json({ detail: 'expired' }, { status: 401 })),
    );
    const error = await failure(request('/metrics'));
    expect(error.kind).toBe('unauthorized');
    expect(getSession()).toBeNull();
    expect(getEndReason()).toBe('expired');
  });

  it('does not let a late 401 for an old token end a newer session', async () => {
    signIn('old');
    let release: () => void = () => undefined;
    let reached: () => void = () => undefined;
    const requestReachedServer = new Promise<void>((resolve) => (reached = resolve));
    server.use(
      http.get('/metrics', async () => {
        const answer = new Promise<void>((resolve) => (release = resolve));
        reached();
        await answer;
        return HttpResponse.json({ detail: 'expired' }, { status: 401 });
      }),
    );
    const pending = failure(request('/metrics'));
    // The request with the old token is in flight when the new session starts.
    await requestReachedServer;
    signIn('new');
    release();
    await pending;
    expect(getSession()?.token).toBe('new');
  });

  it('refuses to send an expired token', async () => {
    signIn('t', Date.now() + 1000); // inside the safety margin
    const error = await failure(request('/metrics'));
    expect(error.kind).toBe('unauthorized');
    expect(getSession()).toBeNull();
  });

  it('maps 503 with Retry-After, and network failures', async () => {
    signIn('t');
    server.use(
      http.get('/metrics', () =>
        HttpResponse.json({ detail: 'store' }, { status: 503, headers: { 'Retry-After': '5' } }),
      ),
      http.get('/pedidos', () => HttpResponse.error()),
    );
    const unavailable = await failure(request('/metrics'));
    expect(unavailable.kind).toBe('unavailable');
    expect(unavailable.retryAfterSeconds).toBe(5);
    expect(unavailable.message).toBe('store');
    expect((await failure(request('/pedidos'))).kind).toBe('network');
    expect(getSession()).not.toBeNull();
  });
});
