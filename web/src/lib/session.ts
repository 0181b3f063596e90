// The signed-in session: the bearer token and when it stops being valid.
// Kept in sessionStorage so it dies with the tab; a small external store so
// React (useSyncExternalStore) and the API client share one source of truth.

export interface Session {
  token: string;
  username: string;
  role: string;
  /** Epoch milliseconds after which the token must not be used. */
  expiresAt: number;
}

/** Why the last session ended; the login page turns it into a message. */
export type EndReason = 'expired' | 'logout';

const STORAGE_KEY = 'cargomon.session';
/** Stop using a token slightly before its `exp` so no request races it. */
const EXPIRY_MARGIN_MS = 5_000;

type Listener = () => void;

function readStored(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
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
    // Corrupt or unavailable storage: behave as signed out.
  }
  return null;
}

let current: Session | null = null;
let loaded = false;
let lastEnd: EndReason | null = null;
const listeners = new Set<Listener>();

function emit(): void {
  for (const listener of listeners) listener();
}

function ensureLoaded(): void {
  if (loaded) return;
  loaded = true;
  const stored = readStored();
  if (stored && stored.expiresAt - EXPIRY_MARGIN_MS > Date.now()) {
    current = stored;
  } else if (stored) {
    sessionStorage.removeItem(STORAGE_KEY);
    lastEnd = 'expired';
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

export function startSession(session: Session): void {
  ensureLoaded();
  current = session;
  lastEnd = null;
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  } catch {
    // Private mode without storage: the session lives in memory only.
  }
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
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored.
  }
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
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored.
  }
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
