-- Drops audit entries older than a cutoff (retention.audit_days), keeping the chain
-- checkable: the hash of the last entry dropped becomes the base the first kept entry
-- follows. KEYS: the audit stream, its base key. ARGV: prefix, cutoff ms.
-- Returns how many entries were dropped.
local last = redis.call('XREVRANGE', KEYS[1], '(' .. ARGV[2] .. '-0', '-', 'COUNT', 1)
if #last == 0 then return 0 end
local fields = last[1][2]
for i = 1, #fields, 2 do
  if fields[i] == 'hash' then redis.call('SET', KEYS[2], fields[i + 1]) end
end
return redis.call('XTRIM', KEYS[1], 'MINID', ARGV[2] .. '-0')
