import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { renewSession } from '@/lib/api-client';
import {
  endSession,
  getSession,
  isExpired,
  isRenewable,
  renewalDueAt,
  subscribeSession,
} from '@/lib/session';
import type { Session } from '@/lib/session';

/** After a renewal that could not reach the server, try again this soon. */
const RENEWAL_RETRY_MS = 5_000;

/**
 * The current session. One that renews gets a new token before its own
 * runs out (and keeps trying while the server cannot be reached: a wall
 * screen survives an outage longer than a token's life); one that does not
 * ends when its token expires, even with no request in flight. Every cached
 * answer is dropped when the session ends.
 */
export function useSession(): Session | null {
  const session = useSyncExternalStore(subscribeSession, getSession, getSession);
  const queryClient = useQueryClient();

  useEffect(() => {
    if (!session) {
      queryClient.clear();
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cancelled = false;
    if (isRenewable(session)) {
      const renew = () => {
        renewSession().catch(() => {
          // Unreachable (a refusal has ended the session): try again soon.
          if (!cancelled) timer = setTimeout(renew, RENEWAL_RETRY_MS);
        });
      };
      timer = setTimeout(renew, Math.max(0, renewalDueAt(session) - Date.now()));
      return () => {
        cancelled = true;
        clearTimeout(timer);
      };
    }
    if (isExpired(session)) {
      endSession('expired', session.token);
      return;
    }
    // isExpired applies a safety margin; wake up a little early and re-check.
    const check = () => {
      if (isExpired(session)) endSession('expired', session.token);
      else timer = setTimeout(check, 1000);
    };
    timer = setTimeout(check, Math.max(0, session.expiresAt - Date.now() - 6000));
    return () => clearTimeout(timer);
  }, [session, queryClient]);

  return session;
}
