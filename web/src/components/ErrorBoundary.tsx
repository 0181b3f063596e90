import { Component } from 'react';
import type { ReactNode } from 'react';
import { useI18n } from '@/lib/i18n';
import { PageShell } from './PageShell';

interface Props {
  children: ReactNode;
  /** What the reload button does; a full page reload unless a test says otherwise. */
  reload?: () => void;
}

interface State {
  failed: boolean;
}

/**
 * Catches an error thrown while rendering anything below it and shows a
 * message with a reload button instead of a blank page. React logs the error
 * itself (console.error); a reload starts the app again from the server's
 * state, which a render error cannot have damaged.
 */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <RenderErrorScreen
        reload={
          this.props.reload ??
          (() => {
            window.location.reload();
          })
        }
      />
    );
  }
}

function RenderErrorScreen({ reload }: { reload: () => void }) {
  const { t } = useI18n();
  return (
    <PageShell>
      <div className="login-form" role="alert">
        <h2 className="login-form__title">{t('crash.title')}</h2>
        <p>{t('crash.body')}</p>
        <button type="button" className="button button--primary" onClick={reload}>
          {t('crash.reload')}
        </button>
      </div>
    </PageShell>
  );
}
