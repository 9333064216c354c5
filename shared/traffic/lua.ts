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
local function num(v) return tonumber(v) or 0 end
`;

/**
 * KEYS: the plan's keys. ARGV: now, cache key index (0 = none), deny key indexes ("1,3"),
 * limits ("k,k2,kind,algo,limit,window,cost;..." with kind r|t and algo s|f|b), budget
 * ("k,limit,cost" or ""), in-flight cap ("k,max,ttl" or ""), deployment state hashes to read
 * ("k,k" or ""). Returns {ok, reason, failed, cached, budgetSpent, hashes, remaining1, reset1, ...}
 * (reason "" | denied | limit | budget | budget_unknown | inflight; cached "" when none; hashes:
 * one HGETALL reply per deployment key, only when admitted).
 *
 * It runs before every upstream call, so it is written for Redis's time: the arguments are read
 * with one pattern match each (no splitting into tables), every string the checks read comes back
 * from one MGET (the cache entry, the window counters, the spend, the in-flight count) and the deny
 * list from one EXISTS, and a window counter gets its expiry only when this script created it.
 */
export const PREFLIGHT_LUA = `${prelude}
local now = tonumber(ARGV[1])
local cacheIdx = tonumber(ARGV[2])

local deny = {}
for k in string.gmatch(ARGV[3], "%d+") do deny[#deny + 1] = KEYS[tonumber(k)] end
if #deny > 0 and redis.call("EXISTS", unpack(deny)) > 0 then return {0, "denied", 0, "", -1} end

local reads = {}
local function read(i) reads[#reads + 1] = KEYS[i] return #reads end
local cacheAt = cacheIdx > 0 and read(cacheIdx)
local checks = {}
for k, k2, kind, algo, limit, window, cost in string.gmatch(ARGV[4], "(%d+),(%d+),(%a),(%a),([^,]+),([^,]+),([^;]+)") do
  local c = { k = tonumber(k), kind = kind, algo = algo, limit = tonumber(limit), window = tonumber(window), cost = tonumber(cost) }
  if algo ~= "b" then c.at = read(c.k) end
  if algo == "s" then c.at2 = read(tonumber(k2)) end
  checks[#checks + 1] = c
end
local bk, blimit, bcost = string.match(ARGV[5], "^(%d+),([^,]+),([^,]+)$")
local budgetAt = bk and read(tonumber(bk))
local ik, imax, ittl = string.match(ARGV[6], "^(%d+),([^,]+),([^,]+)$")
local inflightAt = ik and read(tonumber(ik))
local got = #reads > 0 and redis.call("MGET", unpack(reads)) or {}
local cached = cacheAt and got[cacheAt] or ""

local results = {}
for i, c in ipairs(checks) do
  local remaining, reset, allowed = c.limit, now, true
  if c.kind == "t" and cached ~= "" then
    c.skip = true
  elseif c.algo == "f" then
    local used = num(got[c.at])
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
    -- Rounded up: the previous window never counts for less than it may, so a burst across a
    -- window boundary cannot exceed the limit.
    local used = math.ceil(num(got[c.at2]) * (1 - (now % c.window) / c.window)) + num(got[c.at])
    allowed = used + c.cost <= c.limit
    remaining = c.limit - used
    reset = (math.floor(now / c.window) + 1) * c.window
  end
  results[#results + 1] = math.max(0, remaining)
  results[#results + 1] = reset
  if not allowed then
    local out = {0, "limit", i, cached, -1, {}}
    for _, v in ipairs(results) do out[#out + 1] = v end
    return out
  end
end

local spent = -1
if budgetAt and cached == "" then
  if not got[budgetAt] then return {0, "budget_unknown", 0, cached, -1} end
  spent = num(got[budgetAt])
  if spent + tonumber(bcost) > tonumber(blimit) then return {0, "budget", 0, cached, spent} end
end
if inflightAt and num(got[inflightAt]) >= tonumber(imax) then return {0, "inflight", 0, cached, spent} end

for _, c in ipairs(checks) do
  if not c.skip then
    local key = KEYS[c.k]
    if c.algo == "b" then
      redis.call("HSET", key, "tokens", tostring(c.tokens - c.cost), "at", tostring(now))
      redis.call("PEXPIRE", key, c.window * 2)
    elseif redis.call("INCRBY", key, c.cost) == c.cost then
      -- this created the window's counter (or found it at 0, when it already has an expiry)
      redis.call("PEXPIRE", key, c.window * 2)
    end
  end
end
if spent >= 0 then spent = redis.call("INCRBY", KEYS[tonumber(bk)], tonumber(bcost)) end
if inflightAt then
  redis.call("INCR", KEYS[tonumber(ik)])
  redis.call("EXPIRE", KEYS[tonumber(ik)], tonumber(ittl))
end
local hashes = {}
for k in string.gmatch(ARGV[7], "%d+") do hashes[#hashes + 1] = redis.call("HGETALL", KEYS[tonumber(k)]) end
local out = {1, "", 0, cached, spent, hashes}
for _, v in ipairs(results) do out[#out + 1] = v end
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
for k, delta, bucket in string.gmatch(ARGV[1], "(%d+),([^,]+),(%d)") do
  local key, d = KEYS[tonumber(k)], tonumber(delta)
  if d ~= 0 and redis.call("EXISTS", key) == 1 then
    if bucket == "1" then redis.call("HINCRBYFLOAT", key, "tokens", -d) else redis.call("INCRBY", key, d) end
  end
end
local spent = -1
local bk, bdelta = string.match(ARGV[2], "^(%d+),([^,]+)$")
if bk and redis.call("EXISTS", KEYS[tonumber(bk)]) == 1 then spent = redis.call("INCRBY", KEYS[tonumber(bk)], tonumber(bdelta)) end
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
