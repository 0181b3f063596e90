// A fake /eventos: tests push SSE frames to every open stream.

const encoder = new TextEncoder();

interface Connection {
  controller: ReadableStreamDefaultController<Uint8Array>;
  lastEventId: string | null;
  open: boolean;
}

const connections: Connection[] = [];
const waiters: (() => void)[] = [];

export const sse = {
  /** Every connection made, in order (open or not). */
  get connections(): readonly Connection[] {
    return connections;
  },

  get openCount(): number {
    return connections.filter((c) => c.open).length;
  },

  open(lastEventId: string | null): ReadableStream<Uint8Array> {
    let connection: Connection | undefined;
    return new ReadableStream<Uint8Array>({
      start(controller) {
        connection = { controller, lastEventId, open: true };
        connections.push(connection);
        for (const wake of waiters.splice(0)) wake();
      },
      cancel() {
        if (connection) connection.open = false;
      },
    });
  },

  /** Sends raw text to every open stream. */
  raw(text: string): void {
    for (const c of connections) {
      if (!c.open) continue;
      try {
        c.controller.enqueue(encoder.encode(text));
      } catch {
        c.open = false;
      }
    }
  },

  send(event: string, data: unknown, id?: number | string): void {
    const idLine = id === undefined ? '' : `id: ${id}\n`;
    sse.raw(`event: ${event}\n${idLine}data: ${JSON.stringify(data)}\n\n`);
  },

  /** Ends every open stream, as a server restart would. */
  closeAll(): void {
    for (const c of connections) {
      if (!c.open) continue;
      c.open = false;
      try {
        c.controller.close();
      } catch {
        // Already closed by the client.
      }
    }
  },

  /** Resolves once `n` connections have been made in total. */
  async waitForConnections(n: number): Promise<void> {
    while (connections.length < n) {
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  },

  reset(): void {
    sse.closeAll();
    connections.length = 0;
    waiters.length = 0;
  },
};
