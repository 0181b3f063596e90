-- POST /registrar_pedido_entregado as a courier (token in BENCH_TOKEN): every
-- request a new order (unique pedido_id: BENCH_RUN_ID, the wrk thread and a
-- counter) of 1 to 10 random lines of the seed catalog (src/sim/catalog.cpp),
-- random courier, no timestamp (the server's clock: today). Each 200 is a
-- durable acknowledgement.
local token = os.getenv("BENCH_TOKEN")
local run_id = os.getenv("BENCH_RUN_ID") or tostring(os.time())
wrk.method = "POST"
wrk.path = "/registrar_pedido_entregado"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

local couriers = {
  '{"IdRepartidor":101,"Nombre":"María López"}',
  '{"IdRepartidor":102,"Nombre":"Carlos García"}',
  '{"IdRepartidor":103,"Nombre":"Juan Martínez"}',
  '{"IdRepartidor":104,"Nombre":"Ana Fernández"}',
  '{"IdRepartidor":105,"Nombre":"Laura Sánchez"}',
  '{"IdRepartidor":106,"Nombre":"Sofía Morales"}',
  '{"IdRepartidor":107,"Nombre":"Daniel Castillo"}',
  '{"IdRepartidor":108,"Nombre":"Elena Rodríguez"}',
}
local products = {
  '{"IdProducto":"pk0001","producto":"Moneda","precio":1}',
  '{"IdProducto":"pk0002","producto":"Tarjeta SIM","precio":5.5}',
  '{"IdProducto":"pk0003","producto":"Estuche para gafas","precio":8.9}',
  '{"IdProducto":"pk0004","producto":"Llavero","precio":2.5}',
  '{"IdProducto":"pk0005","producto":"Cargador USB","precio":12.75}',
  '{"IdProducto":"pk0006","producto":"Audífonos","precio":18.9}',
  '{"IdProducto":"pk0007","producto":"Tijeras pequeñas","precio":14}',
  '{"IdProducto":"pk0008","producto":"Memoria USB","precio":9.99}',
  '{"IdProducto":"pk0009","producto":"Pilas AA","precio":3.2}',
  '{"IdProducto":"pk0010","producto":"Bolígrafo","precio":0.8}',
  '{"IdProducto":"pk0011","producto":"Cinta adhesiva","precio":3.25}',
  '{"IdProducto":"pk0012","producto":"Protector de pantalla","precio":6.4}',
}

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local prefix
local counter = 0
function init(args)
  prefix = "bench-" .. run_id .. "-" .. tostring(thread_number) .. "-"
  math.randomseed(os.time() * 1000 + thread_number)
end

function request()
  counter = counter + 1
  local lines = {}
  for i = 1, math.random(1, 10) do
    lines[i] = products[math.random(1, #products)]
  end
  local body = '{"pedido_id":"' .. prefix .. counter .. '","repartidor":' ..
    couriers[math.random(1, #couriers)] .. ',"productos":[' .. table.concat(lines, ",") .. ']}'
  return wrk.format(nil, nil, nil, body)
end

dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
