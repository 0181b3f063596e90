-- POST /token with the credentials in BENCH_USERNAME / BENCH_PASSWORD: every
-- request a successful login (one Argon2id verification). Failed logins are
-- throttled, successful ones are not.
wrk.method = "POST"
wrk.path = "/token"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"' .. os.getenv("BENCH_USERNAME") .. '","password":"' ..
  os.getenv("BENCH_PASSWORD") .. '"}'
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
