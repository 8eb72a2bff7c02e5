-- Appends an entry to the audit trail if the trail still ends where the writer read it.
-- KEYS: the audit stream, its head key. ARGV: prefix, the head the entry follows ('' for
-- the first), the entry's hash, then field/value pairs.
-- Returns the entry's id, or false when another entry came first (read the head again).
local head = redis.call('GET', KEYS[2]) or ''
if head ~= ARGV[2] then return false end
local fields = {}
for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
local id = redis.call('XADD', KEYS[1], '*', unpack(fields))
redis.call('SET', KEYS[2], ARGV[3])
return id
