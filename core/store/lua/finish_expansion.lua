-- Marks a job fully expanded (if the cursor is still `expected`) and releases its claim.
-- KEYS: job hash, due zset, owner hash. ARGV: prefix, job id, expected cursor.
if redis.call('HGET', KEYS[1], 'expanded') ~= ARGV[3] then return 0 end
local now = now_ms()
redis.call('HSET', KEYS[1], 'expanded_done', '1')
if redis.call('HGET', KEYS[1], 'state') == 'expanding' then set_job_state(KEYS[1], 'expanding', 'sending') end
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[2])
maybe_done(KEYS[1], now)
return 1
