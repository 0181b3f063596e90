import { useEffect, useRef, useState } from 'react';
import { useI18n } from '@/lib/i18n';
import { saveFile } from '@/lib/save-file';
import { fetchDayReport, reportFileName } from '../api/download-report';

/**
 * "Informe del día (.xlsx)": totals against yesterday and last week, hours,
 * products and couriers as typed cells that add up in any spreadsheet; and
 * "Imprimir", the page itself on paper (the print stylesheet drops controls).
 */
export function DownloadReportButton({ fecha }: { fecha: string | null }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [failedDay, setFailedDay] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);

  useEffect(() => () => controller.current?.abort(), []);

  async function download(day: string) {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    setBusy(true);
    setFailedDay(null);
    try {
      saveFile(await fetchDayReport(day, current.signal), reportFileName(day));
    } catch {
      if (!current.signal.aborted) setFailedDay(day);
    } finally {
      if (controller.current === current) {
        controller.current = null;
        setBusy(false);
      }
    }
  }

  return (
    <>
      <button
        type="button"
        className="button button--secondary"
        disabled={fecha === null || busy}
        aria-busy={busy}
        onClick={() => {
          if (fecha !== null) void download(fecha);
        }}
      >
        {busy ? t('report.busy') : t('report.download')}
      </button>
      <button type="button" className="button button--secondary" onClick={() => window.print()}>
        {t('report.print')}
      </button>
      {failedDay !== null && failedDay === fecha && (
        <p className="alert alert--error toolbar__alert" role="alert">
          {t('report.error')}
        </p>
      )}
    </>
  );
}
