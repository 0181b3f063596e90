import { screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TODAY } from '@/testing/mocks/data';
import { db } from '@/testing/mocks/handlers';
import { server } from '@/testing/mocks/server';
import { renderApp, signIn } from '@/testing/test-utils';

interface Saved {
  href: string;
  download: string;
  blob: Blob;
}

// jsdom has neither object URLs nor downloads: record what would be saved.
let saved: Saved[];
let blobs: Map<string, Blob>;

beforeEach(() => {
  saved = [];
  blobs = new Map();
  let next = 0;
  const define = (name: string, value: unknown) =>
    Object.defineProperty(URL, name, { configurable: true, writable: true, value });
  define(
    'createObjectURL',
    vi.fn((blob: Blob) => {
      const url = `blob:http://localhost/${++next}`;
      blobs.set(url, blob);
      return url;
    }),
  );
  define('revokeObjectURL', vi.fn());
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
    this: HTMLAnchorElement,
  ) {
    expect(this.isConnected).toBe(true);
    saved.push({ href: this.href, download: this.download, blob: blobs.get(this.href)! });
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  Reflect.deleteProperty(URL, 'createObjectURL');
  Reflect.deleteProperty(URL, 'revokeObjectURL');
});

/** The saved file as text, byte order mark included (Blob.text() drops it). */
async function contentOf(file: Saved): Promise<string> {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(await file.blob.arrayBuffer());
}

async function renderDashboard() {
  signIn();
  const utils = renderApp();
  await screen.findByRole('group', { name: 'Pedidos' });
  return utils;
}

