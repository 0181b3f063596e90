// The one place that talks HTTP to cargomon. It adds the bearer token, turns
// failures into ApiError, and handles 401 once for the whole app: the session
// ends with reason "expired" and the app falls back to the login page.
import {
  endSession,
  getSession,
  isExpired,
  isRenewable,
  readStoredSession,
  renewedSession,
} from './session';
import type { Session } from './session';

// Where the API is: '' is the page's own origin (cargomon serving the
// dashboard, or one CloudFront distribution for both). A dashboard on another
// origin gets its base from config.json at startup (runtime-config.ts), so one
// build serves every deployment.
let apiBase = '';

/** Sets the API's base URL: '' (same origin) or an origin with an optional path prefix. */
export function setApiBase(base: string): void {
  // Paths start with '/', so a trailing slash would double it.
  apiBase = base.replace(/\/+$/, '');
}

export function getApiBase(): string {
  return apiBase;
}

export type ApiErrorKind =
  | 'network' // no answer at all (server down, offline, CORS, aborted)
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'throttled' // 429
  | 'unavailable' // 5xx
  | 'client'; // any other 4xx

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status: number;
  readonly detail: unknown;
  /** Seconds to wait, from Retry-After (429 / 503), when the server said so. */
  readonly retryAfterSeconds: number | null;

  constructor(
    kind: ApiErrorKind,
    status: number,
    message: string,
    detail: unknown = null,
    retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
    this.kind = kind;
    this.status = status;
    this.detail = detail;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

function kindForStatus(status: number): ApiErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'unavailable';
  return 'client';
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  query?: Record<string, string | number | null | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Send the session's bearer token (default). /token is the exception. */
  auth?: boolean;
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== null && value !== undefined && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return `${apiBase}${path}${qs ? `?${qs}` : ''}`;
}

async function errorFrom(response: Response): Promise<ApiError> {
  let detail: unknown = null;
  try {
    const body = (await response.json()) as { detail?: unknown };
    detail = body.detail ?? null;
  } catch {
    // Not JSON (a proxy's error page, say): keep the status alone.
  }
  const message = typeof detail === 'string' ? detail : `HTTP ${response.status}`;
  return new ApiError(
    kindForStatus(response.status),
    response.status,
    message,
    detail,
    parseRetryAfter(response.headers.get('Retry-After')),
  );
}

/** What POST /token and POST /token/renovar answer, as the app keeps it. */
export interface TokenAnswer {
  access_token: string;
  expires_in?: number | undefined;
  role?: string | undefined;
  refresh_token?: string | undefined;
  sesion_id?: string | undefined;
  mantener_sesion?: boolean | undefined;
}

const DEFAULT_TTL_MS = 30 * 60 * 1000;

export function sessionFromAnswer(
  username: string,
  answer: TokenAnswer,
  now = Date.now(),
  expiryOf: (token: string) => number | null = () => null,
): Session {
  const expiresAt =
    answer.expires_in !== undefined
      ? now + answer.expires_in * 1000
      : (expiryOf(answer.access_token) ?? now + DEFAULT_TTL_MS);
  const session: Session = {
    token: answer.access_token,
    username,
    role: answer.role ?? 'viewer',
    expiresAt,
    issuedAt: now,
  };
  if (answer.refresh_token) {
    session.refreshToken = answer.refresh_token;
    if (answer.sesion_id) session.sessionId = answer.sesion_id;
    session.keep = answer.mantener_sesion === true;
  }
  return session;
}

function isTokenAnswer(data: unknown): data is TokenAnswer & { refresh_token: string } {
  if (typeof data !== 'object' || data === null) return false;
  const answer = data as Record<string, unknown>;
  return typeof answer.access_token === 'string' && typeof answer.refresh_token === 'string';
}

/** Serializes renewals across this app's tabs, where the browser can (Web Locks). */
async function underRenewalLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return work();
  return locks.request('cargomon.renew', work);
}

let renewing: Promise<Session | null> | null = null;

