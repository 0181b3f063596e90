import { useId, useState } from 'react';
import { addDays, formatDayInput, parseDayInput } from '@/lib/format';
import { useI18n } from '@/lib/i18n';

export interface DayFieldProps {
  /** The day shown, "YYYY-MM-DD"; null while it is not known yet. */
  value: string | null;
  /** The last day that may be chosen (today in the business timezone). */
  max: string | null;
  onChange: (day: string) => void;
}

/**
 * The day picker: a text field in dd/mm/aaaa (Spanish) or YYYY-MM-DD
 * (English) whatever the browser's locale, which `<input type="date">` would
 * follow instead, plus previous/next day buttons. What is typed is applied on
 * Enter or when the field loses focus; a day that is not real, or after
 * `max`, is refused with a message and changes nothing.
 */
export function DayField({ value, max, onChange }: DayFieldProps) {
  const { t, lang } = useI18n();
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();
  const shown = value === null ? '' : formatDayInput(value, lang);
  // What is being typed; null when the field shows `value`.
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<'invalid' | 'future' | null>(null);

  function commit() {
    if (draft === null) return;
    const day = parseDayInput(draft, lang);
    if (day === null) {
      setError('invalid');
      return;
    }
    if (max !== null && day > max) {
      setError('future');
      return;
    }
    setDraft(null);
    setError(null);
    if (day !== value) onChange(day);
  }

  function step(days: number) {
    if (value === null) return;
    setDraft(null);
    setError(null);
    onChange(addDays(value, days));
  }

  const describedBy = error ? `${hintId} ${errorId}` : hintId;
  return (
    <div className="field field--inline day-field">
      <label className="field__label" htmlFor={inputId}>
        {t('day.label')}
      </label>
      <button
        type="button"
        className="button button--secondary day-field__step"
        aria-label={t('day.previous')}
        title={t('day.previous')}
        disabled={value === null}
        onClick={() => step(-1)}
      >
        ‹
      </button>
      <input
        id={inputId}
        className="field__input day-field__input"
        type="text"
        inputMode="numeric"
        autoComplete="off"
        spellCheck={false}
        placeholder={t('day.format')}
        size={10}
        value={draft ?? shown}
        aria-describedby={describedBy}
        aria-invalid={error !== null}
        onChange={(e) => {
          setDraft(e.target.value);
          setError(null);
        }}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') {
            setDraft(null);
            setError(null);
          }
        }}
      />
      <span id={hintId} className="visually-hidden">
        {t('day.hint', { format: t('day.format') })}
      </span>
      <button
        type="button"
        className="button button--secondary day-field__step"
        aria-label={t('day.next')}
        title={t('day.next')}
        disabled={value === null || (max !== null && value >= max)}
        onClick={() => step(1)}
      >
        ›
      </button>
      {error && (
        <p id={errorId} className="alert alert--error toolbar__alert" role="alert">
          {error === 'invalid'
            ? t('day.invalid', { format: t('day.format') })
            : t('day.future', { max: max === null ? '' : formatDayInput(max, lang) })}
        </p>
      )}
    </div>
  );
}
