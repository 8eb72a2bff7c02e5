-- Retention's cut of the audit trail, recorded in the chain itself: drops the entries up
-- to and including the last one older than a cutoff, makes its hash the base the first
-- kept entry follows, and appends an 'audit-trim' entry naming that base, so that
-- `loa audit --verify` can tell this cut from anyone else's (audit_store.h).
-- KEYS: the audit stream, its base key, its head key. ARGV: prefix, cutoff ms, the id of
-- the last entry to drop, the head the new entry follows, the new entry's hash, then its
-- field/value pairs.
-- Returns how many entries were dropped, or false when the trail moved since it was read
-- (an entry appended, another cut): read it again.
local last = redis.call('XREVRANGE', KEYS[1], '(' .. ARGV[2] .. '-0', '-', 'COUNT', 1)
if #last == 0 or last[1][1] ~= ARGV[3] then return false end
if (redis.call('GET', KEYS[3]) or '') ~= ARGV[4] then return false end
local fields = last[1][2]
local base = nil
for i = 1, #fields, 2 do
  if fields[i] == 'hash' then base = fields[i + 1] end
end
if not base then return redis.error_reply('audit entry ' .. ARGV[3] .. ' has no hash') end
redis.call('SET', KEYS[2], base)
local n = redis.call('XTRIM', KEYS[1], 'MINID', ARGV[2] .. '-0')
local entry = {}
for i = 6, #ARGV do entry[#entry + 1] = ARGV[i] end
redis.call('XADD', KEYS[1], '*', unpack(entry))
redis.call('SET', KEYS[3], ARGV[5])
return n
