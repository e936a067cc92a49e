-- TCP segments as packetdrill writes them, shared by the testers that
-- speak its notation (synack.conformance, synack.packetdrill): flag
-- letters, the options between '<' and '>' (parsed, encoded into the
-- bytes of a segment, decoded from the bytes of the endpoint's segments,
-- printed and compared).
--
--   local tcpseg = require "synack.tcpseg"
--   tcpseg.canonical_flags("S.", where)   --> "SA"
--   tcpseg.parse_options("mss 1000,sackOK", where)
--   tcpseg.encode_options(list, where), tcpseg.decode_options(raw)
local M = {}

local WRAP = 4294967296

-- packetdrill's flag letters: the hook's letter and send_raw's name.
local FLAG_BITS = { F = "F", S = "S", R = "R", P = "P", ["."] = "A", U = "U", E = "E", W = "C" }
local FLAG_NAMES = { F = "FIN", S = "SYN", R = "RST", P = "PSH", A = "ACK", U = "URG", E = "ECE", C = "CWR" }

-- "S." -> the letters as the hook reports them, in its order (FSRPAUEC).
local function canonical_flags(s, where)
  local set = {}
  for c in s:gmatch(".") do
    local f = FLAG_BITS[c]
    if not f then error(("%s: unknown flag '%s' in '%s'"):format(where, c, s), 0) end
    set[f] = true
  end
  local out = {}
  for c in ("FSRPAUEC"):gmatch(".") do
    if set[c] then out[#out + 1] = c end
  end
  return table.concat(out)
end

local function u32(s)
  local v = math.tointeger(tonumber(s))
  if v and v >= 0 and v < WRAP then return v end
end

-- "<mss 1000,sackOK>" (the text between the brackets) -> a list of
-- options {kind = "mss", value = 1000}, {kind = "sack", blocks = {...}}.
local function parse_options(text, where)
  local list = {}
  for item in (text .. ","):gmatch("([^,]*),") do
    local w = {}
    for x in item:gmatch("%S+") do w[#w + 1] = x end
    local kind = w[1]
    local function bad(msg)
      error(("%s: option '%s': %s"):format(where, item:match("^%s*(.-)%s*$"), msg), 0)
    end
    if not kind then
      if #list > 0 or text:match("%S") then bad("empty option") end
    elseif kind == "nop" or kind == "eol" or kind == "sackOK" then
      if #w ~= 1 then bad("takes no value") end
      list[#list + 1] = { kind = kind }
    elseif kind == "mss" or kind == "wscale" then
      local v = math.tointeger(tonumber(w[2]))
      local max = kind == "mss" and 65535 or 255
      if #w ~= 2 or not v or v < 0 or v > max then bad(("expected '%s N' with N from 0 to %d"):format(kind, max)) end
      list[#list + 1] = { kind = kind, value = v }
    elseif kind == "sack" then
      local blocks = {}
      for j = 2, #w do
        local l, r = w[j]:match("^(%d+):(%d+)$")
        l, r = u32(l), u32(r)
        if not l or not r then bad("expected blocks L:R") end
        blocks[#blocks + 1] = { l, r }
      end
      if #blocks == 0 or #blocks > 4 then bad("expected 1 to 4 blocks L:R") end
      list[#list + 1] = { kind = "sack", blocks = blocks }
    elseif kind == "tfo" then
      local hex = w[2] or ""
      if #w > 2 or not hex:match("^%x*$") or #hex % 2 ~= 0 or
         (#hex > 0 and (#hex < 8 or #hex > 32 or #hex % 4 ~= 0)) then
        bad("expected 'tfo' or 'tfo HEX' with a cookie of 4 to 16 bytes, an even number")
      end
      list[#list + 1] = { kind = "tfo", cookie = hex:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end) }
    elseif kind == "TS" then
      local o = { kind = "TS" }
      if #w == 5 and w[2] == "val" and w[4] == "ecr" then
        o.val, o.ecr = u32(w[3]), u32(w[5])
        if not o.val or not o.ecr then bad("expected 'TS val N ecr N'") end
      elseif #w ~= 1 then
        bad("expected 'TS' or 'TS val N ecr N'")
      end
      list[#list + 1] = o
    else
      bad("unknown option (known: mss, wscale, sackOK, sack, TS, tfo, nop, eol)")
    end
  end
  return list
end

local function be16(v) return string.char(v >> 8 & 255, v & 255) end
local function be32(v) return string.char(v >> 24 & 255, v >> 16 & 255, v >> 8 & 255, v & 255) end

-- The option bytes of a '<' line, in the order written, padded with
-- end-of-list bytes to a multiple of 4.
local function encode_options(list, where)
  local b = {}
  for _, o in ipairs(list) do
    if o.kind == "nop" then b[#b + 1] = "\1"
    elseif o.kind == "eol" then b[#b + 1] = "\0"
    elseif o.kind == "mss" then b[#b + 1] = "\2\4" .. be16(o.value)
    elseif o.kind == "wscale" then b[#b + 1] = "\3\3" .. string.char(o.value)
    elseif o.kind == "sackOK" then b[#b + 1] = "\4\2"
    elseif o.kind == "TS" then b[#b + 1] = "\8\10" .. be32(o.val or 0) .. be32(o.ecr or 0)
    elseif o.kind == "tfo" then b[#b + 1] = "\34" .. string.char(2 + #o.cookie) .. o.cookie
    elseif o.kind == "sack" then
      local s = { "\5", string.char(2 + 8 * #o.blocks) }
      for _, blk in ipairs(o.blocks) do s[#s + 1] = be32(blk[1]) .. be32(blk[2]) end
      b[#b + 1] = table.concat(s)
    end
  end
  local s = table.concat(b)
  s = s .. ("\0"):rep((4 - #s % 4) % 4)
  if #s > 40 then error(("%s: %d bytes of options; at most 40"):format(where, #s), 0) end
  return s
end

-- The endpoint's option bytes -> a list like parse_options' (no padding),
-- or nil and a reason.
local function decode_options(raw)
  local list, i = {}, 1
  local function n32(at) return raw:byte(at) << 24 | raw:byte(at + 1) << 16 | raw:byte(at + 2) << 8 | raw:byte(at + 3) end
  while i <= #raw do
    local kind = raw:byte(i)
    if kind == 0 then break end
    if kind == 1 then
      i = i + 1
    else
      local len = raw:byte(i + 1)
      if not len or len < 2 or i + len - 1 > #raw then return nil, "malformed options" end
      if kind == 2 and len == 4 then
        list[#list + 1] = { kind = "mss", value = raw:byte(i + 2) << 8 | raw:byte(i + 3) }
      elseif kind == 3 and len == 3 then
        list[#list + 1] = { kind = "wscale", value = raw:byte(i + 2) }
      elseif kind == 4 and len == 2 then
        list[#list + 1] = { kind = "sackOK" }
      elseif kind == 8 and len == 10 then
        list[#list + 1] = { kind = "TS", val = n32(i + 2), ecr = n32(i + 6) }
      elseif kind == 34 then
        list[#list + 1] = { kind = "tfo", cookie = raw:sub(i + 2, i + len - 1) }
      elseif kind == 5 and (len - 2) % 8 == 0 and len > 2 then
        local blocks = {}
        for k = 0, (len - 2) // 8 - 1 do
          blocks[#blocks + 1] = { n32(i + 2 + 8 * k), n32(i + 6 + 8 * k) }
        end
        list[#list + 1] = { kind = "sack", blocks = blocks }
      else
        list[#list + 1] = { kind = "kind" .. kind }
      end
      i = i + len
    end
  end
  return list
end

local function option_text(o)
  if o.kind == "mss" or o.kind == "wscale" then return o.kind .. " " .. o.value end
  if o.kind == "sack" then
    local t = {}
    for _, b in ipairs(o.blocks) do t[#t + 1] = b[1] .. ":" .. b[2] end
    return "sack " .. table.concat(t, " ")
  end
  if o.kind == "TS" and o.val then return ("TS val %d ecr %d"):format(o.val, o.ecr) end
  if o.kind == "tfo" and #o.cookie > 0 then
    return "tfo " .. o.cookie:gsub(".", function(ch) return ("%02x"):format(ch:byte()) end)
  end
  return o.kind
end

local function options_text(list)
  local t = {}
  for _, o in ipairs(list) do
    if o.kind ~= "nop" and o.kind ~= "eol" then t[#t + 1] = option_text(o) end
  end
  return "<" .. table.concat(t, ",") .. ">"
end

-- Whether the endpoint's options (decoded) are exactly the expected ones,
-- order and padding aside.
local function options_match(want, got)
  local function key(o)
    if o.kind == "TS" then return "TS" end
    return option_text(o)
  end
  local need = {}
  for _, o in ipairs(want) do
    if o.kind ~= "nop" and o.kind ~= "eol" then need[#need + 1] = o end
  end
  local have = {}
  for _, o in ipairs(got) do have[#have + 1] = o end
  if #need ~= #have then return false end
  for _, w in ipairs(need) do
    local found
    for j, h in ipairs(have) do
      if key(w) == key(h) and (w.kind ~= "TS" or not w.val or (w.val == h.val and w.ecr == h.ecr)) then
        found = j
        break
      end
    end
    if not found then return false end
    table.remove(have, found)
  end
  return true
end

M.WRAP = WRAP
M.FLAG_BITS = FLAG_BITS
M.FLAG_NAMES = FLAG_NAMES
M.canonical_flags = canonical_flags
M.u32 = u32
M.parse_options = parse_options
M.be16, M.be32 = be16, be32
M.encode_options = encode_options
M.decode_options = decode_options
M.option_text = option_text
M.options_text = options_text
M.options_match = options_match

return M
