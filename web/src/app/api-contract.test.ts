// The dashboard, its MSW stand-in and the server share one contract: the
// OpenAPI document the server embeds and serves (docs/openapi.json). This test
// fails when any of them drifts from it:
//   - every zod schema the dashboard parses answers with has exactly the
//     document's fields, requires none the document leaves optional, accepts
//     every type the document allows (an integer or string IdRepartidor, a
//     null `ultimo_pedido`, ...), and parses the document's examples;
//   - every answer the MSW handlers give, and every event the fake stream is
//     fed, validates against the document (ajv, the validator most generated
//     clients and gateways use), with a status the document lists.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { tokenResponseSchema } from '@/features/auth/api/login';
import { metricsSchema } from '@/features/metrics/api/metrics-schema';
import { orderSchema, ordersPageSchema } from '@/features/orders/api/order-schema';
import { ADMIN, TODAY, makeMetrics, makeOrder, makeOrders } from '@/testing/mocks/data';
import { TEST_TOKEN } from '@/testing/mocks/handlers';

type OpenApiSchema = Record<string, unknown> & {
  $ref?: string;
  type?: string;
  nullable?: boolean;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  oneOf?: OpenApiSchema[];
  allOf?: OpenApiSchema[];
  example?: unknown;
};
interface OpenApiResponse {
  $ref?: string;
  content?: Record<string, { schema?: OpenApiSchema; example?: unknown }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, OpenApiResponse> }>>;
  components: {
    schemas: Record<string, OpenApiSchema>;
    responses: Record<string, OpenApiResponse>;
  };
}

const document = JSON.parse(
  // __dirname, not import.meta.url: under jsdom the latter is not a file: URL.
  readFileSync(path.resolve(__dirname, '../../../docs/openapi.json'), 'utf8'),
) as OpenApiDocument;

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(document, 'openapi.json');

/** ajv's errors for `value` against `#/components/schemas/<name>` (none: valid). */
function violations(name: string, value: unknown): string[] {
  const validate = ajv.getSchema(`openapi.json#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name} in the document`);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

function resolve<T extends { $ref?: string }>(node: T): T {
  if (!node.$ref) return node;
  const target = node.$ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], document);
  return resolve(target as T);
}

/** The schema behind `$ref`s and a one-element `allOf` (how the document adds a description). */
function resolveSchema(node: OpenApiSchema): OpenApiSchema {
  const resolved = resolve(node);
  return resolved.allOf?.length === 1 && resolved.allOf[0]
    ? resolveSchema(resolved.allOf[0])
    : resolved;
}

// ---------------------------------------------------------------- zod vs OpenAPI

interface ZodDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  items?: z.ZodType[];
  options?: z.ZodType[];
}
const defOf = (schema: z.ZodType) => (schema as unknown as { def: ZodDef }).def;

/** The schema under optional/default/nullable/transform wrappers, and what they allow. */
function unwrap(schema: z.ZodType): { core: z.ZodType; optional: boolean; nullable: boolean } {
  let core = schema;
  let optional = false;
  let nullable = false;
  for (;;) {
    const def = defOf(core);
    if (def.type === 'optional' || def.type === 'default') optional = true;
    if (def.type === 'nullable') nullable = true;
    if (def.innerType) core = def.innerType;
    else if (def.type === 'pipe' && def.in) core = def.in;
    else return { core, optional, nullable };
  }
}

const OPENAPI_TYPE_OF_ZOD: Record<string, string[]> = {
  string: ['string'],
  number: ['number', 'integer'],
  boolean: ['boolean'],
};

