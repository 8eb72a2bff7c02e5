-- Creates an account once. KEYS: the account hash, its token key, the account set.
-- ARGV: prefix, name, role, wards (comma list), token hash, created by.
-- Returns 1, or 0 when the name is taken.
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'role', ARGV[3], 'wards', ARGV[4], 'token', ARGV[5], 'created', now_ms(),
           'created_by', ARGV[6])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[2])
return 1
