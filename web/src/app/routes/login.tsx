import { PageShell } from '@/components/PageShell';
import { LoginForm } from '@/features/auth/components/LoginForm';
import type { EndReason } from '@/lib/session';

export function LoginRoute({ endReason }: { endReason: EndReason | null }) {
  return (
    <PageShell>
      <LoginForm endReason={endReason} />
    </PageShell>
  );
}
