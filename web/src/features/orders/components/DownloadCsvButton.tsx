import { useEffect, useRef, useState } from 'react';
import { useI18n } from '@/lib/i18n';
import { saveFile } from '@/lib/save-file';
import { fetchOrdersCsv, ordersCsvFileName } from '../api/download-orders-csv';
import type { CsvFormat } from '../api/download-orders-csv';

export interface DownloadCsvButtonProps {
  /** Business day to download; null while it is not known yet. */
  fecha: string | null;
}

/**
 * "Descargar CSV": the day's orders as the CSV of `cargomon export`, and
 * "CSV para hoja de cálculo": the same rows with ';' and decimal commas,
 * which LibreOffice and Excel in Colombian Spanish open as numbers. The
 * token travels in the Authorization header, so the file is fetched here
 * and saved from a Blob rather than by navigating to the URL.
 */
export function DownloadCsvButton({ fecha }: DownloadCsvButtonProps) {
  const { t } = useI18n();
  const [busy, setBusy] = useState<CsvFormat | null>(null);
  const [failedDay, setFailedDay] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);

  useEffect(() => () => controller.current?.abort(), []);

  async function download(day: string, format: CsvFormat) {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    setBusy(format);
    setFailedDay(null);
    try {
      const blob = await fetchOrdersCsv(day, format, current.signal);
      saveFile(blob, ordersCsvFileName(day, format));
    } catch {
      if (!current.signal.aborted) setFailedDay(day);
    } finally {
      if (controller.current === current) {
        controller.current = null;
        setBusy(null);
      }
    }
  }

  return (
    <>
      <button
        type="button"
        className="button button--secondary"
        disabled={fecha === null || busy !== null}
        aria-busy={busy === 'csv'}
        onClick={() => {
          if (fecha !== null) void download(fecha, 'csv');
        }}
      >
        {busy === 'csv' ? t('orders.downloadCsvBusy') : t('orders.downloadCsv')}
      </button>
      <button
        type="button"
        className="button button--secondary"
        disabled={fecha === null || busy !== null}
        aria-busy={busy === 'hoja'}
        title={t('orders.downloadSheetHint')}
        onClick={() => {
          if (fecha !== null) void download(fecha, 'hoja');
        }}
      >
        {busy === 'hoja' ? t('orders.downloadCsvBusy') : t('orders.downloadSheet')}
      </button>
      {failedDay !== null && failedDay === fecha && (
        <p className="alert alert--error toolbar__alert" role="alert">
          {t('orders.downloadCsvError')}
        </p>
      )}
    </>
  );
}
