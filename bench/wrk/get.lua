-- GET the URL given to wrk with the bearer token in BENCH_TOKEN (none when
-- unset: /healthz, the HTTP ceiling). Used for /healthz, /metrics, /pedidos.
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
