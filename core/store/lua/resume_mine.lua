-- Makes this instance's unfinished expansions due now (it restarted; no need to wait for
-- its lease to run out).
-- KEYS: due zset, owner hash. ARGV: prefix, instance. Returns how many.
local now = now_ms()
local all = redis.call('HGETALL', KEYS[2])
local n = 0
for i = 1, #all, 2 do
  if all[i + 1] == ARGV[2] then
    redis.call('ZADD', KEYS[1], 'XX', now, all[i])
    n = n + 1
  end
end
return n
