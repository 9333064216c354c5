/**
 * The breaker's Redis scripts over one hash per deployment (`<prefix>dep:<deploymentId>`, see
 * `breaker.ts`). Fields: `state` ("open" or "closed"; half-open is an open state whose `openUntil`
 * has passed), `openUntil` (ms), `windowStart` (ms), `ok` and `fail` (counts in the fixed window),
 * `consecutive` (failures in a row), `probe` (half-open lease expiry, ms), `inflight`, `ewma` (ms).
 *
 * Core Lua only, time passed in (ms), the one key in KEYS (`allow-key-locking` is safe on Upstash).
 */

const script = (body: string) => `#!lua flags=allow-key-locking
local function num(v) return tonumber(v) or 0 end
${body}`;

/**
 * `acquire_probe(key, now, leaseMs)`: 1 when the caller may send the half-open probe (lease taken
 * until `now + leaseMs`) or the breaker is closed (no lease needed), 0 while the breaker is still
 * cooling down or another isolate holds an unexpired lease. Exported so the preflight script can
 * take the lease in its own round trip; needs the `num` helper of the prelude.
 */
export const ACQUIRE_PROBE_LUA_FUNCTION = `local function acquire_probe(key, now, leaseMs)
  local h = redis.call("HMGET", key, "state", "openUntil", "probe")
  if h[1] ~= "open" then return 1 end
  if now < num(h[2]) then return 0 end
  if h[3] and num(h[3]) > now then return 0 end
  redis.call("HSET", key, "probe", now + leaseMs)
  return 1
end`;

/** KEYS[1] the hash. ARGV: now, lease ms. Returns 1 (go) or 0 (someone else probes / still open). */
export const PROBE_LUA = script(`${ACQUIRE_PROBE_LUA_FUNCTION}
return acquire_probe(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
`);

/**
 * `record_outcome(key, A)`: the body of RECORD_LUA as a function over an argument table (A[1] now,
 * A[2] outcome, A[3] latency, A[4] release, A[5..9] config, A[10] TTL), so the gateway's postflight
 * script can record the answering attempt in its own command. Returns nothing: RECORD_LUA reads the
 * hash back, the postflight has no use for it. Needs the prelude's `num` helper.
 */
export const RECORD_LUA_FUNCTION = `local function record_outcome(key, A)
local now, outcome, latency = tonumber(A[1]), A[2], tonumber(A[3])
local windowMs, minRequests, failureRate = tonumber(A[5]), tonumber(A[6]), tonumber(A[7])
local maxConsecutive, cooldownMs = tonumber(A[8]), tonumber(A[9])

if A[4] == "1" and redis.call("HINCRBY", key, "inflight", -1) < 0 then redis.call("HSET", key, "inflight", 0) end
local h = redis.call("HMGET", key, "state", "openUntil", "windowStart", "ok", "fail", "consecutive", "ewma")
if outcome == "ok" and latency >= 0 then
  local ewma = latency
  if h[7] then ewma = 0.2 * latency + 0.8 * num(h[7]) end
  redis.call("HSET", key, "ewma", string.format("%.1f", ewma))
end

local function trip(consecutive)
  redis.call("HSET", key, "state", "open", "openUntil", now + cooldownMs, "windowStart", now, "ok", 0, "fail", 0, "consecutive", consecutive)
  redis.call("HDEL", key, "probe")
end

if h[1] == "open" then
  if now >= num(h[2]) then
    if outcome == "ok" then
      redis.call("HSET", key, "state", "closed", "windowStart", now, "ok", 0, "fail", 0, "consecutive", 0)
      redis.call("HDEL", key, "openUntil", "probe")
    elseif outcome == "fail" then
      trip(num(h[6]) + 1)
    else
      redis.call("HDEL", key, "probe")
    end
  end
elseif outcome ~= "skip" then
  local start, ok, fail = num(h[3]), num(h[4]), num(h[5])
  if not h[3] or now - start >= windowMs then start, ok, fail = now, 0, 0 end
  local consecutive = num(h[6])
  if outcome == "ok" then ok, consecutive = ok + 1, 0 else fail, consecutive = fail + 1, consecutive + 1 end
  if consecutive >= maxConsecutive or (ok + fail >= minRequests and fail >= (ok + fail) * failureRate) then
    trip(consecutive)
  else
    redis.call("HSET", key, "state", "closed", "windowStart", start, "ok", ok, "fail", fail, "consecutive", consecutive)
  end
end
redis.call("EXPIRE", key, tonumber(A[10]))
end
`;

/**
 * KEYS[1] the hash. ARGV: now, outcome (ok | fail | skip), latency ms, release (1 = decrement
 * `inflight`, floored at 0), windowMs, minRequests, failureRate, consecutiveFailures, cooldownMs,
 * TTL seconds. Returns the hash after the update (HGETALL's flat array).
 *
 * Closed: counts the outcome in the window (reset once it has passed) and opens for `cooldownMs`
 * when `consecutive` reaches its limit, or when at least `minRequests` came in the window and the
 * failures reach `failureRate` of them. Half-open: the probe's ok closes (counts reset), its fail
 * reopens; a skip (an answer that says nothing about health) frees the lease for another probe.
 * Open and cooling down: results of requests sent before it opened change nothing. `ewma` follows
 * the latency of ok answers (alpha 0.2).
 */
export const RECORD_LUA = script(`${RECORD_LUA_FUNCTION}
record_outcome(KEYS[1], ARGV)
return redis.call("HGETALL", KEYS[1])
`);
