import { describe, expect, it } from 'vitest';
import { boundRows, FIRST_PAGE, insertOrder } from './get-orders';
import type { OrdersData } from './get-orders';
import type { Order } from './order-schema';
import { orderTotal, orderUnits } from './order-schema';

function order(id: string, time: string): Order {
  return {
    pedido_id: id,
    repartidor: { IdRepartidor: 1, Nombre: 'X' },
    productos: [{ IdProducto: 'p', producto: 'P', precio: 1 }],
    timestamp: `2024-09-12T${time}-05:00`,
  };
}

function data(pages: Order[][], lastCursor: string | null = null): OrdersData {
  return {
    pages: pages.map((pedidos, i) => {
      const cursor = i === pages.length - 1 ? lastCursor : `c${i}`;
      return { pedidos, next: cursor === null ? null : { cursor, hasta: null } };
    }),
    pageParams: pages.map((_, i) => (i === 0 ? FIRST_PAGE : { cursor: `c${i - 1}`, hasta: null })),
  };
}

const ids = (d: OrdersData) => d.pages.map((p) => p.pedidos.map((o) => o.pedido_id));

describe('insertOrder', () => {
  const base = data([[order('c', '10:00:00'), order('b', '09:00:00')], [order('a', '08:00:00')]]);

  it('puts the newest order on top', () => {
    expect(ids(insertOrder(base, order('d', '11:00:00')))).toEqual([['d', 'c', 'b'], ['a']]);
  });

  it('puts a late-registered older order where its time belongs', () => {
    expect(ids(insertOrder(base, order('x', '08:30:00')))).toEqual([
      ['c', 'b'],
      ['x', 'a'],
    ]);
  });

  it('puts an order with the same time before the ones that arrived earlier', () => {
    expect(ids(insertOrder(base, order('y', '09:00:00')))).toEqual([['c', 'y', 'b'], ['a']]);
  });

  it('ignores an order already listed', () => {
    expect(insertOrder(base, order('b', '12:00:00'))).toBe(base);
  });

  it('leaves an order older than everything loaded to the next page', () => {
    const more = data([[order('c', '10:00:00')]], 'next');
    expect(insertOrder(more, order('z', '07:00:00'))).toBe(more);
    expect(ids(insertOrder(base, order('z', '07:00:00')))).toEqual([
      ['c', 'b'],
      ['a', 'z'],
    ]);
  });
});

describe('boundRows', () => {
  const at = (n: number) =>
    `${String(10 + Math.floor(n / 3600)).padStart(2, '0')}:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}`;
  /** `count` orders a second apart, newest first, in pages of `size`. */
  function list(count: number, size: number, lastCursor: string | null = 'more'): OrdersData {
    const rows = Array.from({ length: count }, (_, i) => order(`o${count - i}`, at(count - i)));
    const pages: Order[][] = [];
    for (let i = 0; i < rows.length; i += size) pages.push(rows.slice(i, i + size));
    return data(pages, lastCursor);
  }

  it('leaves a list within the bound alone', () => {
    const d = list(5, 2);
    expect(boundRows(d, 5)).toBe(d);
  });

  it('keeps the newest rows and goes on from the last kept one', () => {
    // A first page that live orders grew to 7 rows, then a page of 2.
    const d = list(9, 7);
    const bounded = boundRows(d, 4);
    expect(ids(bounded)).toEqual([['o9', 'o8', 'o7', 'o6']]);
    expect(bounded.pages[0]!.next).toEqual({
      cursor: null,
      hasta: d.pages[0]!.pedidos[3]!.timestamp,
    });
    expect(bounded.pageParams).toEqual([FIRST_PAGE]);
  });

  it('keeps whole pages with their own next cursor when the cut falls between pages', () => {
    const d = list(6, 2);
    const bounded = boundRows(d, 4);
    expect(ids(bounded)).toEqual([
      ['o6', 'o5'],
      ['o4', 'o3'],
    ]);
    expect(bounded.pages[1]!.next).toEqual({ cursor: 'c1', hasta: null });
    expect(bounded.pageParams).toHaveLength(2);
  });

  it('never cuts between orders of the same instant', () => {
    const same = '10:00:00';
    const d = data([
      [order('d', '11:00:00'), order('c', same), order('b', same), order('a', '09:00:00')],
    ]);
    // Four rows kept at most 2: 'c' and 'b' share an instant, so only 'd' stays.
    const bounded = boundRows(d, 2);
    expect(ids(bounded)).toEqual([['d']]);
    expect(bounded.pages[0]!.next).toEqual({ cursor: null, hasta: '2024-09-12T11:00:00-05:00' });
    // All of the first rows at one instant: nothing can be cut.
    const tied = data([[order('c', same), order('b', same), order('a', same)]]);
    expect(boundRows(tied, 2)).toBe(tied);
  });
});

describe('order totals', () => {
  it('uses the server total and units when present', () => {
    expect(orderTotal({ ...order('a', '10:00:00'), total: 15 })).toBe(15);
    expect(orderUnits({ ...order('a', '10:00:00'), unidades: 4 })).toBe(4);
  });

  it('computes them in cents otherwise', () => {
    const o: Order = {
      ...order('a', '10:00:00'),
      productos: [
        { IdProducto: '1', producto: 'A', precio: 0.1 },
        { IdProducto: '2', producto: 'B', precio: 0.2, cantidad: 3 },
      ],
    };
    expect(orderTotal(o)).toBe(0.7);
    expect(orderUnits(o)).toBe(4);
  });
});
