import { useI18n } from '@/lib/i18n';
import type { MessageKey } from '@/lib/messages';
import { useDownload } from '@/lib/use-download';
import { fetchOrders, ordersFileName } from '../api/download-orders';
import type { OrdersFormat } from '../api/download-orders';

export interface DownloadOrdersButtonsProps {
  /** Business day to download; null while it is not known yet. */
  fecha: string | null;
}

const LABELS: Record<OrdersFormat, MessageKey> = {
  xlsx: 'orders.downloadXlsx',
  csv: 'orders.downloadCsv',
  hoja: 'orders.downloadSheet',
};

/**
 * The day's orders as files: "Descargar pedidos (.xlsx)" first, the
 * workbook people open (typed cells that add up in a spreadsheet set to
 * Colombian Spanish); then "CSV", the bytes of `cargomon export` for
 * programs, and "CSV para hoja de cálculo" (';' and decimal commas).
 */
export function DownloadOrdersButtons({ fecha }: DownloadOrdersButtonsProps) {
  const { t } = useI18n();
  const { busy, failedDay, download } = useDownload<OrdersFormat>();

  return (
    <>
      {(['xlsx', 'csv', 'hoja'] as const).map((format) => (
        <button
          key={format}
          type="button"
          className={format === 'xlsx' ? 'button button--primary' : 'button button--secondary'}
          disabled={fecha === null || busy !== null}
          aria-busy={busy === format}
          title={format === 'hoja' ? t('orders.downloadSheetHint') : undefined}
          onClick={() => {
            if (fecha !== null) {
              void download(
                fecha,
                format,
                (signal) => fetchOrders(fecha, format, signal),
                ordersFileName(fecha, format),
              );
            }
          }}
        >
          {busy === format ? t('orders.downloadBusy') : t(LABELS[format])}
        </button>
      ))}
      {failedDay !== null && failedDay === fecha && (
        <p className="alert alert--error toolbar__alert" role="alert">
          {t('orders.downloadError')}
        </p>
      )}
    </>
  );
}
