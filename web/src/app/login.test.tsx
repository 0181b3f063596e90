import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { getSession } from '@/lib/session';
import { ADMIN } from '@/testing/mocks/data';
import { server } from '@/testing/mocks/server';
import { renderApp } from '@/testing/test-utils';

async function submit(user: ReturnType<typeof renderApp>['user'], password: string) {
  await user.type(screen.getByLabelText('Usuario'), ADMIN.username);
  await user.type(screen.getByLabelText('Contraseña'), password);
  await user.click(screen.getByRole('button', { name: 'Ingresar' }));
}

describe('login page', () => {
  it('signs in and shows the dashboard', async () => {
    const { user } = renderApp();
    expect(screen.getByRole('heading', { name: 'Iniciar sesión' })).toBeInTheDocument();
    await submit(user, ADMIN.password);
    expect(
      await screen.findByRole('heading', {
        level: 1,
        name: 'Monitoreo de Indicadores - Cargo Express',
      }),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Cerrar sesión' })).toBeInTheDocument();
    const session = getSession();
    expect(session?.token).toBe('test-token');
    expect(session?.expiresAt).toBeGreaterThan(Date.now() + 29 * 60 * 1000);
    expect(sessionStorage.getItem('cargomon.session')).toContain('test-token');
  });

  it('says the credentials are wrong on 401', async () => {
    const { user } = renderApp();
    await submit(user, 'incorrecta');
    expect(await screen.findByRole('alert')).toHaveTextContent('Usuario o contraseña incorrectos');
    expect(getSession()).toBeNull();
  });

  it('asks to wait as long as Retry-After says on 429', async () => {
    server.use(
      http.post('/token', () =>
        HttpResponse.json(
          { detail: 'Too many failed login attempts' },
          { status: 429, headers: { 'Retry-After': '240' } },
        ),
      ),
    );
    const { user } = renderApp();
    await submit(user, 'otra');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Demasiados intentos fallidos. Espera 4 minutos antes de volver a intentarlo.',
    );
  });

  it('says the server cannot be reached on a network error', async () => {
    server.use(http.post('/token', () => HttpResponse.error()));
    const { user } = renderApp();
    await submit(user, ADMIN.password);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'No se pudo conectar con el servidor',
    );
  });

  it('says the server is unavailable on 503', async () => {
    server.use(
      http.post('/token', () =>
        HttpResponse.json({ detail: 'store unavailable' }, { status: 503 }),
      ),
    );
    const { user } = renderApp();
    await submit(user, ADMIN.password);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'El servidor no está disponible en este momento',
    );
  });

  it('refuses a courier account, which cannot read the dashboard', async () => {
    server.use(
      http.post('/token', () =>
        HttpResponse.json({ access_token: 'c', token_type: 'bearer', role: 'courier' }),
      ),
    );
    const { user } = renderApp();
    await submit(user, ADMIN.password);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Tu usuario no tiene acceso al tablero',
    );
    expect(getSession()).toBeNull();
  });
});
