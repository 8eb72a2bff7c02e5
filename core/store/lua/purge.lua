-- Removes the personal data of a job that finished before a cutoff: every message's
-- number, name and text (md:<job>), its progress (ms:<job>:<bucket>, whose errors may
-- quote a number), its provider history (via:<job>), resend rounds (round:<job>) and pins (pin:<job>). The job hash keeps its counts, template,
-- wards and times, and gets 'purged' (when). KEYS: the job hash. ARGV: prefix, job id,
-- cutoff ms, '1' to only say what would go.
-- Returns the job's message count when it is (or would be) purged, -1 otherwise.
local f = redis.call('HMGET', KEYS[1], 'state', 'finished', 'purged', 'total')
if f[3] or not f[2] then return -1 end
if f[1] ~= 'done' and f[1] ~= 'cancelled' and f[1] ~= 'rejected' then return -1 end
if tonumber(f[2]) >= tonumber(ARGV[3]) then return -1 end
if ARGV[4] ~= '1' then
  redis.call('UNLINK', mdkey(ARGV[2]), viakey(ARGV[2]), roundkey(ARGV[2]), pinkey(ARGV[2]))
  local buckets = {}
  for b = 0, bucket_of(math.max(0, tonumber(f[4] or '0') - 1)) do
    buckets[#buckets + 1] = mskey(ARGV[2], b)
    if #buckets == 1000 then redis.call('UNLINK', unpack(buckets)); buckets = {} end
  end
  if #buckets > 0 then redis.call('UNLINK', unpack(buckets)) end
  redis.call('HSET', KEYS[1], 'purged', now_ms())
end
return tonumber(f[4] or '0')
