// The Lua scripts behind every state change of jobs and messages. Each runs atomically in
// Redis, so any crash leaves a state that one of these scripts produced; counters move
// in the same script as the state they count. Times come from Redis's own clock (TIME).
//
// Keys built inside scripts all start with ARGV[1] (the prefix): Loa targets a single
// Redis (or a primary with replicas), not Redis Cluster.
#pragma once

namespace loa::store::lua {

inline constexpr const char* kPrelude = R"LUA(
local P = ARGV[1]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function job_of(ref) return string.match(ref, '^(.*)%.%d+$') end
local function jkey(j) return P .. ':job:' .. j end
local function mkey(ref) return P .. ':m:' .. ref end
local function move(job, from, to)
  if from then redis.call('HINCRBY', job, 'c:' .. from, -1) end
  redis.call('HINCRBY', job, 'c:' .. to, 1)
end
-- Counter moves gathered over a batch and applied once per job and state.
local function tally(t, job, from, to)
  local d = t[job]
  if not d then d = {}; t[job] = d end
  if from then d[from] = (d[from] or 0) - 1 end
  d[to] = (d[to] or 0) + 1
end
local function apply_tally(t)
  for job, d in pairs(t) do
    for state, n in pairs(d) do
      if n ~= 0 then redis.call('HINCRBY', job, 'c:' .. state, n) end
    end
  end
end
-- Puts a ref on its job's lane for a provider; the job joins the provider's round-robin
-- (by virtual time, at the current time: no credit for having been idle).
local function enqueue(provider, j, ref)
  local prio = redis.call('HGET', jkey(j), 'urgent') == '1' and '1' or '0'
  redis.call('RPUSH', P .. ':lane:' .. provider .. ':' .. j, ref)
  local vt = redis.call('GET', P .. ':vt:' .. provider .. ':' .. prio) or '0'
  redis.call('ZADD', P .. ':active:' .. provider .. ':' .. prio, 'NX', vt, j)
end
local function maybe_done(job, now)
  local f = redis.call('HMGET', job, 'expanded_done', 'c:queued', 'c:sending', 'state')
  if f[1] == '1' and tonumber(f[2] or '0') == 0 and tonumber(f[3] or '0') == 0
     and (f[4] == 'sending' or f[4] == 'expanding' or f[4] == 'queued') then
    redis.call('HSET', job, 'state', 'done', 'finished', now)
  end
end
)LUA";

// KEYS: stream, idem key. ARGV: prefix, job json, has key (1/0), key ttl seconds.
inline constexpr const char* kEnqueue = R"LUA(
if ARGV[3] == '1' then
  local existing = redis.call('GET', KEYS[2])
  if existing then return {existing, '0'} end
end
local id = redis.call('XADD', KEYS[1], '*', 'job', ARGV[2])
if ARGV[3] == '1' then redis.call('SET', KEYS[2], id, 'EX', ARGV[4]) end
return {id, '1'}
)LUA";

// KEYS: job hash, index zset, due zset, idem key.
// ARGV: prefix, job id, spec json, state (queued|rejected), reason, due ms ('' = now),
//       has key, key ttl, wards (comma list), template, urgent (1/0).
inline constexpr const char* kAdmit = R"LUA(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local now = now_ms()
local state, reason = ARGV[4], ARGV[5]
if state ~= 'rejected' and ARGV[7] == '1' then
  local ok = redis.call('SET', KEYS[4], ARGV[2], 'NX', 'EX', ARGV[8])
  if not ok then
    local other = redis.call('GET', KEYS[4])
    if other ~= ARGV[2] then state = 'rejected'; reason = 'repeat of job ' .. other .. ' (same key)' end
  end
end
local due = tonumber(ARGV[6]) or now
if state ~= 'rejected' and due > now then state = 'scheduled' end
redis.call('HSET', KEYS[1], 'spec', ARGV[3], 'state', state, 'reason', reason, 'created', now,
           'due', due, 'wards', ARGV[9], 'template', ARGV[10], 'urgent', ARGV[11],
           'expanded', 0, 'total', 0)
