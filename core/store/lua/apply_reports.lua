-- Applies the delivery reports of one webhook request.
-- ARGV: prefix, provider, n, then n reports of 4 values: ref ('' when the provider names
-- the message by its own id), provider id, state (delivered|failed), error.
-- A provider id is looked up in the provider's id maps (dlr:<provider>:<day>), newest day
-- first, back 15 days. Reports only move a message forward: a repeat, or one for a message
-- already final, is a no-op. A report changes only a message that was handed to this
-- provider (its current one, or one in via:<job>). Returns per report: 'applied',
-- 'duplicate', 'unknown' (no such message or id) or 'foreign' (a message this provider
-- was never given: ignored), and the ref ('' for an unknown id).
local now = now_ms()
local day = math.floor(now / 86400000)
local maps = P .. ':dlr:' .. ARGV[2] .. ':'
local function ref_of(pid)
  for d = day, day - 15, -1 do
    local ref = redis.call('HGET', maps .. d, pid)
    if ref then return ref end
  end
end
local function apply(ref, state, err)
  local j, index = parse_ref(ref)
  if not j then return 'unknown' end
  local v = redis.call('HGET', mskey(j, bucket_of(index)), index)
  if not v then return 'unknown' end
  local f = split_progress(v)
  if f[S_PR] ~= ARGV[2] then
    local via = redis.call('HGET', viakey(j), index)
    if not via or not string.find(',' .. via .. ',', ',' .. ARGV[2] .. ',', 1, true) then return 'foreign' end
  end
  local s = f[S_S]
  if s ~= 'sent' and s ~= 'sending' and s ~= 'unknown' then return 'duplicate' end
  local rel = tostring(now - epoch(j))
  f[S_S], f[S_L], f[S_TDONE], f[S_DLR] = state, '', rel, rel
  if state == 'failed' then f[S_E] = err end
  local batch = changes(j)
  change(batch, index, pack(f), s, state)
  commit(batch, now)
  return 'applied'
end
local out = {}
for x = 0, tonumber(ARGV[3]) - 1 do
  local b = 4 + 4 * x
  local ref = ARGV[b]
  if ref == '' then ref = ref_of(ARGV[b + 1]) or '' end
  out[#out + 1] = ref == '' and 'unknown' or apply(ref, ARGV[b + 2], ARGV[b + 3])
  out[#out + 1] = ref
end
return out
