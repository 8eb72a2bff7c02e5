-- Writes a chunk of expanded messages if the job's cursor is still where the expander
-- read it, and puts the queued ones on their providers' lanes.
-- KEYS: job hash, due zset. ARGV: prefix, job id, expected cursor, new cursor, lease ms,
-- d (data chunks), n (messages), c (states counted), l (lanes), then d pairs (chunk,
-- packed chunk), n pairs (index, packed progress), c pairs (state, count), and per lane:
-- provider, k, k indexes. Laid out so that each write is one command over a range of ARGV.
-- Returns 1, or 0 when the cursor moved (another expander took over).
local job = KEYS[1]
local j = ARGV[2]
if redis.call('HGET', job, 'expanded') ~= ARGV[3] then return 0 end
local cancelled = redis.call('HGET', job, 'state') == 'cancelled'
local now = now_ms()
redis.call('HSETNX', job, 'epoch', now)
local d, n, c, l = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local batch = changes(j)
local o = 10
if d > 0 then redis.call('HSET', mdkey(j), unpack(ARGV, o, o + 2 * d - 1)) end
o = o + 2 * d
if n > 0 then
  if not cancelled then
    local progress = {}
    for k = o, o + 2 * n - 1 do progress[#progress + 1] = ARGV[k] end
    ms_set(j, progress)
  else  -- cancelled while expanding: what would have been queued is cancelled
    for k = o, o + 2 * n - 1, 2 do
      local f = split_progress(ARGV[k + 1])
      if f[S_S] == 'queued' then f[S_S] = 'cancelled' end
      change(batch, ARGV[k], pack(f), f[S_S], f[S_S])
    end
  end
  o = o + 2 * n
end
for k = o, o + 2 * c - 1, 2 do
  local state = ARGV[k]
  if cancelled and state == 'queued' then state = 'cancelled' end
  count_new(batch, state, tonumber(ARGV[k + 1]))
end
commit(batch, now)
o = o + 2 * c
for _ = 1, l do
  local k = tonumber(ARGV[o + 1])
  if not cancelled and k > 0 then enqueue(ARGV[o], j, ARGV, o + 2, o + 1 + k) end
  o = o + 2 + k
end
redis.call('HSET', job, 'expanded', ARGV[4])
redis.call('HINCRBY', job, 'total', n)
if not cancelled then redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[5]), j) end
return 1
