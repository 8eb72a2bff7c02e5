-- Rejects a job at expansion (its spec or plan turned out invalid).
-- KEYS: job hash, due zset, owner hash. ARGV: prefix, job id, reason.
set_job_state(KEYS[1], redis.call('HGET', KEYS[1], 'state') or nil, 'rejected', 'reason', ARGV[3], 'finished', now_ms())
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[2])
return 1
