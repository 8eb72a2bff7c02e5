-- Adds a job to the stream; with an idempotency key, a repeat returns the first job's id.
-- KEYS: stream, idem key. ARGV: prefix, job json, has key (1/0), key ttl seconds.
-- Returns {id, '1' when added | '0' for a repeat}.
if ARGV[3] == '1' then
  local existing = redis.call('GET', KEYS[2])
  if existing then return {existing, '0'} end
end
local id = redis.call('XADD', KEYS[1], '*', 'job', ARGV[2])
if ARGV[3] == '1' then redis.call('SET', KEYS[2], id, 'EX', ARGV[4]) end
return {id, '1'}
