import { render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { AppProvider } from './provider';

function Broken(): never {
  throw new Error('a bug in a component');
}

describe('AppProvider', () => {
  it('shows the error screen, not a blank page, when anything in the app fails to render', () => {
    // React reports the caught error on console.error.
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    render(
      <AppProvider>
        <Broken />
      </AppProvider>,
    );
    expect(screen.getByRole('heading', { name: 'Algo salió mal' })).toBeVisible();
    expect(screen.getByRole('button', { name: 'Recargar la página' })).toBeVisible();
    expect(log).toHaveBeenCalled();
  });
});
