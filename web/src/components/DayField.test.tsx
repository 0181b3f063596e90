import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '@/lib/i18n';
import { DayField } from './DayField';

function Harness({ onChange }: { onChange: (day: string) => void }) {
  const [day, setDay] = useState('2026-01-12');
  return (
    <DayField
      value={day}
      max="2026-01-20"
      onChange={(next) => {
        onChange(next);
        setDay(next);
      }}
    />
  );
}

function renderField(lang: 'es' | 'en' = 'es') {
  localStorage.setItem('cargomon.lang', lang);
  const onChange = vi.fn();
  render(
    <I18nProvider>
      <Harness onChange={onChange} />
    </I18nProvider>,
  );
  const label = lang === 'es' ? 'Día' : 'Day';
  return { onChange, input: screen.getByLabelText(label), user: userEvent.setup() };
}

describe('DayField', () => {
  it('shows and takes dd/mm/aaaa in Spanish, whatever the browser locale', async () => {
    // jsdom's navigator says en-US: a native date input would show 01/12/2026.
    expect(navigator.language).toBe('en-US');
    const { input, onChange, user } = renderField('es');
    expect(input).toHaveValue('12/01/2026');
    expect(input).toHaveAttribute('placeholder', 'dd/mm/aaaa');

    await user.clear(input);
    await user.type(input, '3/1/2026{Enter}');
    expect(onChange).toHaveBeenLastCalledWith('2026-01-03');
    expect(input).toHaveValue('03/01/2026');

    // Applied when the field loses focus, too; ISO is unambiguous and taken.
    await user.clear(input);
    await user.type(input, '2026-01-05');
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith('2026-01-05');
    expect(input).toHaveValue('05/01/2026');
  });

  it('refuses a day that does not exist or is after the last one, changing nothing', async () => {
    const { input, onChange, user } = renderField('es');
    await user.clear(input);
    await user.type(input, '31/02/2026{Enter}');
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Fecha no válida: escríbela como dd/mm/aaaa',
    );
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(onChange).not.toHaveBeenCalled();

    await user.clear(input);
    await user.type(input, '21/01/2026{Enter}');
    expect(screen.getByRole('alert')).toHaveTextContent(
      'No hay datos de días futuros: el último día es 20/01/2026.',
    );
    expect(onChange).not.toHaveBeenCalled();

    // Escape puts the shown day back.
    await user.type(input, '{Escape}');
    expect(input).toHaveValue('12/01/2026');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('steps a day back and forth, never past the last day', async () => {
    const { input, onChange, user } = renderField('es');
    await user.click(screen.getByRole('button', { name: 'Día anterior' }));
    expect(onChange).toHaveBeenLastCalledWith('2026-01-11');
    expect(input).toHaveValue('11/01/2026');
    for (let i = 0; i < 9; i++)
      await user.click(screen.getByRole('button', { name: 'Día siguiente' }));
    expect(input).toHaveValue('20/01/2026');
    expect(screen.getByRole('button', { name: 'Día siguiente' })).toBeDisabled();
  });

  it('uses ISO 8601 in English and refuses the slashed form a US reader would misread', async () => {
    const { input, onChange, user } = renderField('en');
    expect(input).toHaveValue('2026-01-12');
    await user.clear(input);
    await user.type(input, '12/01/2026{Enter}');
    expect(screen.getByRole('alert')).toHaveTextContent('Not a valid date: type it as yyyy-mm-dd');
    expect(onChange).not.toHaveBeenCalled();
    await user.clear(input);
    await user.type(input, '2026-01-02{Enter}');
    expect(onChange).toHaveBeenLastCalledWith('2026-01-02');
  });
});