redis.call('ZADD', KEYS[2], now, ARGV[2])
if state ~= 'rejected' then redis.call('ZADD', KEYS[3], due, ARGV[2]) end
return 1
)LUA";

// KEYS: due zset, owner hash. ARGV: prefix, lease ms, instance.
// Returns {job, cursor} for a claimed job, {'', next_due_ms|''} when none is due,
// {'', 'again'} after dropping a job that no longer needs expanding.
inline constexpr const char* kClaim = R"LUA(
local now = now_ms()
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1)
if #due == 0 then
  local nxt = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {'', nxt[2] or ''}
end
local j = due[1]
local job = jkey(j)
local st = redis.call('HGET', job, 'state')
if st ~= 'queued' and st ~= 'scheduled' and st ~= 'expanding' then
  redis.call('ZREM', KEYS[1], j)
  redis.call('HDEL', KEYS[2], j)
  return {'', 'again'}
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), j)
redis.call('HSET', KEYS[2], j, ARGV[3])
if st ~= 'expanding' then redis.call('HSET', job, 'state', 'expanding', 'started', now) end
return {j, redis.call('HGET', job, 'expanded'), redis.call('HGET', job, 'spec')}
)LUA";

// KEYS: job hash, due zset. ARGV: prefix, job id, expected cursor, new cursor, lease ms,
// n, then 13 values per message: index, ward, row, name, phone, carrier, text, segments,
// unicode, state (queued|skipped|failed), error, provider, route.
inline constexpr const char* kExpandChunk = R"LUA(
local job = KEYS[1]
if redis.call('HGET', job, 'expanded') ~= ARGV[3] then return 0 end
local cancelled = redis.call('HGET', job, 'state') == 'cancelled'
local now = now_ms()
local n = tonumber(ARGV[6])
local counts, lanes = {}, {}
for i = 0, n - 1 do
  local o = 7 + i * 13
  local state = ARGV[o + 9]
  if cancelled and state == 'queued' then state = 'cancelled' end
  local ref = ARGV[2] .. '.' .. ARGV[o]
  redis.call('HSET', mkey(ref), 'w', ARGV[o + 1], 'r', ARGV[o + 2], 'n', ARGV[o + 3], 'p', ARGV[o + 4],
             't', ARGV[o + 6], 'u', ARGV[o + 8], 's', state, 'e', ARGV[o + 10], 'rt', ARGV[o + 12], 'tq', now)
  counts[state] = (counts[state] or 0) + 1
  if state == 'queued' then
    local l = lanes[ARGV[o + 11]]
    if not l then l = {}; lanes[ARGV[o + 11]] = l end
    l[#l + 1] = ref
  end
end
for state, c in pairs(counts) do redis.call('HINCRBY', job, 'c:' .. state, c) end
local prio = redis.call('HGET', job, 'urgent') == '1' and '1' or '0'
for provider, refs in pairs(lanes) do
  redis.call('RPUSH', P .. ':lane:' .. provider .. ':' .. ARGV[2], unpack(refs))
  local vt = redis.call('GET', P .. ':vt:' .. provider .. ':' .. prio) or '0'
  redis.call('ZADD', P .. ':active:' .. provider .. ':' .. prio, 'NX', vt, ARGV[2])
end
redis.call('HSET', job, 'expanded', ARGV[4])
redis.call('HINCRBY', job, 'total', n)
if not cancelled then redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[5]), ARGV[2]) end
return 1
)LUA";

// KEYS: job hash, due zset, owner hash. ARGV: prefix, job id, expected cursor.
inline constexpr const char* kFinishExpansion = R"LUA(
if redis.call('HGET', KEYS[1], 'expanded') ~= ARGV[3] then return 0 end
local now = now_ms()
redis.call('HSET', KEYS[1], 'expanded_done', '1')
if redis.call('HGET', KEYS[1], 'state') == 'expanding' then redis.call('HSET', KEYS[1], 'state', 'sending') end
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[2])
maybe_done(KEYS[1], now)
return 1
)LUA";

