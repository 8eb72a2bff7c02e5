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
-- A message is <job>.<index>. Its fixed data (written once, at expansion) is one packed
-- value in md:<job>, its state one packed value in ms:<job>, both under the index, so a
-- batch of messages is read or written with one command per job, not one per message.
-- Fields are joined by SEP; the last may hold anything. Data: ward, row, name, phone,
-- unicode, route, queued at, text (read by the gateway and `loa report`, not here but for
-- the route). State, always all ten: state, attempts, provider, owner, taken at, sent at,
-- done at, provider id, report at, error.
local SEP = '\31'
local STATE = '^' .. string.rep('([^\31]*)\31', 9) .. '(.*)$'
-- After "queued" and its separator: the attempts, the provider it was last handed to,
-- and the position after "taken at".
local TAKE = '^([^\31]*)\31([^\31]*)\31[^\31]*\31[^\31]*\31()'
local S_S, S_A, S_PR, S_O, S_TSEND, S_TSENT, S_TDONE, S_PID, S_DLR, S_E = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
-- The ten fields of a packed state (nothing for a missing or malformed one).
local function state_of(v)
  if v then return string.match(v, STATE) end
end
-- Table form, for the paths that are not per message sent.
local function split_state(v)
  local f = {state_of(v)}
  if not f[1] then f = {'', '', '', '', '', '', '', '', '', ''} end
  return f
end
local function pack(f) return table.concat(f, SEP, 1, 10) end
local function data_route(v)
  local route = v and string.match(v, '^[^\31]*\31[^\31]*\31[^\31]*\31[^\31]*\31[^\31]*\31([^\31]*)\31')
  return route or ''
