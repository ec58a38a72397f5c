import HeadroomRedis

extension RedisScript {
    /// Renews one instance's leases on several deployments at once, atomically: the rules of
    /// ``HeadroomCore/ShareLeases`` applied to the record Redis keeps for each deployment.
    ///
    /// KEYS: one hash a deployment. ARGV: the instance, the instances expected, the lease and the
    /// window in milliseconds, the time in milliseconds (empty: Redis's own clock), then four a
    /// deployment: the share held now, what its windows hold (both in millionths), whether work
    /// waits (1 or 0), and how many milliseconds more a provider told it to hold back (0: none; a
    /// duration, as instances' clocks differ). Answers the time used, then for each deployment the
    /// share granted and until when (by that time) all hold back.
    ///
    /// Each hash holds `started` (the first renewal it saw), `held`, and `h:NAME` =
    /// "share occupancy wants expiresAt" for each instance; it expires when all have gone silent
    /// for a lease, a window and a minute.
    static let shareLeases = RedisScript(#"""
    local instance = ARGV[1]
    local expected = math.max(1, tonumber(ARGV[2]))
    local lease = tonumber(ARGV[3])
    local window = tonumber(ARGV[4])
    local now
    if ARGV[5] ~= '' then
      now = tonumber(ARGV[5])
    else
      local time = redis.call('TIME')
      now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
    end
    local whole = 1000000
    local equal = math.floor(whole / expected)
    local margin = math.floor(equal / 10)
    local function asking(wants, occupancy)
      if wants then return whole end
      return math.min(whole, occupancy + math.max(margin, math.floor(occupancy / 4)))
    end
    local result = {now}
    for k = 1, #KEYS do
      local key = KEYS[k]
      local base = 5 + (k - 1) * 4
      local current = math.max(0, math.min(whole, tonumber(ARGV[base + 1])))
      local occupancy = math.max(0, math.min(whole, tonumber(ARGV[base + 2])))
      local wants = ARGV[base + 3] == '1'
      local hold = 0
      if tonumber(ARGV[base + 4]) > 0 then hold = now + tonumber(ARGV[base + 4]) end
      local fields = redis.call('HGETALL', key)
      local started, held, holders = nil, 0, {}
      for i = 1, #fields, 2 do
        local name, value = fields[i], fields[i + 1]
        if name == 'started' then
          started = tonumber(value)
        elseif name == 'held' then
          held = tonumber(value)
        elseif string.sub(name, 1, 2) == 'h:' then
          local s, o, w, e = string.match(value, '^(%d+) (%d+) ([01]) (%d+)$')
          if s then holders[string.sub(name, 3)] = {tonumber(s), tonumber(o), w == '1', tonumber(e)} end
        end
      end
      if not started then
        started = now
        redis.call('HSET', key, 'started', string.format('%d', now))
      end
      if hold > held then
        held = hold
        redis.call('HSET', key, 'held', string.format('%d', held))
      end
      for name, holder in pairs(holders) do
        if name ~= instance and now >= holder[4] + window then
          holders[name] = nil
          redis.call('HDEL', key, 'h:' .. name)
        end
      end
      local me = holders[instance] or {0, 0, false, now}
      me[1] = math.max(me[1], current)
      me[2] = occupancy
      me[3] = wants
      me[4] = now + lease
      holders[instance] = me
      local count, demands, others = 0, {}, 0
      for name, holder in pairs(holders) do
        count = count + 1
        if holder[4] > now then
          table.insert(demands, asking(holder[3], holder[2]))
        end
        if name ~= instance then others = others + math.max(holder[1], holder[2]) end
      end
      local starting = now < started + lease + window
      local unknown = 0
      if starting then unknown = math.max(0, expected - count) * equal end
      others = others + unknown
      table.sort(demands)
      local remaining, left, level = math.max(0, whole - unknown), #demands, nil
      for _, demand in ipairs(demands) do
        local share = math.floor(remaining / left)
        if demand > share then
          level = share
          break
        end
        remaining = remaining - demand
        left = left - 1
      end
      local asked = asking(wants, occupancy)
      local granted = math.min(asked, math.max(0, whole - others))
      if level then granted = math.min(granted, level) end
      if starting then granted = math.min(granted, math.max(current, equal)) end
      local flag = 0
      if wants then flag = 1 end
      redis.call('HSET', key, 'h:' .. instance, string.format('%d %d %d %d', granted, occupancy, flag, me[4]))
      redis.call('PEXPIRE', key, lease + window + 60000)
      table.insert(result, granted)
      table.insert(result, held)
    end
    return result
    """#)
}
