-- wrk script for every scenario. Settings come from the environment:
--   BENCH_TARGET   cartql | yardstick
--   BENCH_SCENARIO q1 | q1big | q2 | mixed (90 % q1, 10 % q2) | q1promo (q1 with an active
--                  promotion, which bench/run stores first; the yardstick runs its q1)
--   BENCH_DIR      where bench-data wrote users.tokens, big.tokens and hot.products
--   BENCH_OPERATIONS where q1.graphql and q2.graphql are (bench/operations)
-- A reply counts as an error unless it is a 200 with the scenario's success marker and no
-- "errors" key. The last line printed is `RESULT …` for bench/run to read.

local target = os.getenv("BENCH_TARGET") or "cartql"
local scenario = os.getenv("BENCH_SCENARIO") or "q1"
local dir = os.getenv("BENCH_DIR") or "bench/out"
local operations = os.getenv("BENCH_OPERATIONS") or "bench/operations"

local function lines(path)
  local out = {}
  for line in io.lines(path) do
    if #line > 0 then out[#out + 1] = line end
  end
  return out
end

local users = lines(dir .. "/users.tokens")
local big = lines(dir .. "/big.tokens")
local hot = lines(dir .. "/hot.products")

-- The operations, one line each, shared with bench/instructions.
local function operation(name)
  local file = assert(io.open(operations .. "/" .. name .. ".graphql"))
  local text = file:read("*l")
  file:close()
  return text
end

local Q1 = '{"query":"' .. operation("q1") .. '"}'
local Q2 = '{"query":"' .. operation("q2") .. '","variables":{"p":"%s"}}'

local function pick(list) return list[math.random(#list)] end

local function view(tokens)
  local headers = { ["Authorization"] = "Bearer " .. pick(tokens), ["Content-Type"] = "application/json" }
  if target == "yardstick" then return wrk.format("POST", "/q1", headers, "") end
  return wrk.format("POST", "/graphql", headers, Q1)
end

local function add()
  local headers = { ["Authorization"] = "Bearer " .. pick(users), ["Content-Type"] = "application/json" }
  local product = pick(hot)
  if target == "yardstick" then
    return wrk.format("POST", "/q2", headers, '{"productId":"' .. product .. '"}')
  end
  return wrk.format("POST", "/graphql", headers, string.format(Q2, product))
end

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() + id)
  failures = 0
  sample = ""
end

function request()
  if scenario == "q1" or scenario == "q1promo" then return view(users) end
  if scenario == "q1big" then return view(big) end
  if scenario == "q2" then return add() end
  if math.random(10) == 1 then return add() end
  return view(users)
end

local function succeeded(status, body)
  if status ~= 200 or body:find('"errors"', 1, true) then return false end
  if target == "yardstick" then
    return body:find('"cart":{', 1, true) ~= nil or body:find('"line":{', 1, true) ~= nil
  end
  return body:find('"cart":{', 1, true) ~= nil or body:find('"userErrors":[]', 1, true) ~= nil
end

function response(status, headers, body)
  if not succeeded(status, body) then
    failures = failures + 1
    if sample == "" then sample = status .. " " .. body:sub(1, 200) end
  end
end

function done(summary, latency, requests)
  local failed, example = 0, ""
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
    if example == "" then example = thread:get("sample") end
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f errors=%d socket_errors=%d\n",
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, failed,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  if example ~= "" then io.write("SAMPLE " .. example .. "\n") end
end
