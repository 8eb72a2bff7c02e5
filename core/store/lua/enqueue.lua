-- Adds a job to the stream; with an idempotency key, a repeat returns the first job's id.
-- KEYS: stream, idem key (scoped to the sender: intake_store.cpp). ARGV: prefix, job json,
-- has key (1/0), key ttl seconds, the announcement's fingerprint.
-- The idem key holds "<first job id>|<its fingerprint>": the same key for a different
-- announcement is a conflict, not a repeat.
-- Returns {id, '1' when added | '0' for a repeat | 'conflict'}.
if ARGV[3] == '1' then
  local existing = redis.call('GET', KEYS[2])
  if existing then
    local first, print = string.match(existing, '^([^|]*)|?(.*)$')
    if print ~= '' and print ~= ARGV[5] then return {first, 'conflict'} end
    return {first, '0'}
  end
end
local id = redis.call('XADD', KEYS[1], '*', 'job', ARGV[2])
if ARGV[3] == '1' then redis.call('SET', KEYS[2], id .. '|' .. ARGV[5], 'EX', ARGV[4]) end
return {id, '1'}
