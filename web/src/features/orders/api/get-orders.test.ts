import { describe, expect, it } from 'vitest';
import { insertOrder } from './get-orders';
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
    pages: pages.map((pedidos, i) => ({
      pedidos,
      next_cursor: i === pages.length - 1 ? lastCursor : `c${i}`,
    })),
    pageParams: pages.map((_, i) => (i === 0 ? null : `c${i - 1}`)),
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