async function renewOnce(session: Session): Promise<Session | null> {
  return underRenewalLock(async () => {
    // Another tab of this screen renewed while we waited for the lock: its
    // refresh token replaced ours (ours is now spent), so take its answer.
    const stored = readStoredSession();
    if (
      stored &&
      stored.refreshToken !== session.refreshToken &&
      stored.sessionId === session.sessionId &&
      !isExpired(stored)
    ) {
      renewedSession(session, stored);
      return stored;
    }
    let response: Response;
    try {
      response = await fetch(buildUrl('/token/renovar'), {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: session.refreshToken }),
        cache: 'no-store',
      });
    } catch (cause) {
      throw new ApiError('network', 0, 'Network error', cause);
    }
    if (!response.ok) {
      const error = await errorFrom(response);
      // Revoked, reused, expired, or the user changed: sign in again.
      if (error.kind === 'unauthorized') endSession('revoked', session.token);
      throw error;
    }
    const data: unknown = await response.json();
    if (!isTokenAnswer(data)) throw new ApiError('unavailable', 200, 'Unexpected renewal answer');
    const next = sessionFromAnswer(session.username, data);
    renewedSession(session, next);
    return next;
  });
}

/**
 * Gets the current session a new access token with its refresh token, once
 * at a time however many callers ask. Resolves to the renewed session (null
 * when there is none to renew); rejects with ApiError when the server could
 * not be reached (the session stays: the next attempt may work) or refused
 * (the session has ended, reason "revoked").
 */
export function renewSession(): Promise<Session | null> {
  const session = getSession();
  if (!session || !isRenewable(session)) return Promise.resolve(null);
  if (!renewing) {
    renewing = renewOnce(session).finally(() => {
      renewing = null;
    });
  }
  return renewing;
}

/** A usable token: the session's, renewed first when it has run out. */
async function usableToken(): Promise<string> {
  let session = getSession();
  if (session && isExpired(session) && isRenewable(session)) session = await renewSession();
  if (!session || isExpired(session)) {
    if (session) endSession('expired', session.token);
    throw new ApiError('unauthorized', 401, 'Session expired');
  }
  return session.token;
}

/**
 * Sends a request and returns the raw successful Response (used directly by
 * the live stream). Throws ApiError for every failure. A 401 on a session
 * that renews is tried once more with a renewed token.
 */
export async function request(path: string, options: RequestOptions = {}): Promise<Response> {
  const { method = 'GET', query, body, headers = {}, signal, auth = true } = options;
  const send = async (token: string | undefined): Promise<Response> => {
    const finalHeaders: Record<string, string> = { Accept: 'application/json', ...headers };
    if (token !== undefined) finalHeaders.Authorization = `Bearer ${token}`;
    if (body !== undefined) finalHeaders['Content-Type'] = 'application/json';
    try {
      return await fetch(buildUrl(path, query), {
        method,
        headers: finalHeaders,
        body: body === undefined ? null : JSON.stringify(body),
        signal: signal ?? null,
        cache: 'no-store',
      });
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw new ApiError('network', 0, 'Network error', cause);
    }
  };

  let token = auth ? await usableToken() : undefined;
  let response = await send(token);
  if (response.status === 401 && token !== undefined) {
    const session = getSession();
    if (session && session.token === token && isRenewable(session)) {
      // Refused before its time (a clock apart, a server restarted with a
      // new secret): renew once and try again.
      const renewed = await renewSession();
      if (renewed) {
        token = renewed.token;
        response = await send(token);
      }
    }
  }

  if (!response.ok) {
    const error = await errorFrom(response);
    if (error.kind === 'unauthorized' && token !== undefined) endSession('expired', token);
    throw error;
  }
  return response;
}

/** Sends a request and parses the JSON answer with the given parser (a zod schema's parse). */
export async function requestJson<T>(
  path: string,
  parse: (data: unknown) => T,
  options: RequestOptions = {},
): Promise<T> {
  const response = await request(path, options);
  const data: unknown = await response.json();
  return parse(data);
}