// KEYS: job hash, due zset, owner hash. ARGV: prefix, job id, reason.
inline constexpr const char* kRejectJob = R"LUA(
redis.call('HSET', KEYS[1], 'state', 'rejected', 'reason', ARGV[3], 'finished', now_ms())
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[2])
return 1
)LUA";

// KEYS: inflight zset. ARGV: prefix, n, lease ms, instance, provider, rate per second
// (0: none), burst, bulk allowed (1/0; 0 inside quiet hours), clock ms ('' = Redis TIME;
// tests inject it).
// Rate: GCRA on <prefix>:rl:<provider>, shared by every gateway on this Redis: at most
// `burst` at once, then one per 1/rate s, so no 1-s window holds more than rate+burst-1
// (one to spare for the jitter between here and the provider).
// Fairness: jobs with work for this provider sit in active:<provider>:<prio> scored by
// virtual time; each message served moves its job one step back (round-robin per
// message across jobs and gateways). Urgent jobs (prio 1) go first.
// Write-ahead: a message is 'sending', with a lease, before its request is built.
// Returns {'ok', '0', then 6 values per message: ref, phone, text, attempts, unicode, route}
// or {'wait', ms} when the rate limit allows nothing now.
inline constexpr const char* kTake = R"LUA(
local now = ARGV[9] ~= '' and tonumber(ARGV[9]) or now_ms()
local n = tonumber(ARGV[2])
local provider = ARGV[5]
local rate, burst = tonumber(ARGV[6]), tonumber(ARGV[7])
local rl = P .. ':rl:' .. provider
local tat, T = now, 0
if rate > 0 then
  T = 1000.0 / rate
  local tau = (burst - 1) * T  -- tolerance: at most `burst` at once
  tat = math.max(tonumber(redis.call('GET', rl) or '0'), now)
  local k = math.floor((tau + T - (tat - now)) / T)
  if k < 1 then return {'wait', tostring(math.ceil(tat - now - tau))} end
  if k < n then n = k end
