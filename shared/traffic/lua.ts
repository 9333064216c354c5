import { RECORD_LUA_FUNCTION } from "../resilience/breaker-lua";

/**
 * The gateway's two Redis scripts. Each request costs one EVALSHA before the upstream call
 * (preflight) and one after the response (postflight): two billed commands, whatever the number
 * of limits. Plans arrive as compact positional strings (encoded by `plan.ts`), so the scripts
 * stay fixed (one SHA each) and need nothing beyond core Lua (no cjson).
 *
 * Preflight checks everything first and applies nothing unless every check passes, so a request
 * refused by one limit never consumes another. A cache hit skips token and budget reservations
 * (cache hits cost no tokens). Time comes from the plan (ms), as in @upstash/ratelimit. Every key
 * a script touches is passed in KEYS, so `allow-key-locking` is safe on Upstash.
 */

const prelude = `#!lua flags=allow-key-locking
local function split(s, sep)
  local out = {}
  if not s or s == "" then return out end
  for part in string.gmatch(s, "([^" .. sep .. "]+)") do table.insert(out, part) end
  return out
end
local function num(v) return tonumber(v) or 0 end
`;

/**
 * KEYS: the plan's keys. ARGV: now, cache key index (0 = none), deny key indexes ("1,3"),
 * limits ("k,k2,kind,algo,limit,window,cost;..." with kind r|t and algo s|f|b), budget
 * ("k,limit,cost" or ""), in-flight cap ("k,max,ttl" or ""), deployment state hashes to read
 * ("k,k" or ""). Returns {ok, reason, failed, cached, budgetSpent, hashes, remaining1, reset1, ...}
 * (reason "" | denied | limit | budget | budget_unknown | inflight; cached "" when none; hashes:
 * one HGETALL reply per deployment key, only when admitted).
 */
export const PREFLIGHT_LUA = `${prelude}
local now = tonumber(ARGV[1])
local cached = ""
local cacheIdx = tonumber(ARGV[2])

for _, k in ipairs(split(ARGV[3], ",")) do
  if redis.call("EXISTS", KEYS[tonumber(k)]) == 1 then return {0, "denied", 0, "", -1} end
end
if cacheIdx > 0 then
  cached = redis.call("GET", KEYS[cacheIdx]) or ""
end

local checks, results = {}, {}
for i, spec in ipairs(split(ARGV[4], ";")) do
  local f = split(spec, ",")
  local c = { k = tonumber(f[1]), k2 = tonumber(f[2]), kind = f[3], algo = f[4],
              limit = tonumber(f[5]), window = tonumber(f[6]), cost = tonumber(f[7]) }
  local remaining, reset, allowed = c.limit, now, true
  if c.kind == "t" and cached ~= "" then
    c.skip = true
  elseif c.algo == "f" then
    local used = num(redis.call("GET", KEYS[c.k]))
    allowed = used + c.cost <= c.limit
    remaining = c.limit - used
    reset = (math.floor(now / c.window) + 1) * c.window
  elseif c.algo == "b" then
    local state = redis.call("HMGET", KEYS[c.k], "tokens", "at")
    local tokens = c.limit
    if state[1] then tokens = math.min(c.limit, num(state[1]) + (now - num(state[2])) * c.limit / c.window) end
    c.tokens = tokens
    allowed = tokens >= c.cost
    remaining = math.floor(tokens)
    if not allowed then reset = now + math.ceil((c.cost - tokens) * c.window / c.limit) end
  else
    local current = num(redis.call("GET", KEYS[c.k]))
    local previous = num(redis.call("GET", KEYS[c.k2]))
    -- Rounded up: the previous window never counts for less than it may, so a burst across a
    -- window boundary cannot exceed the limit.
    local used = math.ceil(previous * (1 - (now % c.window) / c.window)) + current
    allowed = used + c.cost <= c.limit
    remaining = c.limit - used
    reset = (math.floor(now / c.window) + 1) * c.window
  end
  table.insert(results, math.max(0, remaining))
  table.insert(results, reset)
  if not allowed then
    local out = {0, "limit", i, cached, -1, {}}
    for _, v in ipairs(results) do table.insert(out, v) end
    return out
  end
  table.insert(checks, c)
end

local budget = split(ARGV[5], ",")
local spent = -1
if #budget == 3 and cached == "" then
  local current = redis.call("GET", KEYS[tonumber(budget[1])])
  if not current then return {0, "budget_unknown", 0, cached, -1} end
  spent = num(current)
  if spent + tonumber(budget[3]) > tonumber(budget[2]) then return {0, "budget", 0, cached, spent} end
end

local inflight = split(ARGV[6], ",")
if #inflight == 3 and num(redis.call("GET", KEYS[tonumber(inflight[1])])) >= tonumber(inflight[2]) then
  return {0, "inflight", 0, cached, spent}
end

for _, c in ipairs(checks) do
  if not c.skip then
    if c.algo == "b" then
      redis.call("HSET", KEYS[c.k], "tokens", tostring(c.tokens - c.cost), "at", tostring(now))
    else
      redis.call("INCRBY", KEYS[c.k], c.cost)
    end
    redis.call("PEXPIRE", KEYS[c.k], c.window * 2)
  end
end
if spent >= 0 then spent = redis.call("INCRBY", KEYS[tonumber(budget[1])], tonumber(budget[3])) end
if #inflight == 3 then
  redis.call("INCR", KEYS[tonumber(inflight[1])])
  redis.call("EXPIRE", KEYS[tonumber(inflight[1])], tonumber(inflight[3]))
end
local hashes = {}
for _, k in ipairs(split(ARGV[7], ",")) do table.insert(hashes, redis.call("HGETALL", KEYS[tonumber(k)])) end
local out = {1, "", 0, cached, spent, hashes}
for _, v in ipairs(results) do table.insert(out, v) end
return out
`;

