import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '@/app/App';
import { AppProvider, createQueryClient } from '@/app/provider';
import { RuntimeConfigGate } from '@/app/runtime-config-gate';
import { startSession } from '@/lib/session';
import { TEST_TOKEN } from './mocks/handlers';

/** Signs in as the fake server's admin without going through the form. */
export function signIn(expiresInMs = 30 * 60 * 1000): void {
  startSession({
    token: TEST_TOKEN,
    username: 'admin',
    role: 'admin',
    expiresAt: Date.now() + expiresInMs,
  });
}

/**
 * Renders the whole app with a fresh cache; with `runtimeConfig`, behind the
 * config.json loader exactly as main.tsx does (the test then answers
 * /config.json).
 */
export function renderApp({
  runtimeConfig = false,
  reload,
}: { runtimeConfig?: boolean; reload?: () => void } = {}) {
  const user = userEvent.setup();
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({
    ...queryClient.getDefaultOptions(),
    queries: { ...queryClient.getDefaultOptions().queries, retry: false },
  });
  const result = render(
    <AppProvider queryClient={queryClient}>
      {runtimeConfig ? (
        <RuntimeConfigGate {...(reload ? { reload } : {})}>
          <App />
        </RuntimeConfigGate>
      ) : (
        <App />
      )}
    </AppProvider>,
  );
  return { user, queryClient, ...result };
}

/**
 * The same formatter the app uses for COP, for building expected strings;
 * its no-break space is made a plain one, as Testing Library normalizes text.
 */
export function cop(amount: number): string {
  return new Intl.NumberFormat('es-CO', {
    style: 'currency',
    currency: 'COP',
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  })
    .format(amount)
    .replace(/\s/g, ' ');
}