end
local out = {'ok', '0'}
local lease = now + tonumber(ARGV[3])
local taken, rounds = 0, 0
local counts, leases = {}, {}
local prios = ARGV[8] == '1' and {'1', '0'} or {'1'}
for _, prio in ipairs(prios) do
  local active = P .. ':active:' .. provider .. ':' .. prio
  local vt = nil
  -- One turn: the job furthest behind in virtual time gives a run of at most 16 messages
  -- and moves back by as many, so jobs interleave in runs of 16 at the most.
  while taken < n and rounds < 64 do
    rounds = rounds + 1
    local top = redis.call('ZRANGE', active, 0, 0, 'WITHSCORES')
    if #top == 0 then break end
    local j, score = top[1], tonumber(top[2])
    local refs = redis.call('LPOP', P .. ':lane:' .. provider .. ':' .. j, math.min(16, n - taken))
    if not refs then
      redis.call('ZREM', active, j)
    else
      vt = score + #refs
      redis.call('ZADD', active, vt, j)
      local job = jkey(j)
      for _, ref in ipairs(refs) do
        local mk = mkey(ref)
        local f = redis.call('HMGET', mk, 's', 'p', 't', 'a', 'u', 'rt')
        if f[1] == 'queued' then
          local a = tonumber(f[4] or '0') + 1
          redis.call('HSET', mk, 's', 'sending', 'a', a, 'pr', provider, 'o', ARGV[4], 'tsend', now)
          tally(counts, job, 'queued', 'sending')
          leases[#leases + 1] = lease
          leases[#leases + 1] = ref
          out[#out + 1] = ref; out[#out + 1] = f[2]; out[#out + 1] = f[3]
          out[#out + 1] = tostring(a); out[#out + 1] = f[5] or '0'; out[#out + 1] = f[6] or ''
          taken = taken + 1
        end
      end
    end
  end
  if vt then redis.call('SET', P .. ':vt:' .. provider .. ':' .. prio, vt) end
end
apply_tally(counts)
if #leases > 0 then redis.call('ZADD', KEYS[1], unpack(leases)) end
if rate > 0 and taken > 0 then
  redis.call('SET', rl, tostring(tat + taken * T), 'PX', math.ceil(burst * T + taken * T) + 1000)
end
return out
)LUA";

// KEYS: inflight zset, retry zset. ARGV: prefix, provider, n, map provider ids (1/0: the
// provider's reports name messages by its own id), then 6 values per result:
// ref, outcome (sent|delivered|failed|unknown|retry|reroute), provider id, error, retry
// delay ms, retry provider. 'reroute' is a retry that was never attempted (the provider's
// circuit was open), so it does not count as an attempt.
inline constexpr const char* kRecord = R"LUA(
local now = now_ms()
local n = tonumber(ARGV[3])
local map_ids = ARGV[4] == '1'
local counts, done, refs = {}, {}, {}
for i = 0, n - 1 do
  local o = 5 + i * 6
  local ref, outcome, pid, err = ARGV[o], ARGV[o + 1], ARGV[o + 2], ARGV[o + 3]
  local mk = mkey(ref)
  local job = jkey(job_of(ref))
  refs[#refs + 1] = ref
  if map_ids and pid ~= '' and pid ~= ref then
    redis.call('SET', P .. ':dlr:' .. ARGV[2] .. ':' .. pid, ref, 'EX', 1209600)
  end
  local s = redis.call('HGET', mk, 's')
  if s == 'sending' then
    if outcome == 'retry' or outcome == 'reroute' then
      redis.call('HSET', mk, 's', 'queued', 'e', err)
      if outcome == 'reroute' then redis.call('HINCRBY', mk, 'a', -1) end
      tally(counts, job, 'sending', 'queued')
      redis.call('ZADD', KEYS[2], now + tonumber(ARGV[o + 4]), ref .. '|' .. ARGV[o + 5])
    elseif outcome == 'sent' then
      redis.call('HSET', mk, 's', 'sent', 'e', '', 'tsent', now, 'pid', pid)
      tally(counts, job, 'sending', 'sent')
    else
      redis.call('HSET', mk, 's', outcome, 'e', err, 'tdone', now, 'pid', pid)
      if outcome == 'delivered' then redis.call('HSET', mk, 'tsent', now) end
      tally(counts, job, 'sending', outcome)
    end
    done[job] = true
  elseif pid ~= '' then
    redis.call('HSET', mk, 'pid', pid)  -- a delivery report came first: keep its state
  end
end
redis.call('ZREM', KEYS[1], unpack(refs))
apply_tally(counts)
for job in pairs(done) do maybe_done(job, now) end
return n
)LUA";

// ARGV: prefix, ref, state (delivered|failed), error.
// Delivery reports only move forward: a repeat, or one for a message already final, is a no-op.
inline constexpr const char* kApplyReport = R"LUA(
local mk = mkey(ARGV[2])
local s = redis.call('HGET', mk, 's')
if not s then return 'unknown' end
if s ~= 'sent' and s ~= 'sending' and s ~= 'unknown' then return 'duplicate' end
local now = now_ms()
local job = jkey(job_of(ARGV[2]))
redis.call('HSET', mk, 's', ARGV[3], 'tdone', now, 'dlr', now)
if ARGV[3] == 'failed' then redis.call('HSET', mk, 'e', ARGV[4]) end
move(job, s, ARGV[3])
if s == 'sending' then maybe_done(job, now) end
return 'applied'
)LUA";

// KEYS: inflight zset. ARGV: prefix, instance, at start-up (1/0).
// A lease that ran out, or (at start-up) one this instance held before it died, means the
// request may or may not have reached the provider: the message becomes 'unknown'.
inline constexpr const char* kRecover = R"LUA(
local now = now_ms()
local startup = ARGV[3] == '1'
local refs = redis.call('ZRANGE', KEYS[1], 0, 999, 'WITHSCORES')
local fixed = 0
for i = 1, #refs, 2 do
  local ref, deadline = refs[i], tonumber(refs[i + 1])
  local mk = mkey(ref)
  local f = redis.call('HMGET', mk, 's', 'o')
  if deadline <= now or (startup and f[2] == ARGV[2]) then
    redis.call('ZREM', KEYS[1], ref)
    if f[1] == 'sending' then
      local job = jkey(job_of(ref))
      redis.call('HSET', mk, 's', 'unknown', 'tdone', now,
                 'e', 'gateway stopped while the request was in flight; not re-sent (see loa retry --unknown)')
      move(job, 'sending', 'unknown')
      maybe_done(job, now)
      fixed = fixed + 1
    end
  elseif not startup then
    break
  end
end
return fixed
)LUA";

// KEYS: due zset, owner hash. ARGV: prefix, instance. Makes this instance's unfinished
// expansions due now (it restarted; no need to wait for its lease to run out).
inline constexpr const char* kResumeMine = R"LUA(
local now = now_ms()
local all = redis.call('HGETALL', KEYS[2])
local n = 0
for i = 1, #all, 2 do
  if all[i + 1] == ARGV[2] then
    redis.call('ZADD', KEYS[1], 'XX', now, all[i])
    n = n + 1
  end
end
return n
)LUA";

