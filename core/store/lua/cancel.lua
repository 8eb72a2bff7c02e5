-- Cancels a job and turns its not-yet-sent messages in [first, last) to 'cancelled'.
-- KEYS: job hash, due zset. ARGV: prefix, job id, first index, last index (exclusive).
-- Returns the job's state before (or 'none').
local st = redis.call('HGET', KEYS[1], 'state')
if not st then return 'none' end
if st == 'done' or st == 'rejected' then return st end
local now = now_ms()
if st ~= 'cancelled' then
  set_job_state(KEYS[1], st, 'cancelled', 'finished', now)
  redis.call('ZREM', KEYS[2], ARGV[2])
end
local idx = {}
for i = tonumber(ARGV[3]), tonumber(ARGV[4]) - 1 do idx[#idx + 1] = tostring(i) end
if #idx == 0 then return st end
local states = ms_get(ARGV[2], idx)
local rel = tostring(now - epoch(ARGV[2]))
local batch = changes(ARGV[2])
for x, index in ipairs(idx) do
  local f = split_progress(states[x])
  if f[S_S] == 'queued' then
    f[S_S], f[S_TDONE] = 'cancelled', rel
    change(batch, index, pack(f), 'queued', 'cancelled')
  end
end
commit(batch, now)
return st
