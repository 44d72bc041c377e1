// The shared budget's state and every change to it, as one Lua script run atomically by Redis:
// no two processes ever see the window half-updated. Time is Redis's own (TIME), so processes
// on machines whose clocks differ still agree. The rules are the in-process budget's (see
// limiter.ts in @campaigns/core): a grant counts while unanswered (up to the hold), then until
// its latest possible arrival plus the interval; HubSpot's headers set max, interval and the
// per-second limit; a 429 burst pauses everyone and lowers max once; a DAILY 429 stops everyone.
//
// Keys (one account): P pending grants (score: grant time), D answered with a round trip (score:
// answer time), L answered without one and others' use seen through
// -Remaining (same score), S answered grants for the per-second window, C count per fairness
// key, K waiting keys (score: last seen), M settings and learned state, G per-grant counters
// (window use and admissions at the grant, for -Remaining). Members: `<grant id>|<key>`, or
// `~<n>` for others' use (no key).

/** The Redis keys of one account's budget, in the script's KEYS order. */
export function budgetKeys(prefix: string, account: string): string[] {
  // One hash tag: all of an account's keys live in one slot of a Redis Cluster.
  const base = `${prefix}:{${account}}`;
  return ['P', 'D', 'L', 'S', 'C', 'K', 'M', 'G'].map((k) => `${base}:${k}`);
}

