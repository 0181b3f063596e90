import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { getSession, startSession } from '@/lib/session';
import { ADMIN } from '@/testing/mocks/data';
import { TEST_TOKEN } from '@/testing/mocks/handlers';
import { server } from '@/testing/mocks/server';
import { sse } from '@/testing/mocks/sse';
import { renderApp } from '@/testing/test-utils';

const REFRESH_1 = `${'a'.repeat(32)}.${'1'.repeat(64)}`;
const REFRESH_2 = `${'a'.repeat(32)}.${'2'.repeat(64)}`;

/** A kept screen's session whose access token has run out (a night off, a restart). */
function keptSessionWithExpiredToken(token = 'expired-token'): void {
  startSession({
    token,
    username: 'pantalla',
    role: 'viewer',
    expiresAt: Date.now() - 60_000,
    issuedAt: Date.now() - 120_000,
    refreshToken: REFRESH_1,
    sessionId: 'a'.repeat(32),
    keep: true,
  });
}

/** POST /token/renovar answering with TEST_TOKEN; records what it was sent. */
function renewals(status = 200): string[] {
  const sent: string[] = [];
  server.use(
    http.post('/token/renovar', async ({ request }) => {
      const body = (await request.json()) as { refresh_token: string };
      sent.push(body.refresh_token);
      if (status !== 200) {
        return HttpResponse.json({ detail: 'Session ended or revoked; sign in again' }, { status });
      }
      return HttpResponse.json({
        access_token: TEST_TOKEN,
        token_type: 'bearer',
        expires_in: 60,
        role: 'viewer',
        refresh_token: REFRESH_2,
        sesion_id: 'a'.repeat(32),
        sesion_expira_en: 2_592_000,
        mantener_sesion: true,
      });
    }),
  );
  return sent;
}