/** Every way `zodSchema` and the document's schema disagree, as "where: what". */
function mismatches(zodSchema: z.ZodType, openapi: OpenApiSchema, where: string): string[] {
  const spec = resolveSchema(openapi);
  const { core, nullable } = unwrap(zodSchema);
  const def = defOf(core);
  const problems: string[] = [];
  if (spec.nullable && !nullable)
    problems.push(`${where}: the document allows null, the dashboard does not`);

  if (spec.oneOf) {
    const options = def.type === 'union' ? (def.options ?? []) : [core];
    // Each variant the server may send must be accepted, and nothing else expected.
    for (const [i, branch] of spec.oneOf.entries()) {
      if (!options.some((option) => mismatches(option, branch, where).length === 0)) {
        problems.push(`${where}: no dashboard type accepts the document's variant ${i}`);
      }
    }
    for (const option of options) {
      if (!spec.oneOf.some((branch) => mismatches(option, branch, where).length === 0)) {
        problems.push(`${where}: the dashboard expects a variant the document does not have`);
      }
    }
    return problems;
  }
  switch (def.type) {
    case 'object': {
      if (spec.type !== 'object')
        return [...problems, `${where}: object in the dashboard, ${spec.type} in the document`];
      const shape = def.shape ?? {};
      const properties = spec.properties ?? {};
      const required = new Set(spec.required ?? []);
      for (const key of Object.keys(properties)) {
        if (!(key in shape))
          problems.push(`${where}.${key}: in the document, not in the dashboard`);
      }
      for (const [key, field] of Object.entries(shape)) {
        const property = properties[key];
        if (!property) {
          problems.push(`${where}.${key}: in the dashboard, not in the document`);
          continue;
        }
        if (!unwrap(field).optional && !required.has(key)) {
          problems.push(`${where}.${key}: required by the dashboard, optional in the document`);
        }
        problems.push(...mismatches(field, property, `${where}.${key}`));
      }
      return problems;
    }
    case 'array':
      if (spec.type !== 'array' || !spec.items || !def.element)
        return [...problems, `${where}: array in the dashboard, ${spec.type} in the document`];
      return [...problems, ...mismatches(def.element, spec.items, `${where}[]`)];
    case 'tuple': {
      // A fixed pair such as top_3_productos' [name, units]: each position must
      // be one of the document's item types.
      const items = spec.items ? resolveSchema(spec.items) : undefined;
      if (spec.type !== 'array' || !items)
        return [...problems, `${where}: tuple in the dashboard, ${spec.type} in the document`];
      const branches = items.oneOf ?? [items];
      for (const [i, item] of (def.items ?? []).entries()) {
        if (!branches.some((b) => mismatches(item, b, `${where}[${i}]`).length === 0)) {
          problems.push(`${where}[${i}]: not a type the document allows`);
        }
      }
      return problems;
    }
    default: {
      const allowed = OPENAPI_TYPE_OF_ZOD[def.type];
      if (!allowed) return [...problems, `${where}: zod type ${def.type} is not compared yet`];
      if (!spec.type || !allowed.includes(spec.type))
        problems.push(`${where}: ${def.type} in the dashboard, ${spec.type} in the document`);
      return problems;
    }
  }
}

const DASHBOARD_SCHEMAS: [string, z.ZodType][] = [
  ['TokenResponse', tokenResponseSchema],
  ['Metrics', metricsSchema],
  ['Order', orderSchema],
  ['OrderPage', ordersPageSchema],
];

describe('the dashboard reads what the OpenAPI document describes', () => {
  it.each(DASHBOARD_SCHEMAS)('%s: same fields, optionality and types', (name, schema) => {
    expect(mismatches(schema, { $ref: `#/components/schemas/${name}` }, name)).toEqual([]);
  });

  it.each(DASHBOARD_SCHEMAS)("%s: the document's example is valid and parses", (name, schema) => {
    const { example } = document.components.schemas[name]!;
    if (example === undefined) return;
    expect(violations(name, example)).toEqual([]);
    expect(schema.safeParse(example).success).toBe(true);
  });

  it("parses the document's registration and stream examples", () => {
    const registered = document.components.schemas.OrderRegistered!.example as { pedido: unknown };
    expect(violations('OrderRegistered', registered)).toEqual([]);
    expect(orderSchema.safeParse(registered.pedido).success).toBe(true);

    const stream = document.paths['/eventos']!.get!.responses['200']!.content!['text/event-stream']!
      .example as string;
    const data = Object.fromEntries(
      stream
        .split('\n\n')
        .map((block) => [/^event: (.*)$/m.exec(block)?.[1], /^data: (.*)$/m.exec(block)?.[1]])
        .filter((pair): pair is [string, string] => pair[0] !== undefined && pair[1] !== undefined)
        .map(([event, json]) => [event, JSON.parse(json) as unknown]),
    ) as Record<string, unknown>;
    expect(violations('Metrics', data.metrics)).toEqual([]);
    expect(metricsSchema.safeParse(data.metrics).success).toBe(true);
    expect(violations('EventoPedido', data.pedido)).toEqual([]);
    expect(orderSchema.safeParse((data.pedido as { pedido: unknown }).pedido).success).toBe(true);
  });

  it('money: any amount of whole cents validates', () => {
    // 18.9 and 0.07 are not multiples of 0.01 in binary floating point, which is
    // how a JSON number reaches most validators.
    const line = { IdProducto: 'pk0001', producto: 'Moneda' };
    for (const precio of [0, 0.01, 0.07, 1, 14.35, 18.9, 268.8, 99999999.99, 100000000]) {
      expect(violations('ProductLineInput', { ...line, precio }), String(precio)).toEqual([]);
      expect(violations('ProductLine', { ...line, precio }), String(precio)).toEqual([]);
    }
    // A third decimal is the server's to refuse (422): no floating-point
    // validator can tell 1.234 from 18.9 with `multipleOf: 0.01`.
    for (const precio of [-0.01, 100000000.01]) {
      expect(violations('ProductLineInput', { ...line, precio }), String(precio)).not.toEqual([]);
    }
    expect(
      violations(
        'Metrics',
        makeMetrics({ acumulado_ventas_dia: 18.9, precio_promedio_por_pedido: 0.07 }),
      ),
    ).toEqual([]);
  });

  it('the comparison notices drift', () => {
    // A guard against a comparison that passes everything.
    const renamed = ordersPageSchema.extend({ nextCursor: ordersPageSchema.shape.next_cursor });
    expect(mismatches(renamed, { $ref: '#/components/schemas/OrderPage' }, 'OrderPage')).toEqual([
      'OrderPage.nextCursor: in the dashboard, not in the document',
    ]);
    expect(violations('Metrics', { ...makeMetrics(), acumulado_ventas_dia: '268.8' })).not.toEqual(
      [],
    );
  });
});

