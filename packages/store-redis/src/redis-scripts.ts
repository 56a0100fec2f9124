/*
 * The compare-and-set steps, as Lua scripts: Redis runs a script alone, so
 * the read and the write inside one cannot be split by another client.
 * Lease scripts answer {granted 0|1, holder|false, epoch, pttl}; the acquire
 * script adds a fifth element, 1 when the live lease is the caller's node
 * under another token (another process's). The lease hash holds holder,
 * token and epoch; a hash written before tokens has no token field, which
 * counts as token ''.
 */

/** KEYS: lease, epoch. ARGV: node, ttlMs, token. Take a free lease with a new epoch, or renew our own (same node and token). */
export const ACQUIRE_LEASE = `
local holder = redis.call('HGET', KEYS[1], 'holder')
if holder then
  local token = redis.call('HGET', KEYS[1], 'token') or ''
  if holder ~= ARGV[1] or token ~= ARGV[3] then
    local other = 0
    if holder == ARGV[1] then other = 1 end
    return {0, holder, tonumber(redis.call('HGET', KEYS[1], 'epoch')), redis.call('PTTL', KEYS[1]), other}
  end
end
local epoch
if holder then
  epoch = tonumber(redis.call('HGET', KEYS[1], 'epoch'))
else
  epoch = redis.call('INCR', KEYS[2])
  redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'token', ARGV[3], 'epoch', epoch)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, ARGV[1], epoch, redis.call('PTTL', KEYS[1]), 0}
`;

/** KEYS: lease. ARGV: node, epoch, ttlMs, token. Extend only if held by node under token at exactly epoch. */
export const RENEW_LEASE = `
local holder = redis.call('HGET', KEYS[1], 'holder')
if not holder then return {0, false, 0, -2} end
local epoch = tonumber(redis.call('HGET', KEYS[1], 'epoch'))
local token = redis.call('HGET', KEYS[1], 'token') or ''
if holder ~= ARGV[1] or token ~= ARGV[4] or epoch ~= tonumber(ARGV[2]) then
  return {0, holder, epoch, redis.call('PTTL', KEYS[1])}
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, holder, epoch, redis.call('PTTL', KEYS[1])}
`;

/** KEYS: lease. ARGV: node, epoch, token. Delete only if held by node under token at epoch; the epoch counter stays. */
export const RELEASE_LEASE = `
local holder = redis.call('HGET', KEYS[1], 'holder')
local token = redis.call('HGET', KEYS[1], 'token') or ''
if holder == ARGV[1] and token == ARGV[3] and tonumber(redis.call('HGET', KEYS[1], 'epoch')) == tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

/** KEYS: lease. One consistent view of holder, epoch and time left. */
export const READ_LEASE = `
local holder = redis.call('HGET', KEYS[1], 'holder')
if not holder then return {0, false, 0, -2} end
return {1, holder, tonumber(redis.call('HGET', KEYS[1], 'epoch')), redis.call('PTTL', KEYS[1])}
`;

/**
 * KEYS: primary, lease. ARGV: node, epoch, atWallMs, soleCopy (0/1). Write the record only
 * if node holds the live lease at epoch and no record at this epoch or
 * above is there; answers 1 (written) or 0 (refused). A
 * record whose epoch is not a number is not ours to overwrite: an error.
 */
export const RECORD_PRIMARY = `
if redis.call('HGET', KEYS[2], 'holder') ~= ARGV[1] or tonumber(redis.call('HGET', KEYS[2], 'epoch')) ~= tonumber(ARGV[2]) then
  return 0
end
local stored = redis.call('HGET', KEYS[1], 'epoch')
if stored then
  local current = tonumber(stored)
  if not current then return redis.error_reply('primary record ' .. KEYS[1] .. ' has a non-numeric epoch') end
  if current >= tonumber(ARGV[2]) then return 0 end
end
redis.call('HSET', KEYS[1], 'node', ARGV[1], 'epoch', ARGV[2], 'at_wall_ms', ARGV[3], 'sole_copy', ARGV[4])
return 1
`;

/**
 * KEYS: primary, lease. ARGV: node, epoch, soleCopy (0/1). Set sole_copy on
 * the record of node's promotion at epoch, only while node holds the live
 * lease at epoch and the record is still that promotion; answers 1 or 0.
 */
export const MARK_SOLE_COPY = `
if redis.call('HGET', KEYS[2], 'holder') ~= ARGV[1] or tonumber(redis.call('HGET', KEYS[2], 'epoch')) ~= tonumber(ARGV[2]) then
  return 0
end
if redis.call('HGET', KEYS[1], 'node') ~= ARGV[1] or tonumber(redis.call('HGET', KEYS[1], 'epoch')) ~= tonumber(ARGV[2]) then
  return 0
end
redis.call('HSET', KEYS[1], 'sole_copy', ARGV[3])
return 1
`;

/** KEYS: identity hash. ARGV: cluster id, cluster name, created at (wall ms). Set if absent; returns what is stored. */
export const INIT_IDENTITY = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'cluster_id', ARGV[1], 'cluster', ARGV[2], 'created_at_wall_ms', ARGV[3])
end
return redis.call('HMGET', KEYS[1], 'cluster_id', 'cluster', 'created_at_wall_ms')
`;

/** KEYS: member key, member index. ARGV: node, record JSON, ttlMs. */
export const HEARTBEAT = `
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
return 1
`;

/** KEYS: member index. ARGV: member key prefix. Answers a flat list node, json, pttl; forgets lapsed nodes. */
export const LIST_MEMBERS = `
local out = {}
for _, node in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[1] .. node
  local record = redis.call('GET', key)
  local pttl = redis.call('PTTL', key)
  if record and pttl > 0 then
    table.insert(out, node)
    table.insert(out, record)
    table.insert(out, pttl)
  else
    redis.call('SREM', KEYS[1], node)
  end
end
return out
`;

/**
 * KEYS: settings. ARGV: maintenance ('' keep | '0' | '1'), request action
 * ('keep' | 'set' | 'clear'), request JSON, request id. Answers HGETALL.
 */
export const UPDATE_SETTINGS = `
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'maintenance', ARGV[1]) end
if ARGV[2] == 'set' then
  redis.call('HSET', KEYS[1], 'request', ARGV[3], 'request_id', ARGV[4])
elseif ARGV[2] == 'clear' then
  redis.call('HDEL', KEYS[1], 'request', 'request_id')
end
return redis.call('HGETALL', KEYS[1])
`;

/** KEYS: settings. ARGV: request id. Clear the request only if it is still that one. */
export const COMPLETE_REQUEST = `
if redis.call('HGET', KEYS[1], 'request_id') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'request', 'request_id')
  return 1
end
return 0
`;
