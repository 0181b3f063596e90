import { request } from '@/lib/api-client';

/** The name the server gives the file too (Content-Disposition). */
export function ordersCsvFileName(fecha: string): string {
  return `pedidos-${fecha}.csv`;
}

/**
 * A business day's orders as CSV (GET /pedidos.csv), fetched with the
 * session's token. Rejects with ApiError on an error answer, and with a
 * TypeError when the body is cut off midway (the server closes the
 * connection if its store fails during the download): a truncated file is
 * never handed out as a complete one.
 */
export async function fetchOrdersCsv(fecha: string, signal?: AbortSignal): Promise<Blob> {
  const response = await request('/pedidos.csv', {
    query: { fecha },
    headers: { Accept: 'text/csv' },
    signal,
  });
  return response.blob();
}
