-- Counts the jobs in each state into <prefix>:jobstates when it is missing (a Redis that
-- held jobs before the count was kept, or a count someone deleted); a no-op otherwise.
-- From then on set_job_state keeps it. Run by each gateway at start-up.
-- KEYS: index zset. ARGV: prefix. Returns the jobs counted, -1 when the count was there.
if redis.call('EXISTS', K.jobstates()) == 1 then return -1 end
local counts = {}
for _, s in ipairs(JOB_STATES) do counts[s] = 0 end
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, j in ipairs(ids) do
  local st = redis.call('HGET', jkey(j), 'state')
  if st then counts[st] = (counts[st] or 0) + 1 end
end
local args = {}
for s, n in pairs(counts) do
  args[#args + 1] = s
  args[#args + 1] = n
end
redis.call('HSET', K.jobstates(), unpack(args))
return #ids
