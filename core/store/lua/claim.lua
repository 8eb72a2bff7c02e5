-- Claims a due job for expansion, under a lease.
-- KEYS: due zset, owner hash. ARGV: prefix, lease ms, instance.
-- Returns {job, cursor, spec} for a claimed job, {'', next_due_ms|''} when none is due,
-- {'', 'again'} after dropping a job that no longer needs expanding.
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
if st ~= 'expanding' then set_job_state(job, st, 'expanding', 'started', now) end
return {j, redis.call('HGET', job, 'expanded'), redis.call('HGET', job, 'spec')}