describe('orders download', () => {
  it('offers the workbook first: pedidos-<day>.xlsx, the file people open', async () => {
    const { user } = await renderDashboard();
    const buttons = screen
      .getAllByRole('button')
      .map((b) => b.textContent)
      .filter((name) => name && /pedidos \(\.xlsx\)|CSV/.test(name));
    expect(buttons).toEqual([
      'Descargar pedidos (.xlsx)',
      'Descargar CSV',
      'CSV para hoja de cálculo',
    ]);
    await user.click(screen.getByRole('button', { name: 'Descargar pedidos (.xlsx)' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(db.xlsxRequests).toEqual([TODAY]);
    expect(db.csvRequests).toEqual([]);
    expect(saved[0]!.download).toBe(`pedidos-${TODAY}.xlsx`);
    expect([...new Uint8Array(await saved[0]!.blob.arrayBuffer())]).toEqual([0x50, 0x4b, 3, 4]);
  });

  it('says so when the workbook cannot be downloaded', async () => {
    server.use(
      http.get('/pedidos.xlsx', () =>
        HttpResponse.json({ detail: 'The workbook could not be written' }, { status: 503 }),
      ),
    );
    const { user } = await renderDashboard();
    await user.click(screen.getByRole('button', { name: 'Descargar pedidos (.xlsx)' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'No se pudo descargar el archivo de los pedidos. Inténtalo de nuevo.',
    );
    expect(saved).toHaveLength(0);
  });

  it("saves the shown day's orders as pedidos-<day>.csv, fetched with the token", async () => {
    const { user } = await renderDashboard();
    const button = screen.getByRole('button', { name: 'Descargar CSV' });
    await user.click(button);
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(db.csvRequests).toEqual([TODAY]);
    expect(saved[0]!.download).toBe(`pedidos-${TODAY}.csv`);
    const text = await contentOf(saved[0]!);
    // Byte for byte as the server sent it, byte order mark included.
    expect(text.startsWith('\uFEFFpedido_id,')).toBe(true);
    const rows = text.slice(1).split('\r\n');
    expect(rows[0]).toBe('pedido_id,secuencia,timestamp,fecha');
    expect(rows).toHaveLength(130 + 2); // header, 130 orders, the final line break
    expect(button).toBeEnabled();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(document.querySelector('a[download]')).toBeNull(); // the link is gone again
  });

  it('offers the spreadsheet variant: formato=hoja, saved as pedidos-<day>-hoja.csv', async () => {
    const { user } = await renderDashboard();
    await user.click(screen.getByRole('button', { name: 'CSV para hoja de cálculo' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]!.download).toBe(`pedidos-${TODAY}-hoja.csv`);
    const text = await contentOf(saved[0]!);
    expect(text.startsWith('\uFEFFpedido_id;secuencia;timestamp;fecha\r\n')).toBe(true);
    expect(text.split('\r\n')).toHaveLength(130 + 2);
    // The plain CSV asks for no formato at all: the machines' URL is unchanged.
    await user.click(screen.getByRole('button', { name: 'Descargar CSV' }));
    await waitFor(() => expect(saved).toHaveLength(2));
    expect(saved[1]!.download).toBe(`pedidos-${TODAY}.csv`);
    expect((await contentOf(saved[1]!)).startsWith('\uFEFFpedido_id,secuencia,')).toBe(true);
  });

  it('downloads the day chosen in the day picker', async () => {
    const { user } = await renderDashboard();
    await user.clear(screen.getByLabelText('Día'));
    await user.type(screen.getByLabelText('Día'), '10/09/2024{Enter}');
    await user.click(screen.getByRole('button', { name: 'Descargar CSV' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(db.csvRequests).toEqual(['2024-09-10']);
    expect(saved[0]!.download).toBe('pedidos-2024-09-10.csv');
    expect(await contentOf(saved[0]!)).toBe('\uFEFFpedido_id,secuencia,timestamp,fecha\r\n');
  });

  it('says so when the download fails, and tries again on the next click', async () => {
    server.use(
      http.get('/pedidos.csv', () =>
        HttpResponse.json(
          { detail: 'The store is unavailable, try again shortly' },
          { status: 503, headers: { 'Retry-After': '1' } },
        ),
      ),
    );
    const { user } = await renderDashboard();
    await user.click(screen.getByRole('button', { name: 'Descargar CSV' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'No se pudo descargar el archivo de los pedidos. Inténtalo de nuevo.',
    );
    expect(saved).toHaveLength(0);

    server.resetHandlers();
    await user.click(screen.getByRole('button', { name: 'Descargar CSV' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('does not save a download that was cut off midway', async () => {
    server.use(
      http.get(
        '/pedidos.csv',
        () =>
          new HttpResponse(
            new ReadableStream({
              start(controller) {
                controller.enqueue(new TextEncoder().encode('pedido_id,secuencia\r\np-1,1\r\n'));
                controller.error(new Error('connection closed'));
              },
            }),
            { headers: { 'Content-Type': 'text/csv; charset=utf-8' } },
          ),
      ),
    );
    const { user } = await renderDashboard();
    await user.click(screen.getByRole('button', { name: 'Descargar CSV' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'No se pudo descargar el archivo de los pedidos.',
    );
    expect(saved).toHaveLength(0);
  });

  it('is labelled in English after the language toggle', async () => {
    const { user } = await renderDashboard();
    await user.click(screen.getByRole('button', { name: 'English' }));
    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    await waitFor(() => expect(saved).toHaveLength(1));
    server.use(http.get('/pedidos.csv', () => HttpResponse.error()));
    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not download the orders file. Please try again.',
    );
  });
});

describe('the day report download', () => {
  it("saves the workbook of the viewed day under the server's name", async () => {
    let asked: string | null = null;
    server.use(
      http.get('/informes/dia.xlsx', ({ request }) => {
        asked = new URL(request.url).searchParams.get('fecha');
        return new HttpResponse(new Uint8Array([0x50, 0x4b, 3, 4]), {
          headers: {
            'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          },
        });
      }),
    );
    signIn();
    const { user } = renderApp();
    const button = await screen.findByRole('button', { name: 'Informe del día (.xlsx)' });
    await waitFor(() => expect(button).toBeEnabled());
    await user.click(button);
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(asked).toBe(TODAY);
    expect(saved[0]!.download).toBe(`informe-${TODAY}.xlsx`);
    expect(new Uint8Array(await saved[0]!.blob.arrayBuffer())[0]).toBe(0x50);
  });

  it('says so when the report cannot be downloaded', async () => {
    server.use(
      http.get('/informes/dia.xlsx', () =>
        HttpResponse.json({ detail: 'The report could not be written' }, { status: 503 }),
      ),
    );
    signIn();
    const { user } = renderApp();
    const button = await screen.findByRole('button', { name: 'Informe del día (.xlsx)' });
    await waitFor(() => expect(button).toBeEnabled());
    await user.click(button);
    expect(await screen.findByText('No se pudo descargar el informe. Inténtalo de nuevo.'));
    expect(saved).toHaveLength(0);
  });
});