// ---------------------------------------------------------------- MSW vs OpenAPI

/** Checks one answer of the MSW handlers against the document's operation. */
async function checkAnswer(
  method: string,
  url: string,
  init: RequestInit & { status: number },
): Promise<unknown> {
  const response = await fetch(new URL(url, window.location.href), { ...init, method });
  const pathname = new URL(url, window.location.href).pathname;
  const operation = document.paths[pathname]?.[method.toLowerCase()];
  expect(operation, `${method} ${pathname} is not in the document`).toBeDefined();
  expect(response.status).toBe(init.status);
  const documented = operation!.responses[String(response.status)];
  expect(
    documented,
    `${method} ${pathname} answers ${response.status}, not in the document`,
  ).toBeDefined();
  const content = resolve(documented!).content ?? {};
  const type = response.headers.get('Content-Type') ?? '';
  const media = Object.keys(content).find((m) => m === type || type.startsWith(`${m};`));
  expect(media, `${method} ${pathname}: Content-Type ${type} is not documented`).toBeDefined();
  // The stream never ends: its status and type are the answer's contract here.
  if (media === 'text/event-stream') {
    void response.body?.cancel();
    return undefined;
  }
  if (media !== 'application/json') return response.text();
  const body: unknown = await response.json();
  const schema = resolve(content[media]!.schema!);
  const name = Object.entries(document.components.schemas).find(([, s]) => s === schema)?.[0];
  expect(name, `${method} ${pathname}: answer schema is not a named component`).toBeDefined();
  expect(violations(name!, body)).toEqual([]);
  return body;
}

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
const json = { 'Content-Type': 'application/json' };

describe('the MSW handlers answer as the OpenAPI document says', () => {
  it('POST /token', async () => {
    await checkAnswer('POST', '/token', {
      status: 200,
      headers: json,
      body: JSON.stringify(ADMIN),
    });
    await checkAnswer('POST', '/token', {
      status: 401,
      headers: json,
      body: JSON.stringify({ ...ADMIN, password: 'incorrecto' }),
    });
  });

  it('GET /metrics', async () => {
    await checkAnswer('GET', '/metrics', { status: 200, headers: auth });
    await checkAnswer('GET', '/metrics?fecha=2024-09-11', { status: 200, headers: auth });
    await checkAnswer('GET', '/metrics', { status: 401 });
  });

  it('GET /pedidos, every page', async () => {
    let url: string | null = `/pedidos?limit=50&fecha=${TODAY}`;
    for (let pages = 0; url !== null; pages++) {
      expect(pages).toBeLessThan(10);
      const page = (await checkAnswer('GET', url, { status: 200, headers: auth })) as {
        next_cursor: string | null;
      };
      url = page.next_cursor === null ? null : `/pedidos?limit=50&cursor=${page.next_cursor}`;
    }
    await checkAnswer('GET', '/pedidos?repartidor=R-7', { status: 200, headers: auth });
    await checkAnswer('GET', '/pedidos', { status: 401 });
  });

  it('GET /pedidos.csv', async () => {
    await checkAnswer('GET', `/pedidos.csv?fecha=${TODAY}`, { status: 200, headers: auth });
    await checkAnswer('GET', '/pedidos.csv', { status: 400, headers: auth });
    await checkAnswer('GET', `/pedidos.csv?fecha=${TODAY}`, { status: 401 });
  });

  it('GET /eventos: the stream and the events the tests feed it', async () => {
    await checkAnswer('GET', '/eventos', { status: 200, headers: auth });
    await checkAnswer('GET', '/eventos', { status: 401 });
    expect(violations('Metrics', makeMetrics())).toEqual([]);
    for (const order of [...makeOrders(130), makeOrder()]) {
      expect(violations('EventoPedido', { pedido: order })).toEqual([]);
    }
    expect(violations('EventoResync', { reason: 'missed events' })).toEqual([]);
  });
});
