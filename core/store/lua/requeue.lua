-- Puts a job's messages in one state (unknown|failed) among [first, last) back on their
-- route's first provider (an unknown one pinned to a provider, on that one), on an
-- operator's word; a failed one starts a new round
-- (round:<job>, prelude.lua) with its attempts counted afresh.
-- KEYS: job hash. ARGV: prefix, job id, state to resend, first index, last index
-- (exclusive). Returns how many, -1 for no such job, -2 for a job that cannot resend.
local st = redis.call('HGET', KEYS[1], 'state')
if not st then return -1 end
if st == 'cancelled' or st == 'rejected' then return -2 end
local j = ARGV[2]
local idx = {}
for i = tonumber(ARGV[4]), tonumber(ARGV[5]) - 1 do idx[#idx + 1] = tostring(i) end
if #idx == 0 then return 0 end
local states = ms_get(j, idx)
local data = md_get(j, idx)
local pins = redis.call('EXISTS', pinkey(j)) == 1 and redis.call('HMGET', pinkey(j), unpack(idx)) or {}
local batch, lanes = changes(j), {}
for x, index in ipairs(idx) do
  local f = split_progress(states[x])
  local route = data_route(data[x])
  if f[S_S] == ARGV[3] and route ~= '' then
    f[S_S], f[S_E] = 'queued', 'resent on an operator\'s word after ' .. ARGV[3]
    if ARGV[3] == 'failed' then
      -- A new round: its attempts counted afresh, and a new reference where the provider
      -- de-duplicates (eSMS would answer a refused RequestId's repeat with 124, "taken").
      -- An unknown message keeps its reference: the provider's de-duplication is what
      -- makes its resend safe.
      f[S_A] = '0'
      redis.call('HINCRBY', roundkey(j), index, 1)
    end
    change(batch, index, pack(f), ARGV[3], 'queued')
    -- An unknown message that may have been taken goes back where it may have gone.
    local provider = (ARGV[3] == 'unknown' and pins[x]) or string.match(route, '^[^,]+')
    local l = lanes[provider]
    if not l then l = {}; lanes[provider] = l end
    l[#l + 1] = index
  end
end
local n = commit(batch)
if n > 0 then
  for provider, l in pairs(lanes) do enqueue(provider, j, l) end
  if st == 'done' then set_job_state(KEYS[1], 'done', 'sending') end
end
return n
