// The shared budget's state and every change to it, as one Lua script run atomically by Redis:
// no two processes ever see the window half-updated. Time is Redis's own (TIME), so processes
// on machines whose clocks differ still agree. The rules are the in-process budget's (see
// limiter.ts in @campaigns/core): a grant counts while unanswered (up to the hold), then until
// its latest possible arrival plus the interval (dated by round trips only: HubSpot's stamps,
// which the in-process budget may date by, are not taken here); HubSpot's headers set max,
// interval and the per-second limit; a 429 burst pauses everyone and lowers max once; a DAILY
// 429 stops everyone.
//
// Keys (one account): P pending grants (score: grant time), D answered with a round trip (score:
// answer time), L answered without one and others' use seen through
// -Remaining (same score), S answered grants for the per-second window, C count per fairness
// key, K waiting keys (score: last seen), M settings and learned state, G per-grant counters
// (window use and admissions at the grant, for -Remaining), W the turns' register of waiting keys
// (member `<process id>|<key>`, score: when it lapses unless the process asks again). Members of
// the others: `<grant id>|<key>`, or `~<n>` for others' use (no key).
//
// Turns between fairness keys are global: a key is granted a slot only while its grants in the
// window are at most the fewest of any key waiting anywhere plus TURN_SLACK, so each waiting key
// gets an equal part of the window whichever process serves it. A process registers its waiting
// keys with every claim (the register lapses presenceMs after the time it was told to ask again,
// so a dead process holds no one up for long) and drops them when it has no waiter left for them.

/** How many grants in the window a key may be ahead of the waiting key with the fewest. */
export const TURN_SLACK = 1;

/** The Redis keys of one account's budget, in the script's KEYS order. */
export function budgetKeys(prefix: string, account: string): string[] {
  // One hash tag: all of an account's keys live in one slot of a Redis Cluster.
  const base = `${prefix}:{${account}}`;
  return ['P', 'D', 'L', 'S', 'C', 'K', 'M', 'G', 'W'].map((k) => `${base}:${k}`);
}

export const BUDGET_SCRIPT = `
local P, D, L, S, C, K, M, G, W = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local op = ARGV[1]
local maxDefault, intervalDefault = tonumber(ARGV[2]), tonumber(ARGV[3])
local margin, hold, reserve = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local firstBurst, datingAfter, presence = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local reserveSlots = tonumber(ARGV[10])
local turnSlack = ${TURN_SLACK}
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
  redis.call('ZREMRANGEBYSCORE', W, '-inf', '(' .. now)
end
-- Takes the process's entries out of the turns' register, but those of the keys in keep.
local function unregister(proc, keep)
  local mark = proc .. '|'
  for _, member in ipairs(redis.call('ZRANGE', W, 0, -1)) do
    if string.sub(member, 1, #mark) == mark and not (keep and keep[string.sub(member, #mark + 1)]) then
      redis.call('ZREM', W, member)
    end
  end
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
  -- ARGV[11]: the process's id; ARGV[12..]: its waiting keys in their turn order, each followed by
  -- how many of its waiters want it. The first that may go now is granted; one held back (for
  -- the fair share, or because its turn has not come) does not hold up the others.
  prune()
  local proc = ARGV[11]
  local mine = {}
  local keys, waiters = {}, {}
  for i = 12, #ARGV - 1, 2 do
    keys[#keys + 1] = ARGV[i]
    waiters[#keys] = tonumber(ARGV[i + 1])
    mine[ARGV[i]] = true
  end
  -- The process asks again within the time it is told (wait; 0: within its poll), or presenceMs
  -- later on a busy event loop: its keys stay registered as waiting till then.
  local function register(wait)
    unregister(proc, mine)
    for _, key in ipairs(keys) do
      if mine[key] then redis.call('ZADD', W, now + wait + presence, proc .. '|' .. key) end
    end
  end
  local exhausted = num('exhaustedUntil')
  if exhausted > now then unregister(proc, nil); touch(); return {-1, exhausted} end
  for _, key in ipairs(keys) do redis.call('ZADD', K, now, key) end
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
  -- (It asks again after wait, or within its poll while requests are in flight.)
  if wait > 0 then register(pending > 0 and 0 or wait); touch(); return {0, wait, pending} end
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
  -- Global turns: the fewest grants in the window of any key waiting, here or in another process.
  local function grantsOf(key) return tonumber(redis.call('HGET', C, key) or '0') end
  local fewest = math.huge
  local waitingKeys = #keys
  for _, key in ipairs(keys) do fewest = math.min(fewest, grantsOf(key)) end
  local seen = {}
  for _, member in ipairs(redis.call('ZRANGE', W, 0, -1)) do
    local key = string.match(member, '^[^|]*|(.*)$')
    if key and not mine[key] and not seen[key] then
      seen[key] = true
      waitingKeys = waitingKeys + 1
      fewest = math.min(fewest, grantsOf(key))
    end
  end
  -- How far ahead of the fewest a key may go: the slack, and while several slots are free at once
  -- (a window re-opening) its part of them beyond the one, so that a burst of free slots is
  -- taken at once by every process's keys alike, not a slack's worth per claim and poll.
  local ahead = turnSlack + math.floor((max - inUse - 1) / waitingKeys)
  -- Keys at the fewest go first (in turn order); then those within the slack, so that a slot
  -- does not wait for another process's claim when a key here is about as far behind.
  local notTurn = false
  local pick = nil
  for j, key in ipairs(keys) do
    local has = grantsOf(key)
    if not (reserved and count >= 2 and has * (count + 1) >= max) then
      if has > fewest + ahead then notTurn = true
      elseif has <= fewest then pick = j; break
      elseif not pick then pick = j end
    end
  end
  if pick then
    local key = keys[pick]
    local id = redis.call('HINCRBY', M, 'seq', 1)
    local admitted = redis.call('HINCRBY', M, 'admitted', 1)
    redis.call('ZADD', P, now, id .. '|' .. key)
    redis.call('HINCRBY', C, key, 1)
    redis.call('HSET', G, id, (inUse + 1) .. ',' .. admitted)
    -- Its last waiter here: the key no longer waits in this process.
    if waiters[pick] <= 1 then mine[key] = nil end
    register(0)
    touch()
    return {1, now, id, inUse + 1, max, pick}
  end
  -- Nothing granted. Held back for the turns, a key behind is waiting in another process, which
  -- asks within its poll: ask again as soon, as while the window is held by requests in flight.
  local polled = notTurn or pending > 0
  register(polled and 0 or leave)
  touch()
  return {0, leave, polled and math.max(1, pending) or 0}

elseif op == 'idle' then
  -- ARGV[11]: a process with no waiter left: its keys no longer wait.
  redis.call('ZREMRANGEBYSCORE', W, '-inf', '(' .. now)
  unregister(ARGV[11], nil)
  touch()
  return 1

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
