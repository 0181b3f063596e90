import { z } from 'zod';

export const orderSchema = z.object({
  pedido_id: z.string(),
  repartidor: z.object({
    IdRepartidor: z.union([z.number(), z.string()]),
    Nombre: z.string(),
  }),
  productos: z.array(
    z.object({
      IdProducto: z.string(),
      producto: z.string(),
      precio: z.number(),
      cantidad: z.number().optional(),
    }),
  ),
  timestamp: z.string(),
  fecha: z.string().optional(),
  total: z.number().optional(),
  unidades: z.number().optional(),
  secuencia: z.number().optional(),
});
export type Order = z.infer<typeof orderSchema>;

export const ordersPageSchema = z.object({
  pedidos: z.array(orderSchema),
  next_cursor: z.string().nullable().optional(),
});
export type OrdersPage = z.infer<typeof ordersPageSchema>;

/** An order as the list keeps it: `arrivedAt` is set when it came live. */
export type OrderRow = Order & { arrivedAt?: number };

/** Lines × units of an order (for servers that do not send `total`/`unidades`). */
export function orderUnits(order: Order): number {
  return order.unidades ?? order.productos.reduce((sum, p) => sum + (p.cantidad ?? 1), 0);
}

export function orderTotal(order: Order): number {
  if (order.total !== undefined) return order.total;
  // Sum in integer cents: money is never summed as binary floats.
  const cents = order.productos.reduce(
    (sum, p) => sum + Math.round(p.precio * 100) * (p.cantidad ?? 1),
    0,
  );
  return cents / 100;
}
