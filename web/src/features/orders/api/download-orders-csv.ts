import { request } from '@/lib/api-client';

/**
 * `csv`: the export's bytes, for programs (',' and decimal dots). `hoja`:
 * for spreadsheets in Colombian Spanish (';' and decimal commas), which read
 * "14.5" as text and then add up wrong.
 */
export type CsvFormat = 'csv' | 'hoja';

/** The name the server gives the file too (Content-Disposition). */
export function ordersCsvFileName(fecha: string, format: CsvFormat = 'csv'): string {
  return format === 'hoja' ? `pedidos-${fecha}-hoja.csv` : `pedidos-${fecha}.csv`;
}

/**
 * A business day's orders as CSV (GET /pedidos.csv), fetched with the
 * session's token. Rejects with ApiError on an error answer, and with a
 * TypeError when the body is cut off midway (the server closes the
 * connection if its store fails during the download): a truncated file is
 * never handed out as a complete one.
 */
export async function fetchOrdersCsv(
  fecha: string,
  format: CsvFormat,
  signal?: AbortSignal,
): Promise<Blob> {
  const response = await request('/pedidos.csv', {
    // The default is left implicit, so the machines' URL stays the same.
    query: { fecha, formato: format === 'hoja' ? 'hoja' : null },
    headers: { Accept: 'text/csv' },
    signal,
  });
  return response.blob();
}
