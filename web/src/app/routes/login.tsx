import { LanguageToggle } from '@/components/LanguageToggle';
import { LoginForm } from '@/features/auth/components/LoginForm';
import { useI18n } from '@/lib/i18n';
import type { EndReason } from '@/lib/session';

export function LoginRoute({ endReason }: { endReason: EndReason | null }) {
  const { t } = useI18n();
  return (
    <div className="login-page">
      <header className="login-page__header">
        <h1 className="brand">{t('app.title')}</h1>
        <LanguageToggle />
      </header>
      <main id="main" className="login-page__main">
        <LoginForm endReason={endReason} />
      </main>
    </div>
  );
}
