-- Moves due retries ("<ref>|<provider>") onto their provider's lanes.
-- KEYS: retry zset. ARGV: prefix. Returns how many were due.
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now_ms(), 'LIMIT', 0, 500)
for _, item in ipairs(due) do
  redis.call('ZREM', KEYS[1], item)
  local ref, provider = string.match(item, '^(.*)|(.*)$')
  local j, index = parse_ref(ref or '')
  if j and progress_of(redis.call('HGET', mskey(j, bucket_of(index)), index)) == 'queued' then enqueue(provider, j, {index}) end
end
return #due