// KEYS: retry zset. ARGV: prefix. Moves due retries onto their provider's lanes.
inline constexpr const char* kPromoteRetries = R"LUA(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now_ms(), 'LIMIT', 0, 500)
for _, item in ipairs(due) do
  redis.call('ZREM', KEYS[1], item)
  local ref, provider = string.match(item, '^(.*)|(.*)$')
  if redis.call('HGET', mkey(ref), 's') == 'queued' then enqueue(provider, job_of(ref), ref) end
end
return #due
)LUA";

// KEYS: job hash, due zset. ARGV: prefix, job id, first index, last index (exclusive).
// Cancels a job and turns its not-yet-sent messages in [first, last) to 'cancelled'.
// Returns the job's state before (or 'none').
inline constexpr const char* kCancel = R"LUA(
local st = redis.call('HGET', KEYS[1], 'state')
if not st then return 'none' end
if st == 'done' or st == 'rejected' then return st end
local now = now_ms()
if st ~= 'cancelled' then
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'finished', now)
  redis.call('ZREM', KEYS[2], ARGV[2])
end
for i = tonumber(ARGV[3]), tonumber(ARGV[4]) - 1 do
  local mk = mkey(ARGV[2] .. '.' .. i)
  if redis.call('HGET', mk, 's') == 'queued' then
    redis.call('HSET', mk, 's', 'cancelled', 'tdone', now)
    move(KEYS[1], 'queued', 'cancelled')
  end
end
return st
)LUA";

// KEYS: job hash. ARGV: prefix, job id, state to resend (unknown|failed), first index,
// last index (exclusive). Puts those messages back on their route's first provider.
inline constexpr const char* kRequeue = R"LUA(
local st = redis.call('HGET', KEYS[1], 'state')
if not st then return -1 end
if st == 'cancelled' or st == 'rejected' then return -2 end
local n = 0
for i = tonumber(ARGV[4]), tonumber(ARGV[5]) - 1 do
  local ref = ARGV[2] .. '.' .. i
  local mk = mkey(ref)
  local f = redis.call('HMGET', mk, 's', 'rt')
  if f[1] == ARGV[3] and f[2] and f[2] ~= '' then
    redis.call('HSET', mk, 's', 'queued', 'e', 'resent on an operator\'s word after ' .. ARGV[3])
    move(KEYS[1], ARGV[3], 'queued')
    enqueue(string.match(f[2], '^[^,]+'), ARGV[2], ref)
    n = n + 1
  end
end
if n > 0 and st == 'done' then redis.call('HSET', KEYS[1], 'state', 'sending') end
return n
)LUA";

}  // namespace loa::store::lua
