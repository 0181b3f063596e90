import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '@/lib/i18n';
import { ErrorBoundary } from './ErrorBoundary';

function Broken(): never {
  throw new Error('a bug in a component');
}

/** React reports a caught render error on console.error; keep the output clean. */
function silenceReactErrorLog() {
  return vi.spyOn(console, 'error').mockImplementation(() => undefined);
}

describe('ErrorBoundary', () => {
  it('shows a message and a reload button instead of a blank page, in Spanish', async () => {
    silenceReactErrorLog();
    const reload = vi.fn();
    render(
      <I18nProvider>
        <ErrorBoundary reload={reload}>
          <Broken />
        </ErrorBoundary>
      </I18nProvider>,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('Algo salió mal');
    expect(screen.getByRole('heading', { name: 'Algo salió mal' })).toBeVisible();

    await userEvent.click(screen.getByRole('button', { name: 'Recargar la página' }));
    expect(reload).toHaveBeenCalledOnce();
  });

  it('speaks English when the user chose it, and the toggle still works', async () => {
    silenceReactErrorLog();
    localStorage.setItem('cargomon.lang', 'en');
    render(
      <I18nProvider>
        <ErrorBoundary reload={vi.fn()}>
          <Broken />
        </ErrorBoundary>
      </I18nProvider>,
    );
    expect(screen.getByRole('heading', { name: 'Something went wrong' })).toBeVisible();
    expect(screen.getByRole('button', { name: 'Reload the page' })).toBeVisible();

    await userEvent.click(screen.getByRole('button', { name: 'Español' }));
    expect(screen.getByRole('heading', { name: 'Algo salió mal' })).toBeVisible();
  });

  it('renders its children when nothing fails', () => {
    render(
      <I18nProvider>
        <ErrorBoundary>
          <p>tablero</p>
        </ErrorBoundary>
      </I18nProvider>,
    );
    expect(screen.getByText('tablero')).toBeVisible();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
