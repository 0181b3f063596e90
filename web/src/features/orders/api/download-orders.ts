import { request } from '@/lib/api-client';

/**
 * `xlsx`: a workbook of typed cells, for people (the default: numbers and
 * dates add up in any spreadsheet's locale). `csv`: the export's bytes, for
 * programs (',' and decimal dots). `hoja`: a CSV for spreadsheets in
 * Colombian Spanish (';' and decimal commas), which read "14.5" as text and
 * then add up wrong.
 */
export type OrdersFormat = 'xlsx' | 'csv' | 'hoja';

/** The name the server gives the file too (Content-Disposition). */
export function ordersFileName(fecha: string, format: OrdersFormat = 'csv'): string {
  if (format === 'xlsx') return `pedidos-${fecha}.xlsx`;
  return format === 'hoja' ? `pedidos-${fecha}-hoja.csv` : `pedidos-${fecha}.csv`;
}

/**
 * A business day's orders as a file (GET /pedidos.xlsx or /pedidos.csv),
 * fetched with the session's token. Rejects with ApiError on an error
 * answer, and with a TypeError when the body is cut off midway (the server
 * closes the connection if its store fails during the download): a
 * truncated file is never handed out as a complete one.
 */
export async function fetchOrders(
  fecha: string,
  format: OrdersFormat,
  signal?: AbortSignal,
): Promise<Blob> {
  if (format === 'xlsx') {
    return (await request('/pedidos.xlsx', { query: { fecha }, signal })).blob();
  }
  const response = await request('/pedidos.csv', {
    // The default is left implicit, so the machines' URL stays the same.
    query: { fecha, formato: format === 'hoja' ? 'hoja' : null },
    headers: { Accept: 'text/csv' },
    signal,
  });
  return response.blob();
}
