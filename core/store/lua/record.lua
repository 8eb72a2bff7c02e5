-- Records the outcomes of send attempts and releases leases.
-- KEYS: inflight zset, retry zset. ARGV: prefix, provider, map provider ids (1/0: the
-- provider's reports name messages by its own id), g (jobs), r (leases), then per job:
-- job id, k, and k results of 7 values: index, outcome
-- (sent|delivered|failed|unknown|retry|reroute), provider id, error, retry delay ms, retry
-- provider, pin ('1': the message may have been taken by that provider and is held there
-- from now on, pin:<job> in prelude.lua); then r leases whose messages all have their
-- outcome by now.
-- 'reroute' is a retry that was never attempted (the provider's circuit was open), so it
-- does not count as an attempt. Provider ids map to refs in one hash per provider and
-- day (dlr:<provider>:<day>), kept 15 days.
local now = now_ms()
local map_ids = ARGV[3] == '1'
local g, r = tonumber(ARGV[4]), tonumber(ARGV[5])
local ids, retries = {}, {}
local o = 6
for _ = 1, g do
  local j, k = ARGV[o], tonumber(ARGV[o + 1])
  local first = o + 2
  o = first + 7 * k
  local idx = {}
  for x = 1, k do idx[x] = ARGV[first + 7 * (x - 1)] end
  local st = ms_get(j, idx)
  local rel = tostring(now - epoch(j))
  local batch = changes(j)
  local pins = {}
  for x = 1, k do
    local b = first + 7 * (x - 1)
    local outcome, pid, err = ARGV[b + 1], ARGV[b + 2], ARGV[b + 3]
    local s, a, pr, _, tsend, tsent, tdone, opid, dlr, e = progress_of(st[x])
    if map_ids and pid ~= '' then ids[#ids + 1] = pid; ids[#ids + 1] = j .. '.' .. idx[x] end
    local to = nil
    if s == 'sending' then
      if outcome == 'retry' or outcome == 'reroute' then
        to = 'queued'
        if outcome == 'reroute' then a = (tonumber(a) or 1) - 1 end
        retries[#retries + 1] = now + tonumber(ARGV[b + 4])
        retries[#retries + 1] = j .. '.' .. idx[x] .. '|' .. ARGV[b + 5]
        if ARGV[b + 6] == '1' then pins[#pins + 1] = idx[x]; pins[#pins + 1] = ARGV[b + 5] end
        e = err
      elseif outcome == 'sent' then
        to, tsent, opid, e = 'sent', rel, pid, ''
      else
        to, tdone, opid, e = outcome, rel, pid, err
        if outcome == 'delivered' then tsent = rel end
      end
    elseif s and pid ~= '' then  -- a delivery report came first: keep its state
      to, opid = s, pid
    end
    if to then
      change(batch, idx[x], to .. SEP .. a .. SEP .. pr .. SEP .. SEP .. tsend .. SEP .. tsent .. SEP ..
             tdone .. SEP .. opid .. SEP .. dlr .. SEP .. e, s, to)
    end
  end
  commit(batch, now)
  if #pins > 0 then redis.call('HSET', pinkey(j), unpack(pins)) end
end
if #ids > 0 then
  local bucket = K.dlr(ARGV[2], math.floor(now / 86400000))
  redis.call('HSET', bucket, unpack(ids))
  redis.call('EXPIRE', bucket, 15 * 86400)
end
if #retries > 0 then redis.call('ZADD', KEYS[2], unpack(retries)) end
if r > 0 then redis.call('ZREM', KEYS[1], unpack(ARGV, o, o + r - 1)) end
return 1
