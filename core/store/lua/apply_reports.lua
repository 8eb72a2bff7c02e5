-- Applies the delivery reports of one or more webhook requests.
-- ARGV: prefix, provider, n, then n reports of 4 values: ref ('' when the provider names
-- the message by its own id), provider id, state (delivered|failed), error.
-- A provider id is looked up in the provider's id maps (dlr:<provider>:<day>), newest day
-- first, back 15 days. Reports only move a message forward: a repeat, or one for a message
-- already final, is a no-op. A report changes only a message that was handed to this
-- provider (its current one, or one in via:<job>). Returns each report's effect as a
-- letter, all in one string: a(pplied), d(uplicate), u(nknown: no such message or id) or
-- f(oreign: a message this provider was never given, ignored); then the ref found for each
-- report that named its message by the provider's id ('' when none), in their order.
-- The reports of one job are read and written together: one read and one write per
-- progress bucket, one move of the job's counters.
local now = now_ms()
local day = math.floor(now / 86400000)
local provider = ARGV[2]
local maps = P .. ':dlr:' .. provider .. ':'
local function ref_of(pid)
  for d = day, day - 15, -1 do
    local ref = redis.call('HGET', maps .. d, pid)
    if ref then return ref end
  end
end
-- A progress as a report reads it (six captures, not ten: this runs for every report):
-- state, attempts, provider, taken_at..sent_at, provider_id, error; the lease, done_at
-- and report_at are the fields a report rewrites.
local REPORTED = '^([^\31]*)\31([^\31]*)\31([^\31]*)\31[^\31]*\31([^\31]*\31[^\31]*)\31[^\31]*\31([^\31]*)\31[^\31]*\31(.*)$'
local n = tonumber(ARGV[3])
local codes, found, jobs, order = {}, {''}, {}, {}
-- Each report's ref, and the reports grouped by job, in the order jobs first appear.
for x = 0, n - 1 do
  local b = 4 + 4 * x
  local ref = ARGV[b]
  if ref == '' then
    ref = ref_of(ARGV[b + 1]) or ''
    found[#found + 1] = ref
  end
  codes[x + 1] = 'u'
  local j, index = parse_ref(ref)
  if j then
    local g = jobs[j]
    if not g then g = {idx = {}, at = {}}; jobs[j] = g; order[#order + 1] = j end
    g.idx[#g.idx + 1] = index
    g.at[#g.at + 1] = x
  end
end
for _, j in ipairs(order) do
  local g = jobs[j]
  local st = ms_get(j, g.idx)
  local cur = {}  -- the progress as this script leaves it (a message may be reported twice)
  for k, index in ipairs(g.idx) do
    if cur[index] == nil then cur[index] = st[k] or false end
  end
  local rel = tostring(now - epoch(j))
  local batch = changes(j)
  for k, index in ipairs(g.idx) do
    local x = g.at[k]
    local v = cur[index]
    local result = 'u'
    local s, a, pr, times, pid, err
    if v then s, a, pr, times, pid, err = string.match(v, REPORTED) end
    if s then
      local mine = pr == provider
      if not mine then
        local via = redis.call('HGET', viakey(j), index)
        mine = via and string.find(',' .. via .. ',', ',' .. provider .. ',', 1, true)
      end
      if not mine then
        result = 'f'
      elseif s ~= 'sent' and s ~= 'sending' and s ~= 'unknown' then
        result = 'd'
      else
        local b = 4 + 4 * x
        local state = ARGV[b + 2]
        if state == 'failed' then err = ARGV[b + 3] end
        -- state, attempts, provider, lease (none), taken_at, sent_at, done_at, provider_id,
        -- report_at, error
        cur[index] = state .. SEP .. a .. SEP .. pr .. SEP .. SEP .. times .. SEP .. rel .. SEP .. pid .. SEP .. rel .. SEP .. err
        change(batch, index, cur[index], s, state)
        result = 'a'
      end
    end
    codes[x + 1] = result
  end
  commit(batch, now)
end
found[1] = table.concat(codes)
return found
