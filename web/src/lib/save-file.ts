// Saves data the app fetched itself (with the bearer token) as a file: an
// object URL behind a temporary <a download>. No inline script or style is
// involved, so it works under the dashboard's Content-Security-Policy.

/** How long the object URL outlives the click, for the browser to read it. */
const REVOKE_AFTER_MS = 60_000;

export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    // Revoking at once can cancel the download in some browsers.
    setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
  }
}