/**
 * KEYS: the plan's keys. ARGV: token settlements ("k,delta,isBucket;..."), budget ("k,delta" or
 * ""), in-flight key index (0 = none), cache key index, cache TTL seconds, cache value, usage
 * stream key index, usage event JSON, the answering deployment's key index (0 = none) followed by
 * its `record_outcome` arguments (10). Returns {budgetSpent (-1 when unknown), usage entry id}.
 */
export const POSTFLIGHT_LUA = `${prelude}
${RECORD_LUA_FUNCTION}
for _, spec in ipairs(split(ARGV[1], ";")) do
  local f = split(spec, ",")
  local key, delta = KEYS[tonumber(f[1])], tonumber(f[2])
  if delta ~= 0 and redis.call("EXISTS", key) == 1 then
    if f[3] == "1" then redis.call("HINCRBYFLOAT", key, "tokens", -delta) else redis.call("INCRBY", key, delta) end
  end
end
local spent = -1
local budget = split(ARGV[2], ",")
if #budget == 2 and redis.call("EXISTS", KEYS[tonumber(budget[1])]) == 1 then
  spent = redis.call("INCRBY", KEYS[tonumber(budget[1])], tonumber(budget[2]))
end
local inflight = tonumber(ARGV[3])
if inflight > 0 and redis.call("DECR", KEYS[inflight]) <= 0 then redis.call("DEL", KEYS[inflight]) end
local cacheIdx = tonumber(ARGV[4])
if cacheIdx > 0 then redis.call("SET", KEYS[cacheIdx], ARGV[6], "EX", tonumber(ARGV[5])) end
local usageIdx = tonumber(ARGV[7])
local id = ""
if usageIdx > 0 then id = redis.call("XADD", KEYS[usageIdx], "*", "e", ARGV[8]) end
local breakerIdx = tonumber(ARGV[9] or "0") or 0
if breakerIdx > 0 then
  local args = {}
  for i = 10, 19 do args[#args + 1] = ARGV[i] end
  record_outcome(KEYS[breakerIdx], args)
end
return {spent, id}
`;
