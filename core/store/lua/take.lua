-- Takes up to n queued messages for a provider: marks them sending, under leases.
-- KEYS: inflight zset. ARGV: prefix, n, lease ms, instance, provider, rate per second
-- (0: none), burst, bulk allowed (1/0; 0 inside quiet hours), clock ms ('' = Redis TIME;
-- tests inject it).
-- Rate: GCRA on <prefix>:rl:<provider>, shared by every gateway on this Redis: at most
-- `burst` at once, then one per 1/rate s, so no 1-s window holds more than rate+burst-1
-- (one to spare for the jitter between here and the provider).
-- Fairness: jobs with work for this provider sit in active:<provider>:<prio> scored by
-- virtual time; each message served moves its job one step back (round-robin per
-- message across jobs and gateways). Urgent jobs (prio 1) go first.
-- Write-ahead: a message is 'sending' before its request is built, and each run of
-- messages taken from one job is held under one lease in the inflight zset: the member
-- "<job>|<i1,i2,...>|<taken at>|<tag>|<instance>", scored by its deadline. The tag (this
-- take's number, from <prefix>:takes) is also in each message's progress while it is
-- 'sending', so a lease settles only messages that are still its own.
-- Returns {'ok', '0', then per run: lease, job, k, m, then m pairs (chunk, packed chunk)
-- holding the run's data, then 2 values per message: index, attempts (with "r<round>"
-- after it for a message an operator had sent again)} or {'wait', ms}
-- when the rate limit allows nothing now.
local now = ARGV[9] ~= '' and tonumber(ARGV[9]) or now_ms()
local nows = tostring(now)
local n = tonumber(ARGV[2])
local owner, provider = ARGV[4], ARGV[5]
local rate, burst = tonumber(ARGV[6]), tonumber(ARGV[7])
local rl = K.rl(provider)
local tat, T = now, 0
if rate > 0 then
  T = 1000.0 / rate
  local tau = (burst - 1) * T  -- tolerance: at most `burst` at once
  tat = math.max(tonumber(redis.call('GET', rl) or '0'), now)
  local k = math.floor((tau + T - (tat - now)) / T)
  if k < 1 then return {'wait', tostring(math.ceil(tat - now - tau))} end
  if k < n then n = k end
end
-- A queued progress, read without splitting all ten fields (the send path's hot spot):
-- after "queued" and its separator, the attempts and the provider it was handed to last
-- (S_A, S_PR), then lease tag and taken at (S_L, S_TSEND), replaced here; the position
-- returned is where the fields after taken at begin.
local TAKE = '^([^\31]*)\31([^\31]*)\31[^\31]*\31[^\31]*\31()'
local tag = nil  -- this take's number, drawn when the first message is taken
local out = {'ok', '0'}
local deadline = now + tonumber(ARGV[3])
local taken, rounds = 0, 0
local leases = {}
local prios = ARGV[8] == '1' and {'1', '0'} or {'1'}
for _, prio in ipairs(prios) do
  local active = K.active(provider, prio)
  local vt = nil
  -- One turn: the job furthest behind in virtual time gives a run of at most 16 messages
  -- and moves back by as many, so jobs interleave in runs of 16 at the most. A job alone
  -- in its lane gives up to a progress bucket's worth at once (nobody to interleave with;
  -- each turn's fixed work, spread over more messages).
  while taken < n and rounds < 64 do
    rounds = rounds + 1
    local top = redis.call('ZRANGE', active, 0, 1, 'WITHSCORES')
    if #top == 0 then break end
    local j, score = top[1], tonumber(top[2])
    local run = #top == 2 and BUCKET or 16  -- (one member and its score: the job is alone)
    local idx = redis.call('LPOP', K.lane(provider, j), math.min(run, n - taken))
    if not idx then
      redis.call('ZREM', active, j)
    else
      vt = score + #idx
      redis.call('ZADD', active, vt, j)
      local st = ms_get(j, idx)
      local rk, pk = roundkey(j), pinkey(j)
      local rounds = redis.call('EXISTS', rk) == 1 and redis.call('HMGET', rk, unpack(idx)) or nil
      local pins = redis.call('EXISTS', pk) == 1 and redis.call('HMGET', pk, unpack(idx)) or nil
      local rel = tostring(now - epoch(j))
      tag = tag or tostring(redis.call('INCR', K.takes()))
      local batch, mine, msgs = changes(j), {}, {}
      for x, i in ipairs(idx) do
        local v = st[x]
        local a, before, rest = nil, nil, nil
        if v and string.sub(v, 1, 7) == 'queued\31' then a, before, rest = string.match(v, TAKE, 8) end
        if a then  -- a cancelled message is skipped
          a = (tonumber(a) or 0) + 1
          if before ~= '' and before ~= provider then
            local via = redis.call('HGET', viakey(j), i)
            redis.call('HSET', viakey(j), i, via and (via .. ',' .. before) or before)
          end
          change(batch, i, 'sending' .. SEP .. a .. SEP .. provider .. SEP .. tag .. SEP .. rel .. SEP .. string.sub(v, rest),
                 'queued', 'sending')
          mine[#mine + 1] = i
          msgs[#msgs + 1] = i
          local said = rounds and rounds[x] and (a .. 'r' .. rounds[x]) or a
          if pins and pins[x] then said = said .. 'p' end
          msgs[#msgs + 1] = said
        end
      end
      if #mine > 0 then
        commit(batch, now)
        local lease = j .. '|' .. table.concat(mine, ',') .. '|' .. nows .. '|' .. tag .. '|' .. owner
        leases[#leases + 1] = deadline
        leases[#leases + 1] = lease
        -- The data chunks the run's messages are in (a run is mostly consecutive).
        local order = chunks_of(mine)
        local md = redis.call('HMGET', mdkey(j), unpack(order))
        out[#out + 1] = lease; out[#out + 1] = j; out[#out + 1] = #mine; out[#out + 1] = #order
        for k, c in ipairs(order) do out[#out + 1] = c; out[#out + 1] = md[k] or '' end
        for _, v in ipairs(msgs) do out[#out + 1] = v end
        taken = taken + #mine
      end
    end
  end
  if vt then redis.call('SET', K.vt(provider, prio), vt) end
end
if #leases > 0 then redis.call('ZADD', KEYS[1], unpack(leases)) end
if rate > 0 and taken > 0 then
  redis.call('SET', rl, tostring(tat + taken * T), 'PX', math.ceil(burst * T + taken * T) + 1000)
end
return out
