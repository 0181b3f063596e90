import { screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { getApiBase } from '@/lib/api-client';
import { parseRuntimeConfig } from '@/lib/runtime-config';
import { ADMIN } from '@/testing/mocks/data';
import { apiHandlers } from '@/testing/mocks/handlers';
import { server } from '@/testing/mocks/server';
import { sse } from '@/testing/mocks/sse';
import { renderApp } from '@/testing/test-utils';

const API = 'https://api.example.test';

function serveConfig(body: unknown, init?: ResponseInit) {
  server.use(
    http.get('/config.json', () =>
      typeof body === 'string'
        ? new HttpResponse(body, init)
        : HttpResponse.json(body as Record<string, unknown>, init),
    ),
  );
}

async function signInThroughForm(user: ReturnType<typeof renderApp>['user']) {
  await user.type(await screen.findByLabelText('Usuario'), ADMIN.username);
  await user.type(screen.getByLabelText('Contraseña'), ADMIN.password);
  await user.click(screen.getByRole('button', { name: 'Ingresar' }));
}

describe('config.json', () => {
  it('without config.json (404) talks to the same origin, as before', async () => {
    serveConfig({ detail: 'Not Found' }, { status: 404 });
    const { user } = renderApp({ runtimeConfig: true });
    await signInThroughForm(user);
    expect(await screen.findByText('pedido-0130')).toBeInTheDocument();
    expect(getApiBase()).toBe('');
  });

  it('sends login, metrics, orders and the live stream to apiBase', async () => {
    serveConfig({ apiBase: `${API}/` });
    // The same-origin API answers nothing: every call must go to apiBase.
    const seen: string[] = [];
    server.use(
      http.all('/:path', ({ request }) => {
        if (new URL(request.url).pathname === '/config.json') return undefined;
        seen.push(request.url);
        return HttpResponse.json({ detail: 'wrong origin' }, { status: 500 });
      }),
      ...apiHandlers(API),
    );
    const { user } = renderApp({ runtimeConfig: true });
    await signInThroughForm(user);
    expect(await screen.findByText('pedido-0130')).toBeInTheDocument();
    await sse.waitForConnections(1);
    expect(await screen.findByText('En vivo')).toBeInTheDocument();
    expect(getApiBase()).toBe(API);
    expect(seen).toEqual([]);
  });

  it('shows what is wrong, not a blank page, when config.json is not JSON', async () => {
    serveConfig('{"apiBase": ', { headers: { 'Content-Type': 'application/json' } });
    renderApp({ runtimeConfig: true });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('No se pudo cargar la configuración del tablero');
    expect(alert).toHaveTextContent('El archivo config.json no es JSON válido.');
    expect(screen.queryByLabelText('Usuario')).not.toBeInTheDocument();
  });

  it('names the bad value when apiBase is not an http(s) URL, and reloads on request', async () => {
    serveConfig({ apiBase: 'ftp://api.example.test' });
    const reload = vi.fn();
    const { user } = renderApp({ runtimeConfig: true, reload });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('El archivo config.json tiene valores no válidos.');
    expect(alert).toHaveTextContent('apiBase: apiBase must be');
    await user.click(screen.getByRole('button', { name: 'Recargar la página' }));
    expect(reload).toHaveBeenCalledOnce();
  });

  it('refuses a config.json that a server error replaced', async () => {
    serveConfig('<h1>Bad gateway</h1>', { status: 502 });
    renderApp({ runtimeConfig: true });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'El servidor no entregó el archivo config.json.',
    );
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('HTTP 502'));
  });

  it('is explained in English too', async () => {
    localStorage.setItem('cargomon.lang', 'en');
    serveConfig({ apiBase: 42 });
    renderApp({ runtimeConfig: true });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent("Could not load the dashboard's configuration");
    expect(alert).toHaveTextContent('The file config.json has invalid values.');
  });
});

describe('parseRuntimeConfig', () => {
  it('accepts "" and http(s) origins with a path prefix, without the trailing slash', () => {
    expect(parseRuntimeConfig({ apiBase: '' })).toEqual({ apiBase: '' });
    expect(parseRuntimeConfig({ apiBase: ' https://abc.lambda-url.us-east-1.on.aws/ ' })).toEqual({
      apiBase: 'https://abc.lambda-url.us-east-1.on.aws',
    });
    expect(parseRuntimeConfig({ apiBase: 'https://x.execute-api.aws/prod' })).toEqual({
      apiBase: 'https://x.execute-api.aws/prod',
    });
  });

  it('refuses a missing key, a misspelt one, a query, credentials and a non-object', () => {
    expect(() => parseRuntimeConfig({})).toThrow(/apiBase/);
    expect(() => parseRuntimeConfig({ apiBase: '', apiBAse: 'https://a.test' })).toThrow(/apiBAse/);
    expect(() => parseRuntimeConfig({ apiBase: 'https://a.test/?x=1' })).toThrow(/apiBase/);
    expect(() => parseRuntimeConfig({ apiBase: 'https://u:p@a.test' })).toThrow(/apiBase/);
    expect(() => parseRuntimeConfig({ apiBase: 'api.example.test' })).toThrow(/apiBase/);
    expect(() => parseRuntimeConfig(['https://a.test'])).toThrow(/root/);
  });
});
