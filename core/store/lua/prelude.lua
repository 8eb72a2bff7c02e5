-- The prelude every Loa script starts with (core/store/scripts.cpp puts it in front).
-- Each script runs atomically in Redis, so any crash leaves a state that one of them
-- produced; counters move in the same script as the states they count, always through
-- the transition helper below. Times come from Redis's own clock (TIME).
--
-- Keys built inside scripts all start with ARGV[1] (the prefix): Loa targets a single
-- Redis (or a primary with replicas), not Redis Cluster.
local P = ARGV[1]
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The states, as core/jobs/states.h lists them (tests/integration/codec_test.cpp checks).
local MESSAGE_STATES = {'queued', 'sending', 'sent', 'delivered', 'failed', 'skipped', 'unknown', 'cancelled'}
local JOB_STATES = {'scheduled', 'queued', 'expanding', 'sending', 'done', 'cancelled', 'rejected', 'submitted',
                    'awaiting_approval'}

-- A message is <job>.<index>. Its fixed data (written once, at expansion) is one record of
-- a chunk of 16 in md:<job> (field: index // 16); its progress one packed value under its
-- index in ms:<job>:<index // 128>. The layouts are drawn in core/store/codec.h; these are
-- the field positions (codec_test checks them too).
local SEP = '\31'
local CHUNK, BUCKET = 16, 128
local DATA_FIELDS = {'ward', 'row', 'name', 'phone', 'unicode', 'route', 'area', 'stt', 'prefix', 'suffix', 'middle'}
local PROGRESS_FIELDS = {'state', 'attempts', 'provider', 'lease', 'taken_at', 'sent_at', 'done_at',
                         'provider_id', 'report_at', 'error'}
local S_S, S_A, S_PR, S_L, S_TSEND, S_TSENT, S_TDONE, S_PID, S_DLR, S_E = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
local D_ROUTE = 6
local PROGRESS = '^' .. string.rep('([^\31]*)\31', 9) .. '(.*)$'
-- The ten fields of a packed progress (nothing for a missing or malformed one).
local function progress_of(v)
  if v then return string.match(v, PROGRESS) end
end
-- Table form, for the paths that are not per message sent.
local function split_progress(v)
  local f = {progress_of(v)}
  if not f[S_S] then f = {'', '', '', '', '', '', '', '', '', ''} end
  return f
end
local function pack(f) return table.concat(f, SEP, 1, 10) end

-- Every key a script builds itself, in one place: core/store/keys.h builds the same in C++
-- (the keys a script is handed as KEYS come from there), and codec_test checks that the
-- two agree. docs/design.md draws what each holds.
local K = {
  job = function(j) return P .. ':job:' .. j end,
  md = function(j) return P .. ':md:' .. j end,
  ms = function(j, bucket) return P .. ':ms:' .. j .. ':' .. bucket end,
  via = function(j) return P .. ':via:' .. j end,
  round = function(j) return P .. ':round:' .. j end,
  pin = function(j) return P .. ':pin:' .. j end,
  lane = function(provider, j) return P .. ':lane:' .. provider .. ':' .. j end,
  active = function(provider, prio) return P .. ':active:' .. provider .. ':' .. prio end,
  vt = function(provider, prio) return P .. ':vt:' .. provider .. ':' .. prio end,
  rl = function(provider) return P .. ':rl:' .. provider end,
  dlr = function(provider, day) return P .. ':dlr:' .. provider .. ':' .. day end,
  takes = function() return P .. ':takes' end,
  jobstates = function() return P .. ':jobstates' end,
  token = function(hash) return P .. ':token:' .. hash end,
}
local jkey, mdkey, mskey = K.job, K.md, K.ms
local function bucket_of(index) return math.floor(tonumber(index) / BUCKET) end
-- The job's epoch: message times are stored as milliseconds since it.
local function epoch(j) return tonumber(redis.call('HGET', jkey(j), 'epoch') or '0') end

-- Groups message indexes by progress bucket: {bucket = {positions in idx...}}, and the
-- buckets in the order they first appear.
local function by_bucket(idx)
  local groups, order = {}, {}
  for x, i in ipairs(idx) do
    local b = bucket_of(i)
    local g = groups[b]
    if not g then g = {}; groups[b] = g; order[#order + 1] = b end
    g[#g + 1] = x
  end
  return groups, order
end
-- The packed progress of messages `idx` of job j, in their order (false where missing).
local function ms_get(j, idx)
  local out = {}
  local groups, order = by_bucket(idx)
  for _, b in ipairs(order) do
    local xs, fields = groups[b], {}
    for k, x in ipairs(xs) do fields[k] = idx[x] end
    local vals = redis.call('HMGET', mskey(j, b), unpack(fields))
    for k, x in ipairs(xs) do out[x] = vals[k] end
  end
  return out
end
-- Writes {index, packed, index, packed, ...} of job j, one HSET per bucket.
local function ms_set(j, pairs_)
  local groups, order = {}, {}
  for k = 1, #pairs_, 2 do
    local b = bucket_of(pairs_[k])
    local g = groups[b]
    if not g then g = {}; groups[b] = g; order[#order + 1] = b end
    g[#g + 1] = pairs_[k]; g[#g + 1] = pairs_[k + 1]
  end
  for _, b in ipairs(order) do redis.call('HSET', mskey(j, b), unpack(groups[b])) end
end

-- The records of one md chunk value, in order (nil when malformed): netstrings after the
-- queued time; the first is the chunk's reference text.
local function chunk_records(v)
  if not v then return nil end
  local pos = string.find(v, SEP, 1, true)
  if not pos then return nil end
  pos = pos + 1
  local items = {}
  while pos <= #v do
    local colon = string.find(v, ':', pos, true)
    if not colon then return nil end
    local n = tonumber(string.sub(v, pos, colon - 1))
    if not n then return nil end
    items[#items + 1] = string.sub(v, colon + 1, colon + n)
    pos = colon + n + 1
  end
  table.remove(items, 1)
  return items
end
-- The data chunks that messages `idx` are in, each once, in the order they first appear.
local function chunks_of(idx)
  local seen, order = {}, {}
  for _, i in ipairs(idx) do
    local c = math.floor(tonumber(i) / CHUNK)
    if not seen[c] then seen[c] = true; order[#order + 1] = c end
  end
  return order
end
-- The data records of messages `idx` of job j, in their order ('' where missing).
local function md_get(j, idx)
  local chunks, order, out = {}, chunks_of(idx), {}
  local vals = redis.call('HMGET', mdkey(j), unpack(order))
  for k, c in ipairs(order) do chunks[c] = chunk_records(vals[k]) or {} end
  for x, i in ipairs(idx) do
    local n = tonumber(i)
    out[x] = chunks[math.floor(n / CHUNK)][n % CHUNK + 1] or ''
  end
  return out
end
local function data_route(v)
  if not v then return '' end
  local route = string.match(v, '^' .. string.rep('[^\31]*\31', D_ROUTE - 1) .. '([^\31]*)\31')
  return route or ''
end

-- via:<job>: index -> the providers a message was handed to before its current one
-- (comma separated), written only when a message moves to another provider (failover,
-- or an operator's retry), so delivery reports from those are still recognised.
local viakey = K.via
-- round:<job>  <index>  how many times an operator had a failed message sent again (loa
-- retry --failed); absent for messages never resent. A provider that de-duplicates by
-- Loa's reference is handed a new one for each round (providers/provider.h Message::round).
local roundkey = K.round
-- pin:<job>  <index>  the provider a message may already have been taken by: an attempt
-- there ended without knowing (a timeout, a 504) and is retried where it went, since only
-- that provider de-duplicates it. A pinned message never moves to another provider,
-- whatever a circuit breaker or an account pause does (daemon/dispatcher.cpp).
local pinkey = K.pin
local function parse_ref(ref) return string.match(ref, '^(.*)%.(%d+)$') end

-- Puts message indexes (list[from..to]) on their job's lane for a provider; the job joins
-- the provider's round-robin (by virtual time, at the current time: no credit for having
-- been idle).
local function enqueue(provider, j, list, from, to)
  local prio = redis.call('HGET', jkey(j), 'urgent') == '1' and '1' or '0'
  redis.call('RPUSH', K.lane(provider, j), unpack(list, from or 1, to or #list))
  local vt = redis.call('GET', K.vt(provider, prio)) or '0'
  redis.call('ZADD', K.active(provider, prio), 'NX', vt, j)
end

-- A job's state changes from `from` (nil for a new job) to `to`, with any other fields
-- given: the hash, and the cluster's count of jobs in each state (<prefix>:jobstates, read
-- by /metrics; rebuilt by count_jobs.lua when missing). Every job state change goes here.
local function set_job_state(job, from, to, ...)
  redis.call('HSET', job, 'state', to, ...)
  if from == to then return end
  if from then redis.call('HINCRBY', K.jobstates(), from, -1) end
  redis.call('HINCRBY', K.jobstates(), to, 1)
end

-- A job whose messages are all expanded and none of which waits any more is done.
local function maybe_done(job, now)
  local f = redis.call('HMGET', job, 'expanded_done', 'c:queued', 'c:sending', 'state')
  if f[1] == '1' and tonumber(f[2] or '0') == 0 and tonumber(f[3] or '0') == 0
     and (f[4] == 'sending' or f[4] == 'expanding' or f[4] == 'queued') then
    set_job_state(job, f[4], 'done', 'finished', now)
  end
end

-- The transition helper: every change of message states goes through it. Collect changes
-- to one job's messages with change(), then commit() writes them with one HSET and moves
-- the job's per-state counters (c:<state>) by the net count of each state; when fewer
-- messages wait than before (queued + sending went down), the job may be done.
-- `bucket`: given when every change is to messages of that one progress bucket (one HSET).
local function changes(j, bucket) return {j = j, bucket = bucket, sets = {}, moved = {}} end
-- `packed`: the message's new progress; `from`: its state before (nil for a new message).
local function change(c, index, packed, from, to)
  local sets, moved = c.sets, c.moved
  sets[#sets + 1] = index
  sets[#sets + 1] = packed
  if from ~= to then
    if from then moved[from] = (moved[from] or 0) - 1 end
    moved[to] = (moved[to] or 0) + 1
  end
end
-- Adds `n` new messages in `state` to the counters (expansion writes their values itself).
local function count_new(c, state, n) c.moved[state] = (c.moved[state] or 0) + n end
local function commit(c, now)
  if #c.sets > 0 then
    if c.bucket then redis.call('HSET', mskey(c.j, c.bucket), unpack(c.sets)) else ms_set(c.j, c.sets) end
  end
  local job, waiting = jkey(c.j), 0
  for state, d in pairs(c.moved) do
    if d ~= 0 then redis.call('HINCRBY', job, 'c:' .. state, d) end
    if state == 'queued' or state == 'sending' then waiting = waiting + d end
  end
  if waiting < 0 then maybe_done(job, now or now_ms()) end
  return #c.sets / 2
end
