import { useCallback, useState } from 'react';
import { getEndReason } from '@/lib/session';
import { DashboardRoute } from './routes/dashboard';
import { LoginRoute } from './routes/login';
import { TvRoute } from './routes/tv';
import { readTvMode, writeTvMode } from './url-state';
import { useSession } from './use-session';

export function App() {
  const session = useSession();
  const [tv, setTv] = useState(readTvMode);
  const switchTv = useCallback((on: boolean) => {
    writeTvMode(on);
    setTv(on);
  }, []);
  const exitTv = useCallback(() => switchTv(false), [switchTv]);
  const enterTv = useCallback(() => switchTv(true), [switchTv]);
  if (!session) return <LoginRoute endReason={getEndReason()} />;
  // Keyed by sign-in so a new one starts from a clean screen, while a
  // renewed token (the same session) keeps it and its live stream.
  const key = session.sessionId ?? session.token;
  if (tv) return <TvRoute key={key} onExit={exitTv} />;
  return <DashboardRoute key={key} session={session} onEnterTv={enterTv} />;
}
