// The signed-in session: the bearer token, when it stops being valid, and
// (when the server keeps sessions) the refresh token that renews it. A small
// external store so React (useSyncExternalStore) and the API client share
// one source of truth.
//
// Where it is kept: "keep this screen signed in" puts it in localStorage, so
// a new tab or a browser restart finds it (a wall screen runs for weeks);
// otherwise sessionStorage, and it dies with the tab. The refresh token is
// kept by the app rather than in a cookie because the dashboard may be served
// from another site than the API (S3/CloudFront, docs/aws.md), where a
// SameSite=Strict cookie is never sent; see docs/api.md, "Sessions".

export interface Session {
  token: string;
  username: string;
  role: string;
  /** Epoch milliseconds after which the token must not be used. */
  expiresAt: number;
  /** Epoch milliseconds when the token was issued (its renewal is timed from it). */
  issuedAt?: number;
  /** Renews the token (POST /token/renovar); absent on servers without sessions. */
  refreshToken?: string;
  /** The server's id of the session: the same across renewals. */
  sessionId?: string;
  /** "Keep this screen signed in" was chosen: kept in localStorage. */
  keep?: boolean;
}

/** Why the last session ended; the login page turns it into a message. */
export type EndReason = 'expired' | 'logout' | 'revoked';

const STORAGE_KEY = 'cargomon.session';
/** Stop using a token slightly before its `exp` so no request races it. */
const EXPIRY_MARGIN_MS = 5_000;

type Listener = () => void;

function parseStored(raw: string | null): Session | null {
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<Session>;
    if (
      typeof parsed.token === 'string' &&
      typeof parsed.username === 'string' &&
      typeof parsed.role === 'string' &&
      typeof parsed.expiresAt === 'number'
    ) {
      return parsed as Session;
    }
  } catch {
    // Corrupt storage: behave as signed out.
  }
  return null;
}

function storageOf(kind: 'local' | 'session'): Storage | null {
  try {
    return kind === 'local' ? localStorage : sessionStorage;
  } catch {
    return null;
  }
}

/** This tab's session first, then the one kept for every tab. */
export function readStoredSession(): Session | null {
  return (
    parseStored(storageOf('session')?.getItem(STORAGE_KEY) ?? null) ??
    parseStored(storageOf('local')?.getItem(STORAGE_KEY) ?? null)
  );
}

function clearStored(): void {
  for (const kind of ['session', 'local'] as const) {
    try {
      storageOf(kind)?.removeItem(STORAGE_KEY);
    } catch {
      // Nothing stored.
    }
  }
}

function store(session: Session): void {
  clearStored();
  try {
    storageOf(session.keep ? 'local' : 'session')?.setItem(STORAGE_KEY, JSON.stringify(session));
  } catch {
    // Private mode without storage: the session lives in memory only.
  }
}

let current: Session | null = null;
let loaded = false;
let lastEnd: EndReason | null = null;
let following = false;
const listeners = new Set<Listener>();

function emit(): void {
  for (const listener of listeners) listener();
}

/** Whether the session can get a new token without the password. */
export function isRenewable(session: Session): boolean {
  return typeof session.refreshToken === 'string' && session.refreshToken !== '';
}

function ensureLoaded(): void {
  if (loaded) return;
  loaded = true;
  const stored = readStoredSession();
  // An expired token with a refresh token is still a session: the app renews it.
  if (stored && (isRenewable(stored) || stored.expiresAt - EXPIRY_MARGIN_MS > Date.now())) {
    current = stored;
  } else if (stored) {
    clearStored();
    lastEnd = 'expired';
  }
  if (typeof window !== 'undefined' && !following) {
    following = true;
    // Another tab renewed or ended the screen's session: follow it.
    window.addEventListener('storage', (event) => {
      if (event.key !== STORAGE_KEY || !current?.keep) return;
      const next = parseStored(event.newValue);
      if (next) {
        if (next.token !== current.token) {
          current = next;
          emit();
        }
      } else {
        current = null;
        lastEnd = 'logout';
        emit();
      }
    });
  }
}

export function getSession(): Session | null {
  ensureLoaded();
  return current;
}

export function getEndReason(): EndReason | null {
  ensureLoaded();
  return lastEnd;
}

export function isExpired(session: Session, now = Date.now()): boolean {
  return session.expiresAt - EXPIRY_MARGIN_MS <= now;
}

/**
 * When to renew: once 70 % of the token's life has gone (42 s of a one-minute
 * token, 21 minutes of the default half hour), leaving time to retry.
 */
export function renewalDueAt(session: Session): number {
  const issuedAt = session.issuedAt ?? session.expiresAt - 30 * 60_000;
  return issuedAt + (session.expiresAt - issuedAt) * 0.7;
}

export function startSession(session: Session): void {
  ensureLoaded();
  current = session;
  lastEnd = null;
  store(session);
  emit();
}

/**
 * Replaces the token of the current session after a renewal. `previous`
 * guards against a late renewal replacing a session that has ended meanwhile.
 */
export function renewedSession(previous: Session, next: Session): void {
  ensureLoaded();
  if (!current || current.refreshToken !== previous.refreshToken) return;
  current = next;
  store(next);
  emit();
}

/**
 * Ends the session. `token` guards against a late 401 from a request made
 * with an older token ending a newer session.
 */
export function endSession(reason: EndReason, token?: string): void {
  ensureLoaded();
  if (!current) return;
  if (token !== undefined && current.token !== token) return;
  current = null;
  lastEnd = reason;
  clearStored();
  emit();
}

export function subscribeSession(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Test hook: forget everything, including what storage held. */
export function resetSessionForTests(): void {
  current = null;
  lastEnd = null;
  loaded = false;
  clearStored();
}

/** Reads `exp` (seconds) from a JWT without verifying it; null if absent. */
export function jwtExpiry(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}
