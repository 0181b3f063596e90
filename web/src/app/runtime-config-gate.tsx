import { useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { PageShell } from '@/components/PageShell';
import { setApiBase } from '@/lib/api-client';
import { useI18n } from '@/lib/i18n';
import type { MessageKey } from '@/lib/messages';
import { ConfigError, loadRuntimeConfig } from '@/lib/runtime-config';
import type { ConfigErrorKind } from '@/lib/runtime-config';

type State =
  | { phase: 'loading' }
  | { phase: 'ready' }
  | { phase: 'failed'; kind: ConfigErrorKind; detail: string };

const REASONS: Record<ConfigErrorKind, MessageKey> = {
  http: 'config.error.http',
  network: 'config.error.network',
  json: 'config.error.json',
  invalid: 'config.error.invalid',
};

/**
 * Loads config.json before anything talks to the API, so that the first
 * request already goes to the right origin. A broken config shows what is
 * wrong instead of a blank page or a login that can never succeed.
 */
export function RuntimeConfigGate({
  children,
  reload = () => window.location.reload(),
}: {
  children: ReactNode;
  reload?: () => void;
}) {
  const [state, setState] = useState<State>({ phase: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    loadRuntimeConfig(controller.signal).then(
      (config) => {
        setApiBase(config.apiBase);
        setState({ phase: 'ready' });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const kind = error instanceof ConfigError ? error.kind : 'network';
        setState({
          phase: 'failed',
          kind,
          detail: error instanceof Error ? error.message : String(error),
        });
      },
    );
    return () => controller.abort();
  }, []);

  if (state.phase === 'ready') return children;
  // A blank moment while loading: the file is small and beside index.html.
  if (state.phase === 'loading') return null;
  return <ConfigErrorScreen kind={state.kind} detail={state.detail} reload={reload} />;
}

function ConfigErrorScreen({
  kind,
  detail,
  reload,
}: {
  kind: ConfigErrorKind;
  detail: string;
  reload: () => void;
}) {
  const { t } = useI18n();
  return (
    <PageShell>
      <div className="login-form" role="alert">
        <h2 className="login-form__title">{t('config.error.title')}</h2>
        <p>{t(REASONS[kind])}</p>
        <p>
          <code className="config-error__detail">{detail}</code>
        </p>
        <p className="muted">{t('config.error.hint')}</p>
        <button type="button" className="button button--primary" onClick={reload}>
          {t('crash.reload')}
        </button>
      </div>
    </PageShell>
  );
}
