-- Approves or rejects a job awaiting approval.
-- KEYS: job hash, due zset, approvals zset. ARGV: prefix, job id, 'approve' | 'reject',
-- who decides, reason (for a rejection).
-- Returns 'ok'; 'self' when the one deciding sent the job (a second person must); 'none'
-- for no such job; otherwise the job's state, which is not awaiting_approval.
local f = redis.call('HMGET', KEYS[1], 'state', 'by', 'due')
if f[1] ~= 'awaiting_approval' then
  redis.call('ZREM', KEYS[3], ARGV[2])  -- cancelled (or gone) meanwhile: nothing to decide
  return f[1] or 'none'
end
if f[2] and f[2] ~= '' and f[2] == ARGV[4] then return 'self' end
local now = now_ms()
redis.call('ZREM', KEYS[3], ARGV[2])
if ARGV[3] == 'approve' then
  local due = tonumber(f[3]) or now
  set_job_state(KEYS[1], 'awaiting_approval', due > now and 'scheduled' or 'queued', 'reason', '', 'approved_by',
                ARGV[4], 'decided', now)
  redis.call('ZADD', KEYS[2], due, ARGV[2])
else
  set_job_state(KEYS[1], 'awaiting_approval', 'rejected', 'reason', ARGV[5], 'rejected_by', ARGV[4], 'decided', now,
                'finished', now)
end
return 'ok'
