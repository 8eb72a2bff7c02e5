-- Applies the delivery reports of one or more webhook requests.
-- ARGV: prefix, provider, then the reports that name their message (Loa's ref), grouped
-- by the gateway: nblocks, and per block the job, the progress bucket, k, and k reports of
-- 3 values (index as the ref wrote it, state delivered|failed, error); then those named by
-- the provider's own id: m, and m reports of 3 values (provider id, state, error).
-- A provider id is looked up in the provider's id maps (dlr:<provider>:<day>), newest day
-- first, back 15 days. Reports only move a message forward: a repeat, or one for a message
-- already final, is a no-op. A report changes only a message that was handed to this
-- provider (its current one, or one in via:<job>). Returns each report's effect as a
-- letter, all in one string in the order of ARGV: a(pplied), d(uplicate), u(nknown: no
-- such message or id) or f(oreign: a message this provider was never given, ignored); then
-- the ref found for each report named by the provider's id ('' when none), in their order.
-- A block is one read and one write of its bucket and one move of its job's counters; no
-- report is parsed or grouped here (this runs for every message a provider reports).
local now = now_ms()
local provider = ARGV[2]
local match, find = string.match, string.find
-- A progress as a report reads it: state, attempts, provider, taken_at..sent_at,
-- provider_id, error (the lease, done_at and report_at are what a report rewrites).
local REPORTED = '^([^\31]*)\31([^\31]*)\31([^\31]*)\31[^\31]*\31([^\31]*\31[^\31]*)\31[^\31]*\31([^\31]*)\31[^\31]*\31(.*)$'
local codes = {}
local rel_of = {}  -- job -> now, in ms since the job's epoch, as text

-- Applies the reports at ARGV[at], ARGV[at + 3], ... (k of them, each index, state,
-- error) to messages of job j in bucket b; their letters go to codes[first ...]. `index`:
-- the message of a block of one named by the provider's id (ARGV holds that id).
local function apply_block(j, b, at, k, first, index)
  local fields = {index}
  if not index then
    for x = 0, k - 1 do fields[x + 1] = ARGV[at + 3 * x] end
  end
  local key = mskey(j, b)
  local st = redis.call('HMGET', key, unpack(fields))
  local rel = rel_of[j]
  if not rel then rel = tostring(now - epoch(j)); rel_of[j] = rel end
  local batch = changes(j, b)
  local cur = {}  -- the progress as this block leaves it (a message may be reported twice)
  for x = 0, k - 1 do
    local index = fields[x + 1]
    local v = cur[index]
    if v == nil then v = st[x + 1] end
    local result = 'u'
    local s, a, pr, times, pid, err
    if v then s, a, pr, times, pid, err = match(v, REPORTED) end
    if s then
      local mine = pr == provider
      if not mine then
        local via = redis.call('HGET', viakey(j), index)
        mine = via and find(',' .. via .. ',', ',' .. provider .. ',', 1, true)
      end
      if not mine then
        result = 'f'
      elseif s ~= 'sent' and s ~= 'sending' and s ~= 'unknown' then
        result = 'd'
      else
        local state = ARGV[at + 3 * x + 1]
        if state == 'failed' then err = ARGV[at + 3 * x + 2] end
        -- state, attempts, provider, lease (none), taken_at, sent_at, done_at,
        -- provider_id, report_at, error
        v = state .. SEP .. a .. SEP .. pr .. SEP .. SEP .. times .. SEP .. rel .. SEP .. pid .. SEP .. rel .. SEP .. err
        change(batch, index, v, s, state)
        result = 'a'
      end
      cur[index] = v
    end
    codes[first + x] = result
  end
  commit(batch, now)
end

local at, n = 4, 0
for _ = 1, tonumber(ARGV[3]) do
  local j, b, k = ARGV[at], ARGV[at + 1], tonumber(ARGV[at + 2])
  apply_block(j, b, at + 3, k, n + 1)
  at, n = at + 3 + 3 * k, n + k
end

-- Reports by the provider's id: each looked up, then applied as a block of one.
local day = math.floor(now / 86400000)
local function ref_of(pid)
  for d = day, day - 15, -1 do
    local ref = redis.call('HGET', K.dlr(provider, d), pid)
    if ref then return ref end
  end
end
local found = {''}
local m = tonumber(ARGV[at])
at = at + 1
for x = 0, m - 1 do
  local p = at + 3 * x
  local ref = ref_of(ARGV[p]) or ''
  found[#found + 1] = ref
  local j, index = parse_ref(ref)
  n = n + 1
  if j then
    apply_block(j, bucket_of(index), p, 1, n, index)
  else
    codes[n] = 'u'
  end
end
found[1] = table.concat(codes)
return found
