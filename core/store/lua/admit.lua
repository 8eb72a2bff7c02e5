-- Stores a job read from the stream, once (a repeat of the same id is a no-op).
-- KEYS: job hash, index zset, due zset, idem key, approvals zset.
-- ARGV: prefix, job id, spec json, state (queued|awaiting_approval|rejected), reason, due ms
--       ('' = now), has key, key ttl, wards (comma list), template, urgent (1/0), by (who sent
--       it, '' when unknown), recipients (counted for approval, '' when not).
-- A job awaiting approval joins the approvals zset (by when it arrived) instead of the due
-- one: nothing expands it until it is approved (decide.lua).
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local now = now_ms()
local state, reason = ARGV[4], ARGV[5]
if state ~= 'rejected' and ARGV[7] == '1' then
  local ok = redis.call('SET', KEYS[4], ARGV[2], 'NX', 'EX', ARGV[8])
  if not ok then
    local other = string.match(redis.call('GET', KEYS[4]) or '', '^[^|]*')  -- "<job id>|<fingerprint>"
    if other ~= ARGV[2] then state = 'rejected'; reason = 'repeat of job ' .. other .. ' (same key)' end
  end
end
local due = tonumber(ARGV[6]) or now
if state == 'queued' and due > now then state = 'scheduled' end
set_job_state(KEYS[1], nil, state, 'spec', ARGV[3], 'reason', reason, 'created', now,
              'due', due, 'wards', ARGV[9], 'template', ARGV[10], 'urgent', ARGV[11],
              'expanded', 0, 'total', 0, 'by', ARGV[12])
if ARGV[13] ~= '' then redis.call('HSET', KEYS[1], 'recipients', ARGV[13]) end
redis.call('ZADD', KEYS[2], now, ARGV[2])
if state == 'awaiting_approval' then
  redis.call('ZADD', KEYS[5], now, ARGV[2])
elseif state ~= 'rejected' then
  redis.call('ZADD', KEYS[3], due, ARGV[2])
end
return 1
