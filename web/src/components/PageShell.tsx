import type { ReactNode } from 'react';
import { useI18n } from '@/lib/i18n';
import { LanguageToggle } from './LanguageToggle';

/** The app's title and language toggle over one centred box (login, error screen). */
export function PageShell({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="login-page">
      <header className="login-page__header">
        <h1 className="brand">{t('app.title')}</h1>
        <LanguageToggle />
      </header>
      <main id="main" className="login-page__main">
        {children}
      </main>
    </div>
  );
}
