import { getEndReason } from '@/lib/session';
import { DashboardRoute } from './routes/dashboard';
import { LoginRoute } from './routes/login';
import { useSession } from './use-session';

export function App() {
  const session = useSession();
  if (!session) return <LoginRoute endReason={getEndReason()} />;
  // Keyed by token so a new sign-in starts from a clean dashboard.
  return <DashboardRoute key={session.token} session={session} />;
}
