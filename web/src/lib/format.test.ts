import { describe, expect, it } from 'vitest';
import {
  addDays,
  dayInTimeZone,
  formatAgo,
  formatDayInput,
  formatMoney,
  formatTime,
  formatWait,
  parseDayInput,
  shortId,
} from './format';

const plain = (s: string) => s.replace(/\s/g, ' ');

describe('format', () => {
  it('formats COP always with two decimals, whole amounts too', () => {
    expect(plain(formatMoney(268.8, 'es'))).toBe('$ 268,80');
    expect(plain(formatMoney(20.68, 'es'))).toBe('$ 20,68');
    expect(plain(formatMoney(1, 'es'))).toBe('$ 1,00');
    expect(plain(formatMoney(1234567, 'es'))).toBe('$ 1.234.567,00');
    expect(plain(formatMoney(10_000_000_000, 'es'))).toBe('$ 10.000.000.000,00');
    expect(plain(formatMoney(0, 'es'))).toBe('$ 0,00');
    expect(plain(formatMoney(268.8, 'en'))).toBe('COP 268.80');
    expect(plain(formatMoney(1234567, 'en'))).toBe('COP 1,234,567.00');
  });

  it('shows times in the business timezone', () => {
    expect(formatTime('2024-09-12T08:50:58.363972Z', 'America/Bogota', 'es')).toBe('03:50:58');
    expect(formatTime('2024-09-12T03:50:58-05:00', 'America/Bogota', 'en')).toBe('03:50:58');
  });

  it('computes the business day of an instant', () => {
    expect(dayInTimeZone(new Date('2024-09-13T03:00:00Z'), 'America/Bogota')).toBe('2024-09-12');
  });

  it('says how long ago and how long to wait', () => {
    expect(plain(formatAgo(3000, 'es'))).toBe('hace 3 s');
    expect(plain(formatAgo(125_000, 'es'))).toBe('hace 2 min');
    expect(formatWait(45, 'es')).toBe('45 segundos');
    expect(formatWait(240, 'es')).toBe('4 minutos');
  });
});

describe('day field formats', () => {
  it('writes dd/mm/aaaa in Spanish and ISO in English', () => {
    expect(formatDayInput('2026-01-12', 'es')).toBe('12/01/2026');
    expect(formatDayInput('2026-01-12', 'en')).toBe('2026-01-12');
  });

  it('reads what a person types, refusing days that do not exist', () => {
    expect(parseDayInput('12/01/2026', 'es')).toBe('2026-01-12');
    expect(parseDayInput(' 1-2-2026 ', 'es')).toBe('2026-02-01');
    expect(parseDayInput('29.02.2024', 'es')).toBe('2024-02-29');
    expect(parseDayInput('2026-01-12', 'es')).toBe('2026-01-12');
    expect(parseDayInput('29/02/2026', 'es')).toBeNull();
    expect(parseDayInput('32/01/2026', 'es')).toBeNull();
    expect(parseDayInput('12/13/2026', 'es')).toBeNull();
    expect(parseDayInput('12/01/26', 'es')).toBeNull();
    expect(parseDayInput('hoy', 'es')).toBeNull();
    expect(parseDayInput('2026-01-12', 'en')).toBe('2026-01-12');
    expect(parseDayInput('12/01/2026', 'en')).toBeNull();
  });

  it('steps days across months and years', () => {
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
  });

  it('shortens long ids only', () => {
    expect(shortId('4205dd65-056f-462e-8e1f-c801a5e78536')).toBe('4205dd65…');
    expect(shortId('pedido-0130')).toBe('pedido-0130');
  });
});
