import { useId, useState } from 'react';
import type { SyntheticEvent } from 'react';
import { ApiError } from '@/lib/api-client';
import { formatWait } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import type { I18n } from '@/lib/i18n';
import type { EndReason } from '@/lib/session';
import { ForbiddenRoleError, useLogin } from '../api/login';

function errorMessage(error: unknown, { t, lang }: I18n): string {
  if (error instanceof ForbiddenRoleError) return t('login.error.forbidden');
  if (!(error instanceof ApiError)) return t('login.error.generic');
  switch (error.kind) {
    case 'unauthorized':
      return t('login.error.credentials');
    case 'throttled':
      return error.retryAfterSeconds !== null
        ? t('login.error.throttled', { wait: formatWait(error.retryAfterSeconds, lang) })
        : t('login.error.throttledNoWait');
    case 'network':
      return t('login.error.unreachable');
    case 'unavailable':
      return t('login.error.unavailable');
    case 'forbidden':
      return t('login.error.forbidden');
    case 'client':
      return t('login.error.generic');
  }
}

export function LoginForm({ endReason }: { endReason: EndReason | null }) {
  const i18n = useI18n();
  const { t } = i18n;
  const login = useLogin();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [keep, setKeep] = useState(false);
  const errorId = useId();
  const keepHintId = useId();

  const onSubmit = (event: SyntheticEvent<HTMLFormElement>) => {
    event.preventDefault();
    login.mutate({ username: username.trim(), password, keep });
  };

  const error = login.isError ? errorMessage(login.error, i18n) : null;
  const notice =
    !error && !login.isPending && endReason
      ? t(
          endReason === 'expired'
            ? 'login.sessionExpired'
            : endReason === 'revoked'
              ? 'login.revoked'
              : 'login.loggedOut',
        )
      : null;

  return (
    <form className="login-form" onSubmit={onSubmit} noValidate aria-describedby={errorId}>
      <h2 className="login-form__title">{t('login.title')}</h2>
      <div id={errorId} aria-live="polite">
        {error && (
          <p className="alert alert--error" role="alert">
            {error}
          </p>
        )}
        {notice && (
          <p className="alert alert--info" role="status">
            {notice}
          </p>
        )}
      </div>
      <label className="field">
        <span className="field__label">{t('login.username')}</span>
        <input
          className="field__input"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
      </label>
      <label className="field">
        <span className="field__label">{t('login.password')}</span>
        <input
          className="field__input"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <label className="field field--check">
        <input
          type="checkbox"
          name="mantener_sesion"
          checked={keep}
          aria-describedby={keepHintId}
          onChange={(e) => setKeep(e.target.checked)}
        />
        <span className="field__label">{t('login.keep')}</span>
      </label>
      <p id={keepHintId} className="field__hint">
        {t('login.keepHint')}
      </p>
      <button
        type="submit"
        className="button button--primary"
        disabled={login.isPending || username.trim() === '' || password === ''}
      >
        {login.isPending ? t('login.submitting') : t('login.submit')}
      </button>
    </form>
  );
}
