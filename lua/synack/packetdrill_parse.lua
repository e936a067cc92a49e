-- The parser of packetdrill scripts (see synack.packetdrill, which runs
-- them).  parse(text, name) returns
--
--   { name =, options = { {name =, value =, line =}, ... },
--     events = { event, ... } }
--
-- where every event has a line, a time and a type:
--
--   time = {kind = "abs" | "rel" | "any", t =, t_end = (a range a~b)}
--   {type = "packet", dir = "<" | ">", flags = "SA" (letters as the
--    endpoint's hook gives them), seq =, len =, ack = (nil: absent),
--    win = (nil), options = nil (not checked) | "any" (<...>) | list,
--    ecn = nil (inbound Not-ECT, outbound not checked) | "noecn" |
--    "ect0" | "ect1" | "ce" | "ect01" (outbound: either ECT)}
--   {type = "syscall", name =, args = {expr...}, ret = expr, errno =,
--    end_time = (seconds: "a...b", a blocking call)}
--   {type = "command", text = (the backquoted text)}
--   {type = "code"}                         -- %{ python }%
--
-- Expressions are {k = "int", v =}, {k = "word", v =}, {k = "str", v =},
-- {k = "ellipsis"}, {k = "or", a, b}, {k = "assign", name =, value =},
-- {k = "array", items =}, {k = "struct", items =}, {k = "call", name =,
-- args =}.  Every error is raised as "NAME:LINE: message".
local tcpseg = require "synack.tcpseg"

local M = {}

local MAX_SECONDS = 1e6

-- the IP ECN field a segment may name, and its value (RFC 3168 5)
local ECN_FIELDS = { noecn = 0, ect1 = 1, ect0 = 2, ce = 3, ect01 = true }
M.ECN_FIELDS = ECN_FIELDS

local function fail(name, line, fmt, ...)
	error(("%s:%d: " .. fmt):format(name, line, ...), 0)
end

local PUNCT = {
	["("] = true, [")"] = true, ["["] = true, ["]"] = true, ["{"] = true, ["}"] = true,
	[","] = true, [":"] = true, ["="] = true, ["|"] = true, ["<"] = true, [">"] = true,
	["~"] = true, ["*"] = true, ["+"] = true, ["."] = true, ["-"] = true, [";"] = true,
}

-- The text as tokens {t = type, v = value, line = N}; types: "num"
-- (v a number; int = true when written without a point), "word", "str",
-- "cmd" (backquoted), "code", "option" (v = name, value = text or nil),
-- "..." and the punctuation characters.
local function tokenize(text, name)
	local toks, i, line, n = {}, 1, 1, #text
	local at_line_start = true
	local function push(t, v, extra)
		local tok = extra or {}
		tok.t, tok.v, tok.line = t, v, line
		toks[#toks + 1] = tok
		at_line_start = false
	end
	while i <= n do
		local c = text:sub(i, i)
		if c == "\n" then
			line, i, at_line_start = line + 1, i + 1, true
		elseif c:match("%s") then
			i = i + 1
		elseif text:sub(i, i + 1) == "//" then
			local e = text:find("\n", i, true) or n + 1
			i = e
		elseif text:sub(i, i + 1) == "/*" then
			local e = text:find("*/", i + 2, true)
			if not e then fail(name, line, "unterminated comment /* ... */") end
			for _ in text:sub(i, e):gmatch("\n") do line = line + 1 end
			i = e + 2
		elseif text:sub(i, i + 1) == "%{" then
			local e = text:find("}%", i + 2, true)
			if not e then fail(name, line, "unterminated code block %%{ ... }%%") end
			push("code", text:sub(i + 2, e - 1))
			for _ in text:sub(i, e):gmatch("\n") do line = line + 1 end
			i = e + 2
		elseif c == "`" then
			local e = text:find("`", i + 1, true)
			if not e then fail(name, line, "unterminated backquoted command") end
			push("cmd", text:sub(i + 1, e - 1))
			for _ in text:sub(i, e):gmatch("\n") do line = line + 1 end
			i = e + 1
		elseif c == '"' then
			local j, buf = i + 1, {}
			while true do
				local d = text:sub(j, j)
				if d == "" or d == "\n" then fail(name, line, "unterminated string") end
				if d == '"' then break end
				if d == "\\" then
					local e = text:sub(j + 1, j + 1)
					local map = { n = "\n", t = "\t", r = "\r", ["0"] = "\0", ["\\"] = "\\", ['"'] = '"' }
					if e == "x" and text:sub(j + 2, j + 3):match("^%x%x$") then
						buf[#buf + 1] = string.char(tonumber(text:sub(j + 2, j + 3), 16))
						j = j + 4
					elseif map[e] then
						buf[#buf + 1] = map[e]
						j = j + 2
					else
						fail(name, line, "unknown escape '\\%s' in a string", e)
					end
				else
					buf[#buf + 1] = d
					j = j + 1
				end
			end
			push("str", table.concat(buf))
			i = j + 1
		elseif text:sub(i, i + 1) == "--" and at_line_start and text:sub(i + 2, i + 2):match("[%a_]") then
			local opt = text:match("^%-%-([%w_%-]+)", i)
			local j = i + 2 + #opt
			local value
			if text:sub(j, j) == "=" then
				local v = text:match('^"([^"\n]*)"', j + 1)
				if v then
					j = j + 3 + #v
				else
					v = text:match("^[^%s]*", j + 1)
					j = j + 1 + #v
				end
				value = v
			end
			push("option", opt, { value = value })
			i = j
		elseif text:sub(i, i + 2) == "..." then
			push("...", "...")
			i = i + 3
		elseif text:match("^0[xX]%x", i) then
			local h = text:match("^0[xX](%x+)", i)
			local v = math.tointeger(tonumber(h, 16))
			if not v or #h > 15 then fail(name, line, "hexadecimal number 0x%s is too large", h) end
			push("num", v, { int = true, text = "0x" .. h })
			i = i + 2 + #h
		elseif c == "." and text:sub(i + 1, i + 1):match("%d") and not text:sub(i - 1, i - 1):match("[%w_]") then
			local frac = text:match("^%.(%d+)", i)
			push("num", tonumber("0." .. frac), { int = false, text = "." .. frac })
			i = i + 1 + #frac
		elseif c:match("%d") then
			local int = text:match("^%d+", i)
			local frac = text:match("^%.(%d+)", i + #int)
			local s = int .. (frac and ("." .. frac) or "")
			if text:sub(i + #s, i + #s):match("[%a_]") then
				-- a word that starts with digits (a hex blob, "1e3"...)
				local w = text:match("^[%w_]+", i)
				push("word", w)
				i = i + #w
			else
				local v = frac and tonumber(s) or math.tointeger(tonumber(int))
				if not v then fail(name, line, "number %s is too large", s) end
				push("num", v, { int = not frac, text = s })
				i = i + #s
			end
		elseif c:match("[%a_]") then
			local w = text:match("^[%w_]+", i)
			push("word", w)
			i = i + #w
		elseif PUNCT[c] then
			push(c, c)
			i = i + 1
		else
			fail(name, line, "unexpected character '%s'", c)
		end
	end
	toks[#toks + 1] = { t = "eof", v = "end of file", line = line }
	return toks
end

local FLAG_LETTERS = "SFRP.EWU"

function M.parse(text, name)
	name = name or "script"
	local toks = tokenize(text, name)
	local pos = 1
	local function peek(k) return toks[pos + (k or 0)] end
	local function nextt()
		local t = toks[pos]
		pos = pos + 1
		return t
	end
	local function desc(t)
		if t.t == "eof" then return "the end of the file" end
		if t.t == "num" then return "'" .. t.text .. "'" end
		if t.t == "str" then return '"' .. t.v .. '"' end
		if t.t == "cmd" then return "a backquoted command" end
		if t.t == "code" then return "a code block" end
		if t.t == "option" then return "'--" .. t.v .. "'" end
		return "'" .. tostring(t.v) .. "'"
	end
	local function expect(ty, what)
		local t = nextt()
		if t.t ~= ty then fail(name, t.line, "expected %s, got %s", what or ("'" .. ty .. "'"), desc(t)) end
		return t
	end
	local function integer(what, min, max)
		local t = nextt()
		if t.t ~= "num" or not t.int then fail(name, t.line, "expected %s, got %s", what, desc(t)) end
		if t.v < min or t.v > max then fail(name, t.line, "%s %s is out of range (%d to %d)", what, t.text, min, max) end
		return t.v
	end
	local script = { name = name, options = {}, events = {} }

	while peek().t == "option" do
		local t = nextt()
		script.options[#script.options + 1] = { name = t.v, value = t.value, line = t.line }
	end

	local function time_value()
		local t = nextt()
		if t.t ~= "num" then fail(name, t.line, "expected a time, got %s", desc(t)) end
		if t.v > MAX_SECONDS then fail(name, t.line, "time %s is past %g seconds", t.text, MAX_SECONDS) end
		return t.v
	end

	-- the options of a segment, after its '<'
	local function tcp_options(line)
		if peek().t == "..." then
			nextt()
			expect(">", "'>' after '<...'")
			return "any"
		end
		-- gather the words up to '>' as the text tcpseg parses
		local parts, cur = {}, {}
		while true do
			local t = nextt()
			if t.t == "eof" then fail(name, line, "options '<...' without '>'") end
			if t.t == ">" then break end
			if t.t == "," then
				parts[#parts + 1] = table.concat(cur, " ")
				cur = {}
			elseif t.t == ":" then
				cur[#cur] = (cur[#cur] or "") .. ":"
				local r = nextt()
				if r.t ~= "num" then fail(name, t.line, "expected a SACK block L:R, got %s", desc(r)) end
				cur[#cur] = cur[#cur] .. r.text
			elseif t.t == "num" then
				cur[#cur + 1] = t.text
			elseif t.t == "word" then
				cur[#cur + 1] = t.v
			else
				fail(name, t.line, "unexpected %s in TCP options", desc(t))
			end
		end
		parts[#parts + 1] = table.concat(cur, " ")
		local text = table.concat(parts, ",")
		for _, p in ipairs(parts) do
			local kind = p:match("^(%S+)")
			if kind == "md5" or kind == "FO" or kind == "FOEXP" or kind == "tfo" then
				return { unsupported = "TCP option " .. kind }
			end
		end
		local ok, list = pcall(tcpseg.parse_options, text, ("%s:%d"):format(name, line))
		if not ok then error(list, 0) end
		return list
	end

	local function packet(ev)
		ev.type = "packet"
		ev.dir = nextt().t
		-- optional "[ect0]" / "(...)" ip info: the ECN field alone
		-- (noecn, ect0, ect1, ce; ect01 outbound only: either ECT) is
		-- modelled; "PORT > PORT" is not
		if peek().t == "(" or peek().t == "[" then
			local close = peek().t == "(" and ")" or "]"
			local w, c = peek(1), peek(2)
			if w.t == "word" and ECN_FIELDS[w.v] and c.t == close then
				nextt(); nextt(); nextt()
				if w.v == "ect01" and ev.dir == "<" then
					fail(name, w.line, "[ect01] can only be used with outbound packets")
				end
				ev.ecn = w.v
			else
				ev.unsupported = "IP header fields"
				while nextt().t ~= close do
					if peek().t == "eof" then fail(name, ev.line, "unterminated IP fields") end
				end
			end
		end
		local t = peek()
		if t.t == "word" and (t.v == "udp" or t.v == "icmp" or t.v == "ipv4" or t.v == "ipv6" or
		    t.v == "gre" or t.v == "mpls") then
			fail(name, t.line, "unsupported: %s packets", t.v)
		end
		if t.t == "num" and peek(1).t == ">" then
			ev.unsupported = "explicit ports"
			nextt(); nextt(); nextt()
		end
		-- flags: WORD | '.' | WORD '.' | '-'
		local flags = ""
		t = nextt()
		if t.t == "word" then
			flags = t.v
			if peek().t == "." and peek().line == t.line then
				nextt()
				flags = flags .. "."
			end
		elseif t.t == "." then
			flags = "."
		elseif t.t ~= "-" then
			fail(name, t.line, "expected TCP flags (S, F, R, P, ., E, W, U or -), got %s", desc(t))
		end
		for ch in flags:gmatch(".") do
			if not FLAG_LETTERS:find(ch, 1, true) then
				fail(name, t.line, "unknown TCP flag '%s' in '%s'", ch, flags)
			end
		end
		ev.flag_text = flags == "" and "-" or flags
		ev.flags = tcpseg.canonical_flags(flags, ("%s:%d"):format(name, t.line))
		local names = {}
		for ch in ev.flags:gmatch(".") do names[#names + 1] = tcpseg.FLAG_NAMES[ch] end
		ev.names = table.concat(names, "+")
		local seq = integer("a sequence number", 0, 4294967295)
		expect(":", "':' in SEQ:END(LEN)")
		local e = integer("an end sequence number", 0, 4294967295)
		expect("(", "'(' in SEQ:END(LEN)")
		local len = integer("a payload length", 0, 65535)
		expect(")", "')' in SEQ:END(LEN)")
		if (seq + len) % tcpseg.WRAP ~= e then
			fail(name, ev.line, "inconsistent TCP sequence numbers and payload size: %d:%d(%d)", seq, e, len)
		end
		ev.seq, ev.len = seq, len
		while true do
			t = peek()
			if t.t == "word" and t.v == "ack" then
				nextt()
				ev.ack = integer("an ack number", 0, 4294967295)
			elseif t.t == "word" and t.v == "win" then
				nextt()
				ev.win = integer("a window", 0, 65535)
			elseif t.t == "word" and t.v == "urg" then
				nextt()
				ev.urg = integer("an urgent pointer", 0, 65535)
				ev.unsupported = ev.unsupported or "urgent pointer"
			elseif t.t == "<" then
				nextt()
				local o = tcp_options(t.line)
				if type(o) == "table" and o.unsupported then
					ev.unsupported = ev.unsupported or o.unsupported
					ev.options = "any"
				else
					ev.options = o
				end
				break
			else
				break
			end
		end
		if ev.dir == "<" and not ev.win then
			fail(name, ev.line, "window must be specified for inbound packets")
		end
	end

	local expression
	local function primary()
		local t = nextt()
		if t.t == "..." then return { k = "ellipsis" } end
		if t.t == "-" then
			local n = nextt()
			if n.t ~= "num" or not n.int then fail(name, t.line, "expected a number after '-', got %s", desc(n)) end
			return { k = "int", v = -n.v }
		end
		if t.t == "num" then
			if not t.int then return { k = "float", v = t.v } end
			return { k = "int", v = t.v }
		end
		if t.t == "str" then
			if peek().t == "..." then nextt() end
			return { k = "str", v = t.v }
		end
		if t.t == "[" or t.t == "{" then
			local close = t.t == "[" and "]" or "}"
			local items = {}
			if peek().t ~= close then
				repeat
					items[#items + 1] = expression()
				until peek().t ~= "," or not nextt()
			end
			expect(close, "'" .. close .. "'")
			return { k = t.t == "[" and "array" or "struct", items = items }
		end
		if t.t == "word" then
			if peek().t == "(" then
				nextt()
				local args = {}
				if peek().t ~= ")" then
					repeat
						args[#args + 1] = expression()
					until peek().t ~= "," or not nextt()
				end
				expect(")", "')'")
				return { k = "call", name = t.v, args = args }
			end
			if peek().t == "=" then
				nextt()
				return { k = "assign", name = t.v, value = expression() }
			end
			return { k = "word", v = t.v }
		end
		fail(name, t.line, "expected an expression, got %s", desc(t))
	end
	function expression()
		local e = primary()
		while peek().t == "|" do
			nextt()
			e = { k = "or", a = e, b = primary() }
		end
		return e
	end

	local function syscall(ev)
		ev.type = "syscall"
		local t = nextt()
		ev.name = t.v
		expect("(", "'(' after " .. t.v)
		ev.args = {}
		if peek().t ~= ")" then
			repeat
				ev.args[#ev.args + 1] = expression()
			until peek().t ~= "," or not nextt()
		end
		expect(")", "')' closing the arguments of " .. ev.name)
		expect("=", "'= RESULT' after " .. ev.name .. "(...)")
		ev.ret = expression()
		local e = peek()
		if e.t == "word" and e.line == t.line then
			nextt()
			ev.errno = e.v
		end
		if peek().t == "(" and peek().line == t.line then
			-- a note: "(Operation now in progress)"
			local depth = 0
			repeat
				local x = nextt()
				if x.t == "eof" then fail(name, ev.line, "unterminated note '(...'") end
				if x.t == "(" then depth = depth + 1 elseif x.t == ")" then depth = depth - 1 end
			until depth == 0
		end
	end

	local last_abs = 0
	while peek().t ~= "eof" do
		local t = peek()
		local ev = { line = t.line }
		-- the time
		if t.t == "*" then
			nextt()
			ev.time = { kind = "any" }
		elseif t.t == "+" then
			nextt()
			ev.time = { kind = "rel", t = time_value() }
			if peek().t == "~" then
				nextt()
				expect("+", "'+' in a relative range +a~+b")
				ev.time.t_end = time_value()
			end
		elseif t.t == "num" then
			ev.time = { kind = "abs", t = time_value() }
			if peek().t == "~" then
				nextt()
				ev.time.t_end = time_value()
			end
		elseif t.t == "option" then
			fail(name, t.line, "option '--%s' after the first event (options come first)", t.v)
		else
			fail(name, t.line, "expected a time ('0.1', '+0.1', '*' or 'a~b'), got %s", desc(t))
		end
		if ev.time.t_end and ev.time.t_end < ev.time.t then
			fail(name, ev.line, "time range %g~%g ends before it starts", ev.time.t, ev.time.t_end)
		end
		if ev.time.kind == "abs" then
			if ev.time.t < last_abs then
				fail(name, ev.line, "time %g is before the previous absolute time %g", ev.time.t, last_abs)
			end
			last_abs = ev.time.t
		end
		if peek().t == "..." then
			nextt()
			ev.end_time = time_value()
			if ev.time.kind == "any" or ev.time.t_end then
				fail(name, ev.line, "a blocking call 'a...b' needs a plain start time")
			end
			if ev.time.kind == "abs" and ev.end_time < ev.time.t then
				fail(name, ev.line, "blocking call ends (%g) before it starts (%g)", ev.end_time, ev.time.t)
			end
		end
		t = peek()
		if t.t == "<" or t.t == ">" then
			packet(ev)
		elseif t.t == "cmd" then
			nextt()
			ev.type, ev.text = "command", t.v
		elseif t.t == "code" then
			nextt()
			ev.type = "code"
		elseif t.t == "word" and peek(1).t == "(" then
			syscall(ev)
		else
			fail(name, t.line, "expected '<', '>', a system call or a `command` after the time, got %s", desc(t))
		end
		if ev.end_time and ev.type ~= "syscall" then
			fail(name, ev.line, "only a system call may block ('a...b')")
		end
		script.events[#script.events + 1] = ev
	end
	return script
end

M.tokenize = tokenize

return M
