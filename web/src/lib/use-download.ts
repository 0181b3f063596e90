import { useEffect, useRef, useState } from 'react';
import { saveFile } from './save-file';

/**
 * One file download at a time, fetched by the app itself (the token travels
 * in the Authorization header, so the browser cannot just follow a link) and
 * saved from a Blob. `busy` names the download running; `failedDay` the day
 * whose last download failed, so the message goes away with another day. A
 * new download, or leaving the page, aborts the one running.
 */
export function useDownload<Kind extends string>() {
  const [busy, setBusy] = useState<Kind | null>(null);
  const [failedDay, setFailedDay] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);

  useEffect(() => () => controller.current?.abort(), []);

  async function download(
    day: string,
    kind: Kind,
    fetchFile: (signal: AbortSignal) => Promise<Blob>,
    fileName: string,
  ) {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    setBusy(kind);
    setFailedDay(null);
    try {
      saveFile(await fetchFile(current.signal), fileName);
    } catch {
      if (!current.signal.aborted) setFailedDay(day);
    } finally {
      if (controller.current === current) {
        controller.current = null;
        setBusy(null);
      }
    }
  }

  return { busy, failedDay, download };
}
