import { describe, expect, it } from 'vitest';
import { createSseParser } from './sse-parser';
import type { SseEvent } from './sse-parser';

function collect(chunks: string[], initialId = '') {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const parser = createSseParser(
    {
      onEvent: (e) => events.push(e),
      onComment: (c) => comments.push(c),
      onRetry: (ms) => retries.push(ms),
    },
    initialId,
  );
  for (const chunk of chunks) parser.push(chunk);
  return { events, comments, retries, parser };
}

/** Every way of cutting `text` in two, plus one chunk per character. */
function splits(text: string): string[][] {
  const out: string[][] = [[text], Array.from({ length: text.length }, (_, i) => text.charAt(i))];
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

const STREAM =
  ': keep-alive\n' +
  'event: metrics\nid: 41\ndata: {"total_pedidos":13}\n\n' +
  'event: pedido\r\nid: 42\r\ndata: {"pedido":\r\ndata: {"pedido_id":"a"}}\r\n\r\n' +
  'data: plain\r\rdata:no-space\n\n';

describe('createSseParser', () => {
  it('parses named events, ids, multi-line data, comments and default type', () => {
    const { events, comments } = collect([STREAM]);
    expect(comments).toEqual(['keep-alive']);
    expect(events).toEqual([
      { type: 'metrics', data: '{"total_pedidos":13}', lastEventId: '41' },
      { type: 'pedido', data: '{"pedido":\n{"pedido_id":"a"}}', lastEventId: '42' },
      { type: 'message', data: 'plain', lastEventId: '42' },
      { type: 'message', data: 'no-space', lastEventId: '42' },
    ]);
  });

  it('gives the same events however the stream is split into chunks', () => {
    const expected = collect([STREAM]).events;
    for (const chunks of splits(STREAM)) {
      expect(collect(chunks).events).toEqual(expected);
    }
  });

  it('treats a CRLF split across two chunks as one line break', () => {
    const { events } = collect(['data: a\r', '\n\r', '\ndata: b\r\n\r\n']);
    expect(events.map((e) => e.data)).toEqual(['a', 'b']);
  });

  it('ignores events without data, but keeps their id', () => {
    const { events, parser } = collect(['id: 7\n\nevent: nothing\n\n']);
    expect(events).toEqual([]);
    expect(parser.lastEventId).toBe('7');
  });

  it('drops an event cut off by the end of the stream', () => {
    const { events, parser } = collect(['event: pedido\nid: 9\ndata: {"x":1}\n'], '5');
    parser.end();
    expect(events).toEqual([]);
    expect(parser.lastEventId).toBe('5');
  });

  it('keeps the last id across events and starts from the given one', () => {
    const { events } = collect(['data: x\n\n'], '100');
    expect(events[0]?.lastEventId).toBe('100');
  });

  it('ignores ids containing NUL, unknown fields and bad retry values', () => {
    const { events, retries } = collect([
      'id: 1\n\ndata: a\nid: bad\0id\nfoo: bar\nretry: 1x\nretry: 2500\n\n',
    ]);
    expect(events).toEqual([{ type: 'message', data: 'a', lastEventId: '1' }]);
    expect(retries).toEqual([2500]);
  });

  it('strips a leading BOM and keeps empty data lines', () => {
    const { events } = collect(['\uFEFFdata\ndata: \ndata: z\n\n']);
    expect(events).toEqual([{ type: 'message', data: '\n\nz', lastEventId: '' }]);
  });

  it('keeps colons inside values and only strips one leading space', () => {
    const { events } = collect(['data:  two: spaces\n\n']);
    expect(events[0]?.data).toBe(' two: spaces');
  });
});
