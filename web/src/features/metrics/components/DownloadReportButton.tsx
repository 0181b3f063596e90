import { useI18n } from '@/lib/i18n';
import { useDownload } from '@/lib/use-download';
import { fetchDayReport, reportFileName } from '../api/download-report';

/**
 * "Informe del día (.xlsx)": totals against yesterday and last week, hours,
 * products and couriers as typed cells that add up in any spreadsheet; and
 * "Imprimir", the page itself on paper (the print stylesheet drops controls).
 */
export function DownloadReportButton({ fecha }: { fecha: string | null }) {
  const { t } = useI18n();
  const { busy, failedDay, download } = useDownload<'report'>();

  return (
    <>
      <button
        type="button"
        className="button button--secondary"
        disabled={fecha === null || busy !== null}
        aria-busy={busy !== null}
        onClick={() => {
          if (fecha !== null) {
            void download(
              fecha,
              'report',
              (signal) => fetchDayReport(fecha, signal),
              reportFileName(fecha),
            );
          }
        }}
      >
        {busy !== null ? t('report.busy') : t('report.download')}
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
