// A Server-Sent Events parser (WHATWG HTML "event stream interpretation"),
// pure: feed it decoded text in chunks split anywhere, get events out.
// No timers, no I/O, so it is tested on its own.

export interface SseEvent {
  /** `event:` field, "message" when absent. */
  type: string;
  /** `data:` lines joined with "\n". */
  data: string;
  /** The last event id after this event (the stream's, not only this event's). */
  lastEventId: string;
}

export interface SseHandlers {
  onEvent: (event: SseEvent) => void;
  /** A comment line (": keep-alive"), without the colon and one leading space. */
  onComment?: (text: string) => void;
  /** A valid `retry:` field, in milliseconds. */
  onRetry?: (ms: number) => void;
}

export interface SseParser {
  /** Feeds decoded text. */
  push: (chunk: string) => void;
  /** The stream ended: a partial event without its blank line is dropped, per spec. */
  end: () => void;
  /** The last event id seen (persisting across events, as the spec says). */
  readonly lastEventId: string;
}

export function createSseParser(handlers: SseHandlers, initialLastEventId = ''): SseParser {
  let buffer = '';
  let firstChunk = true;
  /** A chunk ended in CR: a LF starting the next chunk belongs to that line break. */
  let pendingCr = false;
  let data: string[] = [];
  let type = '';
  let lastEventId = initialLastEventId;
  /** `id:` takes effect when its event is dispatched (the blank line). */
  let idBuffer = initialLastEventId;

  const dispatch = () => {
    lastEventId = idBuffer;
    if (data.length === 0) {
      type = '';
      return;
    }
    const event: SseEvent = { type: type || 'message', data: data.join('\n'), lastEventId };
    data = [];
    type = '';
    handlers.onEvent(event);
  };

  const processLine = (line: string) => {
    if (line === '') {
      dispatch();
      return;
    }
    if (line.startsWith(':')) {
      handlers.onComment?.(line.slice(1).replace(/^ /, ''));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        type = value;
        break;
      case 'data':
        data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) idBuffer = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) handlers.onRetry?.(Number(value));
        break;
      default:
        // Unknown fields are ignored.
        break;
    }
  };

  const push = (chunk: string) => {
    let text = chunk;
    if (firstChunk && text.length > 0) {
      firstChunk = false;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    if (pendingCr && text.startsWith('\n')) text = text.slice(1);
    pendingCr = false;
    buffer += text;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const ch = buffer[i];
      if (ch !== '\n' && ch !== '\r') continue;
      processLine(buffer.slice(start, i));
      if (ch === '\r') {
        if (i + 1 < buffer.length) {
          if (buffer[i + 1] === '\n') i++;
        } else {
          pendingCr = true;
        }
      }
      start = i + 1;
    }
    buffer = buffer.slice(start);
  };

  const end = () => {
    // Per spec, an incomplete event at end of stream is discarded.
    buffer = '';
    data = [];
    type = '';
    idBuffer = lastEventId;
    pendingCr = false;
  };

  return {
    push,
    end,
    get lastEventId() {
      return lastEventId;
    },
  };
}
