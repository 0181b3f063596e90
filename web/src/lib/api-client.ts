// The one place that talks HTTP to cargomon. It adds the bearer token, turns
// failures into ApiError, and handles 401 once for the whole app: the session
// ends with reason "expired" and the app falls back to the login page.
import { endSession, getSession, isExpired } from './session';

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
  method?: 'GET' | 'POST' | 'PATCH';
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

/**
 * Sends a request and returns the raw successful Response (used directly by
 * the live stream). Throws ApiError for every failure.
 */
export async function request(path: string, options: RequestOptions = {}): Promise<Response> {
  const { method = 'GET', query, body, headers = {}, signal, auth = true } = options;
  const finalHeaders: Record<string, string> = { Accept: 'application/json', ...headers };
  let token: string | undefined;
  if (auth) {
    const session = getSession();
    if (!session || isExpired(session)) {
      if (session) endSession('expired', session.token);
      throw new ApiError('unauthorized', 401, 'Session expired');
    }
    token = session.token;
    finalHeaders.Authorization = `Bearer ${token}`;
  }
  if (body !== undefined) finalHeaders['Content-Type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(buildUrl(path, query), {
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