export const BUDGET_SCRIPT = `
local P, D, L, S, C, K, M, G = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local op = ARGV[1]
local maxDefault, intervalDefault = tonumber(ARGV[2]), tonumber(ARGV[3])
local margin, hold, reserve = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local firstBurst, datingAfter, presence = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local reserveSlots = tonumber(ARGV[10])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

if redis.call('HEXISTS', M, 'max') == 0 then
  redis.call('HSET', M, 'max', maxDefault, 'interval', intervalDefault, 'penalty', 1,
    'provisional', firstBurst > 0 and 1 or 0, 'secondly', 0, 'pausedUntil', 0,
    'exhaustedUntil', 0, 'shortest', -1, 'roundTrips', 0, 'admitted', 0, 'seq', 0)
end
local function num(field) return tonumber(redis.call('HGET', M, field)) end

local function keyOf(member)
  local bar = string.find(member, '|', 1, true)
  if bar then return string.sub(member, bar + 1) end
  return nil
end
local function forget(member)
  local key = keyOf(member)
  if key then
    if redis.call('HINCRBY', C, key, -1) <= 0 then redis.call('HDEL', C, key) end
  end
end
local function removeUpTo(set, upTo, withGrant)
  local gone = redis.call('ZRANGEBYSCORE', set, '-inf', upTo)
  for _, member in ipairs(gone) do
    forget(member)
    if withGrant then redis.call('HDEL', G, string.match(member, '^[^|]*')) end
  end
  if #gone > 0 then redis.call('ZREMRANGEBYSCORE', set, '-inf', upTo) end
end

local interval = num('interval')
-- Half the shortest round trip, once enough round trips are in (see limiter.ts).
local function dating()
  local shortest = num('shortest')
  if shortest >= 0 and num('roundTrips') >= datingAfter then return shortest / 2 end
  return 0
end
local function prune()
  removeUpTo(P, now - hold, true)
  removeUpTo(L, now - interval, false)
  removeUpTo(D, now - interval + dating(), false)
  redis.call('ZREMRANGEBYSCORE', S, '-inf', now - 1000)
  redis.call('ZREMRANGEBYSCORE', K, '-inf', now - presence)
end
local function used() return redis.call('ZCARD', P) + redis.call('ZCARD', D) + redis.call('ZCARD', L) end
local function first(set)
  local f = redis.call('ZRANGE', set, 0, 0, 'WITHSCORES')
  if f[2] then return tonumber(f[2]) end
  return nil
end
-- Ms until the next answered entry leaves the main window (nil: none; pending ones leave when
-- answered, which the caller polls for).
local function untilLeave()
  local best = nil
  local d, l = first(D), first(L)
  if d then best = d + interval - dating() end
  if l and (not best or l + interval < best) then best = l + interval end
  if best then return math.max(1, best - now) end
  return nil
end
-- Ms until the window next frees a slot, at most an interval (plus margin), as limiter.ts
-- counts it: an answered grant when it leaves, a pending one at its interval plus margin (when
-- the in-process budget looks again), one in flight past that when it is given up on.
local function untilFree()
  local best = untilLeave() or math.huge
  local fresh = redis.call('ZRANGEBYSCORE', P, '(' .. (now - interval - margin), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if fresh[2] then best = math.min(best, tonumber(fresh[2]) + interval + margin - now) end
  local oldest = first(P)
  if oldest and oldest <= now - interval - margin then best = math.min(best, oldest + hold - now) end
  return math.max(0, math.min(best, interval + margin))
end
local function effectiveMax() return math.max(1, math.floor(num('max') * num('penalty'))) end
-- Every key expires a while after the account's last operation; the settings key not before a
-- pause or the DAILY stop ends, so neither is forgotten.
local function touch()
  local ttl = hold + 2 * interval + 60000
  for _, k in ipairs(KEYS) do redis.call('PEXPIRE', k, ttl) end
  local keep = math.max(num('pausedUntil'), num('exhaustedUntil'))
  if keep > now then redis.call('PEXPIREAT', M, keep + ttl) end
end

if op == 'claim' then
  -- ARGV[11..]: the keys waiting in this process, in their turn order. The first that may go
  -- now is granted; one held back for the fair share does not hold up the others.
  prune()
  local exhausted = num('exhaustedUntil')
  if exhausted > now then touch(); return {-1, exhausted} end
  for i = 11, #ARGV do redis.call('ZADD', K, now, ARGV[i]) end
  local wait = math.max(0, num('pausedUntil') - now)
  local max = effectiveMax()
  local inUse = used()
  local pending = redis.call('ZCARD', P)
  local leave = untilLeave() or hold -- held by pending grants only: polled
  if inUse >= max then wait = math.max(wait, leave) end
  local secondly = num('secondly')
  if num('provisional') == 1 then secondly = firstBurst end
  if secondly > 0 and pending + redis.call('ZCARD', S) >= secondly then
    local s = first(S)
    wait = math.max(wait, s and math.max(1, s + 1000 - now) or hold)
  end
  if wait > 0 then touch(); return {0, wait, pending} end
  -- Fair share (see limiter.ts): with two or more keys present, a key holding at least the share
  -- it would have if one more key came may not take the reserve, the window's last free slots.
  local present = {}
  local count = 0
  for _, k in ipairs(redis.call('HKEYS', C)) do present[k] = true; count = count + 1 end
  for _, k in ipairs(redis.call('ZRANGE', K, 0, -1)) do
    if not present[k] then present[k] = true; count = count + 1 end
  end
  -- The reserve: what light keys could need until the window next frees a slot at the reserve
  -- share per interval, never fewer than reserveSlots (see limiter.ts).
  local share = math.floor(max * reserve)
  local held = math.min(share, math.min(reserveSlots, share) + math.floor(share * untilFree() / interval))
  local reserved = inUse >= max - held
  for i = 11, #ARGV do
    local key = ARGV[i]
    local mine = tonumber(redis.call('HGET', C, key) or '0')
    if not (reserved and count >= 2 and mine * (count + 1) >= max) then
      local id = redis.call('HINCRBY', M, 'seq', 1)
      local admitted = redis.call('HINCRBY', M, 'admitted', 1)
      redis.call('ZADD', P, now, id .. '|' .. key)
      redis.call('HINCRBY', C, key, 1)
      redis.call('HSET', G, id, (inUse + 1) .. ',' .. admitted)
      touch()
      return {1, now, id, inUse + 1, max, i - 10}
    end
  end
  touch()
  return {0, leave, pending}

elseif op == 'answered' then
  local id, key, outcome, roundTrip = ARGV[11], ARGV[12], ARGV[13], tonumber(ARGV[14])
  local member = id .. '|' .. key
  local granted = redis.call('ZSCORE', P, member)
  if not granted then return 0 end
  granted = tonumber(granted)
  redis.call('ZREM', P, member)
  redis.call('HDEL', G, id)
  if outcome == 'not-sent' then forget(member); touch(); return 1 end
  if roundTrip >= 0 then
    local shortest = num('shortest')
    local trip = math.min(roundTrip, now - granted)
    if shortest < 0 or trip < shortest then redis.call('HSET', M, 'shortest', trip) end
    redis.call('HINCRBY', M, 'roundTrips', 1)
  end
  local burst = tonumber(redis.call('HGET', M, 'burstStartedAt') or '-1')
  if outcome == 'succeeded' and burst >= 0 and granted > burst then redis.call('HSET', M, 'penalty', 1) end
  -- Its answer bounds its arrival (see limiter.ts): it counts from then, the margin is moot.
  redis.call('ZADD', roundTrip >= 0 and D or L, now, member)
  redis.call('ZADD', S, now, member)
  touch()
  return 1

elseif op == 'observe' then
  local id = ARGV[11]
  local max, intervalMs, remaining, secondly =
    tonumber(ARGV[12]), tonumber(ARGV[13]), tonumber(ARGV[14]), tonumber(ARGV[15])
  prune()
  if num('provisional') == 1 and (max > 0 or secondly > 0) then redis.call('HSET', M, 'provisional', 0) end
  if intervalMs > 0 then redis.call('HSET', M, 'interval', intervalMs) end
  if max > 0 then redis.call('HSET', M, 'max', max) end
  if secondly > 0 then redis.call('HSET', M, 'secondly', secondly) end
  if max > 0 and remaining >= 0 then
    -- What we can have sent when it arrived: all counted at its grant, and all admitted since.
    local ours = used()
    local at = redis.call('HGET', G, id)
    if at then
      local usedAt, admittedAt = string.match(at, '^(%d+),(%d+)$')
      ours = tonumber(usedAt) + num('admitted') - tonumber(admittedAt)
    end
    for _ = 1, math.min(max, max - remaining - ours) do
      local n = redis.call('HINCRBY', M, 'seq', 1)
      redis.call('ZADD', L, now + margin, '~' .. n)
      redis.call('HINCRBY', M, 'admitted', 1)
    end
  end
  touch()
  return 1

elseif op == 'penalize' then
  local retryAfter, granted = tonumber(ARGV[11]), tonumber(ARGV[12])
  local burst = tonumber(redis.call('HGET', M, 'burstStartedAt') or '-1')
  if not (granted >= 0 and burst >= 0 and granted <= burst) then
    redis.call('HSET', M, 'penalty', math.max(0.25, num('penalty') * 0.8), 'burstStartedAt', now)
  end
  prune()
  local pause = retryAfter
  if pause < 0 then pause = math.max(1000, math.min(untilLeave() or interval, interval + margin)) end
  redis.call('HSET', M, 'pausedUntil', math.max(num('pausedUntil'), now + pause))
  touch()
  return 1

elseif op == 'exhaust' then
  redis.call('HSET', M, 'exhaustedUntil', math.max(num('exhaustedUntil'), tonumber(ARGV[11])))
  touch()
  return 1

elseif op == 'snapshot' then
  prune()
  touch()
  return {num('max'), effectiveMax(), num('interval'), used(), num('pausedUntil'), num('exhaustedUntil'), now}
end
return redis.error_reply('unknown budget operation ' .. tostring(op))
`;
