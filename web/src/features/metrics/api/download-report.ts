import { request } from '@/lib/api-client';

/** The name the server gives the file too (Content-Disposition). */
export function reportFileName(fecha: string): string {
  return `informe-${fecha}.xlsx`;
}

/** The day's report as an .xlsx workbook (GET /informes/dia.xlsx), fetched with the session's token. */
export async function fetchDayReport(fecha: string, signal?: AbortSignal): Promise<Blob> {
  const response = await request('/informes/dia.xlsx', { query: { fecha }, signal });
  return response.blob();
}