describe('sessions that renew themselves', () => {
  it('signs in with "Mantener esta pantalla conectada" and keeps the session for every tab', async () => {
    let sentBody: Record<string, unknown> = {};
    server.use(
      http.post('/token', async ({ request }) => {
        sentBody = (await request.json()) as Record<string, unknown>;
        return HttpResponse.json({
          access_token: TEST_TOKEN,
          token_type: 'bearer',
          expires_in: 1800,
          role: 'admin',
          refresh_token: REFRESH_1,
          sesion_id: 'a'.repeat(32),
          sesion_expira_en: 2_592_000,
          mantener_sesion: true,
        });
      }),
    );
    const { user } = renderApp();
    await user.type(screen.getByLabelText('Usuario'), ADMIN.username);
    await user.type(screen.getByLabelText('Contraseña'), ADMIN.password);
    await user.click(screen.getByLabelText('Mantener esta pantalla conectada'));
    await user.click(screen.getByRole('button', { name: 'Ingresar' }));
    await screen.findByRole('button', { name: 'Cerrar sesión' });
    expect(sentBody).toMatchObject({ username: ADMIN.username, mantener_sesion: true });
    expect(localStorage.getItem('cargomon.session')).toContain(REFRESH_1);
    expect(sessionStorage.getItem('cargomon.session')).toBeNull();
    expect(getSession()?.keep).toBe(true);
  });

  it('without the choice, the session stays in this tab', async () => {
    let sentBody: Record<string, unknown> = {};
    server.use(
      http.post('/token', async ({ request }) => {
        sentBody = (await request.json()) as Record<string, unknown>;
        return HttpResponse.json({ access_token: TEST_TOKEN, token_type: 'bearer', role: 'admin' });
      }),
    );
    const { user } = renderApp();
    await user.type(screen.getByLabelText('Usuario'), ADMIN.username);
    await user.type(screen.getByLabelText('Contraseña'), ADMIN.password);
    await user.click(screen.getByRole('button', { name: 'Ingresar' }));
    await screen.findByRole('button', { name: 'Cerrar sesión' });
    expect(sentBody.mantener_sesion).toBe(false);
    expect(localStorage.getItem('cargomon.session')).toBeNull();
    expect(sessionStorage.getItem('cargomon.session')).toContain(TEST_TOKEN);
  });

  it('renews an expired token with the refresh token instead of showing the login page', async () => {
    const sent = renewals();
    keptSessionWithExpiredToken();
    renderApp();
    expect(
      await screen.findByText('pedido-0130', undefined, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect(sent).toEqual([REFRESH_1]);
    expect(getSession()?.token).toBe(TEST_TOKEN);
    expect(getSession()?.refreshToken).toBe(REFRESH_2);
    expect(localStorage.getItem('cargomon.session')).toContain(REFRESH_2);
    expect(screen.queryByRole('heading', { name: 'Iniciar sesión' })).not.toBeInTheDocument();
  });

  it('retries a 401 once after renewing', async () => {
    const sent = renewals();
    // A token the server refuses before its time (a restart with a new secret).
    startSession({
      token: 'refused-token',
      username: 'pantalla',
      role: 'viewer',
      expiresAt: Date.now() + 30 * 60_000,
      issuedAt: Date.now(),
      refreshToken: REFRESH_1,
      sessionId: 'a'.repeat(32),
      keep: true,
    });
    renderApp();
    expect(
      await screen.findByText('pedido-0130', undefined, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect(sent).toEqual([REFRESH_1]);
  });

  it('a refused renewal (a revoked session) returns to the login page saying so', async () => {
    renewals(401);
    keptSessionWithExpiredToken();
    renderApp();
    expect(await screen.findByText(/fue revocada/)).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Iniciar sesión' })).toBeInTheDocument();
    expect(localStorage.getItem('cargomon.session')).toBeNull();
  });
});

describe('TV mode', () => {
  it('shows the KPIs and the orders with no controls, and a full screen when the connection is lost', async () => {
    window.history.replaceState(null, '', '/?pantalla=1');
    renewals();
    keptSessionWithExpiredToken();
    try {
      renderApp();
      const tv = await screen.findByTestId('tv');
      await within(screen.getByTestId('tv-orders')).findByText('0130', { exact: false });
      expect(within(tv).getByRole('group', { name: 'Pedidos' })).toBeInTheDocument();
      expect(within(tv).queryAllByRole('button')).toHaveLength(0);
      expect(within(tv).queryByRole('combobox')).not.toBeInTheDocument();
      await sse.waitForConnections(1);
      await within(tv).findByText('En vivo');
      expect(screen.queryByTestId('tv-lost')).not.toBeInTheDocument();

      // The server goes away: the stream ends and cannot come back.
      server.use(http.get('/eventos', () => HttpResponse.error()));
      sse.closeAll();
      expect(await screen.findByTestId('tv-lost')).toHaveTextContent(
        'Sin conexión con el servidor',
      );
      expect(tv).toHaveClass('tv--lost');
    } finally {
      window.history.replaceState(null, '', '/');
    }
  });

  it('the dashboard\'s "Modo pantalla" button enters it', async () => {
    const sent = renewals();
    keptSessionWithExpiredToken();
    const { user } = renderApp();
    await screen.findByText('pedido-0130', undefined, { timeout: 5000 });
    await user.click(screen.getByRole('button', { name: 'Modo pantalla' }));
    expect(await screen.findByTestId('tv')).toBeInTheDocument();
    expect(window.location.search).toBe('?pantalla=1');
    await user.keyboard('{Escape}');
    expect(await screen.findByRole('button', { name: 'Modo pantalla' })).toBeInTheDocument();
    expect(window.location.search).toBe('');
    expect(sent.length).toBeGreaterThan(0);
  });
});

describe("the admins' sessions list", () => {
  it('lists the active sessions and revokes one', async () => {
    const deleted: string[] = [];
    let sessions = [
      {
        id: 'b'.repeat(32),
        usuario: 'pantalla-bodega',
        creada: '2024-09-12 08:00:00',
        ultimo_uso: '2024-09-12 11:59:00',
        expira: '2024-10-12 11:59:00',
        direccion: '192.0.2.7',
        agente: 'Mozilla/5.0 (TV)',
        mantener_sesion: true,
      },
    ];
    server.use(
      http.get('/sesiones', () => HttpResponse.json({ sesiones: sessions })),
      http.delete('/sesiones/:id', ({ params }) => {
        deleted.push(String(params.id));
        sessions = [];
        return new HttpResponse(null, { status: 204 });
      }),
    );
    startSession({
      token: TEST_TOKEN,
      username: 'admin',
      role: 'admin',
      expiresAt: Date.now() + 30 * 60_000,
    });
    const { user } = renderApp();
    await screen.findByText('pedido-0130', undefined, { timeout: 5000 });
    await user.click(screen.getByRole('button', { name: 'Sesiones activas' }));
    const panel = await screen.findByRole('region', { name: 'Sesiones activas' });
    const row = (await within(panel).findByText(/pantalla-bodega/)).closest('tr')!;
    expect(row).toHaveTextContent('192.0.2.7');
    expect(row).toHaveTextContent('Mozilla/5.0 (TV)');
    await user.click(
      within(row).getByRole('button', {
        name: 'Revocar la sesión de pantalla-bodega desde 192.0.2.7',
      }),
    );
    await waitFor(() => expect(deleted).toEqual(['b'.repeat(32)]));
    expect(await within(panel).findByText('No hay sesiones activas.')).toBeInTheDocument();
  });
});
