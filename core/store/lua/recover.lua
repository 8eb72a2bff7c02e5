-- Settles leases that ran out, or (at start-up) that this instance held before it died:
-- their requests may or may not have reached the provider, so their messages still
-- 'sending' under that lease become 'unknown'.
-- KEYS: inflight zset. ARGV: prefix, instance, at start-up (1/0). Returns how many.
local now = now_ms()
local startup = ARGV[3] == '1'
local leases = redis.call('ZRANGE', KEYS[1], 0, 999, 'WITHSCORES')
local fixed = 0
for i = 1, #leases, 2 do
  local lease, deadline = leases[i], tonumber(leases[i + 1])
  local j, list, _, tag, owner = string.match(lease, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|(.*)$')
  if deadline <= now or (startup and owner == ARGV[2]) then
    redis.call('ZREM', KEYS[1], lease)
    if j then
      local idx = {}
      for index in string.gmatch(list, '%d+') do idx[#idx + 1] = index end
      local st = ms_get(j, idx)
      local rel = tostring(now - epoch(j))
      local batch = changes(j)
      for x, index in ipairs(idx) do
        local f = split_progress(st[x])
        if f[S_S] == 'sending' and f[S_L] == tag then
          f[S_S], f[S_L], f[S_TDONE] = 'unknown', '', rel
          f[S_E] = 'gateway stopped while the request was in flight; not re-sent (see loa retry --unknown)'
          change(batch, index, pack(f), 'sending', 'unknown')
        end
      end
      fixed = fixed + commit(batch, now)
    end
  elseif not startup then
    break
  end
end
return fixed
