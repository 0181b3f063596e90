import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { endSession, getSession, isExpired, subscribeSession } from '@/lib/session';
import type { Session } from '@/lib/session';

/**
 * The current session; ends it when its token expires (even with no request
 * in flight) and drops every cached answer when it ends.
 */
export function useSession(): Session | null {
  const session = useSyncExternalStore(subscribeSession, getSession, getSession);
  const queryClient = useQueryClient();

  useEffect(() => {
    if (!session) {
      queryClient.clear();
      return;
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
    let timer = setTimeout(check, Math.max(0, session.expiresAt - Date.now() - 6000));
    return () => clearTimeout(timer);
  }, [session, queryClient]);

  return session;
}
