-- Removes an account and its token at once: the next request any gateway serves with that
-- token finds nothing. KEYS: the account hash, the account set. ARGV: prefix, name.
-- Returns 1, or 0 when there is no such account.
local token = redis.call('HGET', KEYS[1], 'token')
if not token then return 0 end
redis.call('DEL', K.token(token), KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
return 1