end
local function jkey(j) return P .. ':job:' .. j end
local function mskey(j) return P .. ':ms:' .. j end
local function mdkey(j) return P .. ':md:' .. j end
-- via:<job>: index -> the providers a message was handed to before its current one
-- (comma separated), written only when a message moves to another provider (failover,
-- or an operator's retry), so delivery reports from those are still recognised.
local function viakey(j) return P .. ':via:' .. j end
local function parse_ref(ref) return string.match(ref, '^(.*)%.(%d+)$') end
local function move(job, from, to)
  if from then redis.call('HINCRBY', job, 'c:' .. from, -1) end
  redis.call('HINCRBY', job, 'c:' .. to, 1)
end
-- Puts message indexes (list[from..to]) on their job's lane for a provider; the job joins
-- the provider's round-robin (by virtual time, at the current time: no credit for having
-- been idle).
local function enqueue(provider, j, list, from, to)
  local prio = redis.call('HGET', jkey(j), 'urgent') == '1' and '1' or '0'
  redis.call('RPUSH', P .. ':lane:' .. provider .. ':' .. j, unpack(list, from or 1, to or #list))
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
// n (messages), c (states counted), l (lanes), then n pairs (index, packed data), n pairs
// (index, packed state), c pairs (state, count), and per lane: provider, k, k indexes.
// Laid out so that each write is one command over a range of ARGV.
inline constexpr const char* kExpandChunk = R"LUA(
local job = KEYS[1]
local j = ARGV[2]
if redis.call('HGET', job, 'expanded') ~= ARGV[3] then return 0 end
local cancelled = redis.call('HGET', job, 'state') == 'cancelled'
local now = now_ms()
local n, c, l = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local o = 9
if n > 0 then
  redis.call('HSET', mdkey(j), unpack(ARGV, o, o + 2 * n - 1))
  o = o + 2 * n
  if not cancelled then
    redis.call('HSET', mskey(j), unpack(ARGV, o, o + 2 * n - 1))
  else  -- cancelled while expanding: what would have been queued is cancelled
    local states = {}
    for k = o, o + 2 * n - 1, 2 do
      local f = split_state(ARGV[k + 1])
      if f[S_S] == 'queued' then f[S_S] = 'cancelled' end
      states[#states + 1] = ARGV[k]; states[#states + 1] = pack(f)
    end
    redis.call('HSET', mskey(j), unpack(states))
  end
  o = o + 2 * n
end
for k = o, o + 2 * c - 1, 2 do
  local state = ARGV[k]
  if cancelled and state == 'queued' then state = 'cancelled' end
  redis.call('HINCRBY', job, 'c:' .. state, ARGV[k + 1])
end
o = o + 2 * c
for _ = 1, l do
  local k = tonumber(ARGV[o + 1])
  if not cancelled and k > 0 then enqueue(ARGV[o], j, ARGV, o + 2, o + 1 + k) end
  o = o + 2 + k
end
redis.call('HSET', job, 'expanded', ARGV[4])
redis.call('HINCRBY', job, 'total', n)
if not cancelled then redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[5]), j) end
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
// Write-ahead: a message is 'sending' before its request is built, and each run of
// messages taken from one job is held under one lease in the inflight zset: the member
// "<job>|<i1,i2,...>|<taken at>|<instance>", scored by its deadline.
// Returns {'ok', '0', then per run: lease, job, k, then 6 values per message: index,
// phone, text, attempts, unicode, route} or {'wait', ms} when the rate limit allows nothing now.
inline constexpr const char* kTake = R"LUA(
local now = ARGV[9] ~= '' and tonumber(ARGV[9]) or now_ms()
local nows = tostring(now)
local n = tonumber(ARGV[2])
local owner, provider = ARGV[4], ARGV[5]
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
local deadline = now + tonumber(ARGV[3])
local taken, rounds = 0, 0
local leases = {}
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
    local idx = redis.call('LPOP', P .. ':lane:' .. provider .. ':' .. j, math.min(16, n - taken))
    if not idx then
      redis.call('ZREM', active, j)
    else
      vt = score + #idx
      redis.call('ZADD', active, vt, j)
      local st = redis.call('HMGET', mskey(j), unpack(idx))
      local md = redis.call('HMGET', mdkey(j), unpack(idx))
      local sets, mine, msgs = {}, {}, {}
      for x, i in ipairs(idx) do
        local v = st[x]
        -- queued: attempts so far, the provider it was handed to last, and where the
        -- fields after "taken at" begin
        local a, before, rest = nil, nil, nil
        if v and string.sub(v, 1, 7) == 'queued\31' then a, before, rest = string.match(v, TAKE, 8) end
        if a then  -- a cancelled message is skipped
          a = (tonumber(a) or 0) + 1
          if before ~= '' and before ~= provider then
            local via = redis.call('HGET', viakey(j), i)
            redis.call('HSET', viakey(j), i, via and (via .. ',' .. before) or before)
          end
          sets[#sets + 1] = i
          sets[#sets + 1] = 'sending' .. SEP .. a .. SEP .. provider .. SEP .. owner .. SEP .. nows .. SEP .. string.sub(v, rest)
          mine[#mine + 1] = i
          msgs[#msgs + 1] = i; msgs[#msgs + 1] = a; msgs[#msgs + 1] = md[x] or ''
        end
      end
      if #mine > 0 then
        redis.call('HSET', mskey(j), unpack(sets))
        redis.call('HINCRBY', jkey(j), 'c:queued', -#mine)
        redis.call('HINCRBY', jkey(j), 'c:sending', #mine)
        local lease = j .. '|' .. table.concat(mine, ',') .. '|' .. nows .. '|' .. owner
        leases[#leases + 1] = deadline
        leases[#leases + 1] = lease
        out[#out + 1] = lease; out[#out + 1] = j; out[#out + 1] = #mine
        for _, v in ipairs(msgs) do out[#out + 1] = v end
        taken = taken + #mine
      end
    end
  end
  if vt then redis.call('SET', P .. ':vt:' .. provider .. ':' .. prio, vt) end
end
if #leases > 0 then redis.call('ZADD', KEYS[1], unpack(leases)) end
if rate > 0 and taken > 0 then
  redis.call('SET', rl, tostring(tat + taken * T), 'PX', math.ceil(burst * T + taken * T) + 1000)
end
return out
)LUA";

// KEYS: inflight zset, retry zset. ARGV: prefix, provider, map provider ids (1/0: the
// provider's reports name messages by its own id), g (jobs), r (leases), then per job:
// job id, k, and k results of 6 values: index, outcome
// (sent|delivered|failed|unknown|retry|reroute), provider id, error, retry delay ms, retry
// provider; then r leases whose messages all have their outcome by now.
// 'reroute' is a retry that was never attempted (the provider's circuit was open), so it
// does not count as an attempt. Provider ids map to refs in one hash per provider and
// day (dlr:<provider>:<day>), kept 15 days.
inline constexpr const char* kRecord = R"LUA(
local now = now_ms()
local nows = tostring(now)
local map_ids = ARGV[3] == '1'
local g, r = tonumber(ARGV[4]), tonumber(ARGV[5])
local ids, retries, jobs = {}, {}, {}
local o = 6
for _ = 1, g do
  local j, k = ARGV[o], tonumber(ARGV[o + 1])
  local first = o + 2
  o = first + 6 * k
  local idx = {}
  for x = 1, k do idx[x] = ARGV[first + 6 * (x - 1)] end
  local st = redis.call('HMGET', mskey(j), unpack(idx))
  local sets, moved = {}, {}
  for x = 1, k do
    local b = first + 6 * (x - 1)
    local outcome, pid, err = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3]
    local s, a, pr, ow, tsend, tsent, tdone, opid, dlr, e = state_of(st[x])
    if map_ids and pid ~= '' then ids[#ids + 1] = pid; ids[#ids + 1] = j .. '.' .. idx[x] end
    local to = nil
    if s == 'sending' then
      if outcome == 'retry' or outcome == 'reroute' then
        to = 'queued'
        if outcome == 'reroute' then a = (tonumber(a) or 1) - 1 end
        retries[#retries + 1] = now + tonumber(ARGV[b + 4])
        retries[#retries + 1] = j .. '.' .. idx[x] .. '|' .. ARGV[b + 5]
        e = err
      elseif outcome == 'sent' then
        to, tsent, opid, e = 'sent', nows, pid, ''
      else
        to, tdone, opid, e = outcome, nows, pid, err
        if outcome == 'delivered' then tsent = nows end
      end
      moved[to] = (moved[to] or 0) + 1
      sets[#sets + 1] = idx[x]
      sets[#sets + 1] = to .. SEP .. a .. SEP .. pr .. SEP .. ow .. SEP .. tsend .. SEP .. tsent .. SEP ..
                        tdone .. SEP .. opid .. SEP .. dlr .. SEP .. e
    elseif s and pid ~= '' then  -- a delivery report came first: keep its state
      sets[#sets + 1] = idx[x]
      sets[#sets + 1] = s .. SEP .. a .. SEP .. pr .. SEP .. ow .. SEP .. tsend .. SEP .. tsent .. SEP ..
                        tdone .. SEP .. pid .. SEP .. dlr .. SEP .. e
    end
  end
  if #sets > 0 then redis.call('HSET', mskey(j), unpack(sets)) end
  local job, left = jkey(j), 0
  for to, m in pairs(moved) do
    redis.call('HINCRBY', job, 'c:' .. to, m)
    left = left + m
  end
  if left > 0 then
    redis.call('HINCRBY', job, 'c:sending', -left)
    jobs[#jobs + 1] = job
  end
end
if #ids > 0 then
  local bucket = P .. ':dlr:' .. ARGV[2] .. ':' .. math.floor(now / 86400000)
  redis.call('HSET', bucket, unpack(ids))
  redis.call('EXPIRE', bucket, 15 * 86400)
end
if #retries > 0 then redis.call('ZADD', KEYS[2], unpack(retries)) end
if r > 0 then redis.call('ZREM', KEYS[1], unpack(ARGV, o, o + r - 1)) end
for _, job in ipairs(jobs) do maybe_done(job, now) end
return 1
)LUA";

// ARGV: prefix, provider, n, then n reports of 4 values: ref ('' when the provider names
// the message by its own id), provider id, state (delivered|failed), error.
// A provider id is looked up in the provider's id maps (dlr:<provider>:<day>), newest day
// first, back 15 days. Reports only move a message forward: a repeat, or one for a message
// already final, is a no-op. A report changes only a message that was handed to this
// provider (its current one, or one in via:<job>). Returns per report: 'applied',
// 'duplicate', 'unknown' (no such message or id) or 'foreign' (a message this provider
// was never given: ignored), and the ref ('' for an unknown id).
inline constexpr const char* kApplyReports = R"LUA(
local now = now_ms()
local nows = tostring(now)
local day = math.floor(now / 86400000)
local maps = P .. ':dlr:' .. ARGV[2] .. ':'
local function ref_of(pid)
  for d = day, day - 15, -1 do
    local ref = redis.call('HGET', maps .. d, pid)
    if ref then return ref end
  end
end
local function apply(ref, state, err)
  local j, index = parse_ref(ref)
  if not j then return 'unknown' end
  local v = redis.call('HGET', mskey(j), index)
  if not v then return 'unknown' end
  local f = split_state(v)
  if f[S_PR] ~= ARGV[2] then
    local via = redis.call('HGET', viakey(j), index)
    if not via or not string.find(',' .. via .. ',', ',' .. ARGV[2] .. ',', 1, true) then return 'foreign' end
  end
  local s = f[S_S]
  if s ~= 'sent' and s ~= 'sending' and s ~= 'unknown' then return 'duplicate' end
  local job = jkey(j)
  f[S_S], f[S_TDONE], f[S_DLR] = state, nows, nows
  if state == 'failed' then f[S_E] = err end
  redis.call('HSET', mskey(j), index, pack(f))
  move(job, s, state)
  if s == 'sending' then maybe_done(job, now) end
  return 'applied'
end
local out = {}
for x = 0, tonumber(ARGV[3]) - 1 do
  local b = 4 + 4 * x
  local ref = ARGV[b]
  if ref == '' then ref = ref_of(ARGV[b + 1]) or '' end
  out[#out + 1] = ref == '' and 'unknown' or apply(ref, ARGV[b + 2], ARGV[b + 3])
  out[#out + 1] = ref
end
return out
)LUA";

// KEYS: inflight zset. ARGV: prefix, instance, at start-up (1/0).
// A lease that ran out, or (at start-up) one this instance held before it died, means its
// requests may or may not have reached the provider: its messages still 'sending' under
// that lease become 'unknown'.
inline constexpr const char* kRecover = R"LUA(
local now = now_ms()
local nows = tostring(now)
local startup = ARGV[3] == '1'
local leases = redis.call('ZRANGE', KEYS[1], 0, 999, 'WITHSCORES')
local fixed = 0
for i = 1, #leases, 2 do
  local lease, deadline = leases[i], tonumber(leases[i + 1])
  local j, list, taken, owner = string.match(lease, '^([^|]*)|([^|]*)|([^|]*)|(.*)$')
  if deadline <= now or (startup and owner == ARGV[2]) then
    redis.call('ZREM', KEYS[1], lease)
    if j then
      local idx = {}
      for index in string.gmatch(list, '%d+') do idx[#idx + 1] = index end
      local st = redis.call('HMGET', mskey(j), unpack(idx))
      local sets = {}
      for x, index in ipairs(idx) do
        local f = split_state(st[x])
        if f[S_S] == 'sending' and f[S_O] == owner and f[S_TSEND] == taken then
          f[S_S], f[S_TDONE] = 'unknown', nows
          f[S_E] = 'gateway stopped while the request was in flight; not re-sent (see loa retry --unknown)'
          sets[#sets + 1] = index; sets[#sets + 1] = pack(f)
          fixed = fixed + 1
        end
      end
      if #sets > 0 then
        redis.call('HSET', mskey(j), unpack(sets))
        redis.call('HINCRBY', jkey(j), 'c:sending', -#sets / 2)
        redis.call('HINCRBY', jkey(j), 'c:unknown', #sets / 2)
        maybe_done(jkey(j), now)
      end
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

// KEYS: retry zset. ARGV: prefix. Moves due retries ("<ref>|<provider>") onto their
// provider's lanes.
inline constexpr const char* kPromoteRetries = R"LUA(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now_ms(), 'LIMIT', 0, 500)
for _, item in ipairs(due) do
  redis.call('ZREM', KEYS[1], item)
  local ref, provider = string.match(item, '^(.*)|(.*)$')
  local j, index = parse_ref(ref or '')
  if j and state_of(redis.call('HGET', mskey(j), index)) == 'queued' then enqueue(provider, j, {index}) end
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
local nows = tostring(now)
if st ~= 'cancelled' then
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'finished', now)
  redis.call('ZREM', KEYS[2], ARGV[2])
end
local idx = {}
for i = tonumber(ARGV[3]), tonumber(ARGV[4]) - 1 do idx[#idx + 1] = tostring(i) end
if #idx == 0 then return st end
local states = redis.call('HMGET', mskey(ARGV[2]), unpack(idx))
local sets = {}
for x, index in ipairs(idx) do
  local f = split_state(states[x])
  if f[S_S] == 'queued' then
    f[S_S], f[S_TDONE] = 'cancelled', nows
    sets[#sets + 1] = index; sets[#sets + 1] = pack(f)
  end
end
if #sets > 0 then
  redis.call('HSET', mskey(ARGV[2]), unpack(sets))
  redis.call('HINCRBY', KEYS[1], 'c:queued', -#sets / 2)
  redis.call('HINCRBY', KEYS[1], 'c:cancelled', #sets / 2)
end
return st
)LUA";

// KEYS: job hash. ARGV: prefix, job id, state to resend (unknown|failed), first index,
// last index (exclusive). Puts those messages back on their route's first provider.
inline constexpr const char* kRequeue = R"LUA(
local st = redis.call('HGET', KEYS[1], 'state')
if not st then return -1 end
if st == 'cancelled' or st == 'rejected' then return -2 end
local j = ARGV[2]
local idx = {}
for i = tonumber(ARGV[4]), tonumber(ARGV[5]) - 1 do idx[#idx + 1] = tostring(i) end
if #idx == 0 then return 0 end
local states = redis.call('HMGET', mskey(j), unpack(idx))
local data = redis.call('HMGET', mdkey(j), unpack(idx))
local sets, lanes = {}, {}
for x, index in ipairs(idx) do
  local f = split_state(states[x])
  local route = data_route(data[x])
  if f[S_S] == ARGV[3] and route ~= '' then
    f[S_S], f[S_E] = 'queued', 'resent on an operator\'s word after ' .. ARGV[3]
    sets[#sets + 1] = index; sets[#sets + 1] = pack(f)
    local provider = string.match(route, '^[^,]+')
    local l = lanes[provider]
    if not l then l = {}; lanes[provider] = l end
    l[#l + 1] = index
  end
end
local n = #sets / 2
if n > 0 then
  redis.call('HSET', mskey(j), unpack(sets))
  redis.call('HINCRBY', KEYS[1], 'c:' .. ARGV[3], -n)
  redis.call('HINCRBY', KEYS[1], 'c:queued', n)
  for provider, l in pairs(lanes) do enqueue(provider, j, l) end
  if st == 'done' then redis.call('HSET', KEYS[1], 'state', 'sending') end
end
return n
)LUA";

}  // namespace loa::store::lua
