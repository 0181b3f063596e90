import { formatDateTime } from '@/lib/format';
import { useI18n } from '@/lib/i18n';
import { useActiveSessions, useRevokeSession } from '../api/sessions';

/**
 * The admins' list of signed-in screens and browsers, each with a button
 * that revokes it: that screen is signed out at its next renewal (within one
 * access token's life).
 */
export function SessionsPanel({
  timeZone,
  currentSessionId,
}: {
  timeZone: string;
  currentSessionId: string | undefined;
}) {
  const { t, lang } = useI18n();
  const sessions = useActiveSessions(true);
  const revoke = useRevokeSession();

  return (
    <section className="card sessions" aria-labelledby="sessions-title">
      <h2 id="sessions-title" className="section-title">
        {t('sessions.title')}
      </h2>
      {sessions.isPending ? (
        <p className="muted" role="status">
          {t('sessions.loading')}
        </p>
      ) : sessions.isError ? (
        <p className="alert alert--error" role="alert">
          {t('sessions.error')}
        </p>
      ) : sessions.data.length === 0 ? (
        <p className="muted">{t('sessions.empty')}</p>
      ) : (
        <div className="table-scroll">
          <table className="table sessions__table">
            <thead>
              <tr>
                <th scope="col">{t('sessions.user')}</th>
                <th scope="col">{t('sessions.created')}</th>
                <th scope="col">{t('sessions.lastUsed')}</th>
                <th scope="col">{t('sessions.address')}</th>
                <th scope="col">{t('sessions.agent')}</th>
                <th scope="col">{t('sessions.kept')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('sessions.revoke')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.map((session) => (
                <tr key={session.id} data-session-id={session.id}>
                  <td>
                    {session.usuario}
                    {session.id === currentSessionId ? ` ${t('sessions.thisScreen')}` : ''}
                  </td>
                  <td>{formatDateTime(session.creada, timeZone, lang)}</td>
                  <td>{formatDateTime(session.ultimo_uso, timeZone, lang)}</td>
                  <td>{session.direccion}</td>
                  <td className="sessions__agent">{session.agente}</td>
                  <td>{session.mantener_sesion ? t('sessions.keptYes') : t('sessions.keptNo')}</td>
                  <td>
                    <button
                      type="button"
                      className="button button--secondary"
                      aria-label={t('sessions.revokeLabel', {
                        user: session.usuario,
                        address: session.direccion,
                      })}
                      disabled={revoke.isPending && revoke.variables === session.id}
                      onClick={() => revoke.mutate(session.id)}
                    >
                      {t('sessions.revoke')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
