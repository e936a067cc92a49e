-- rec:packetdrill(path, {connection =, side =}): a recorded connection as
-- a packetdrill script seen from one side, the endpoint under test (see
-- README.md, "packetdrill").  lua/lrecord.c gathers the connection's
-- segments (with their options) and the side's endpoint parameters and
-- calls M.write; M.text builds the script from the same table.
--
-- Its segments are '>' lines at the times they left it, the other side's
-- '<' lines at the times they arrived (segments lost on the way are left
-- out); sequence numbers are relative as packetdrill writes them (the
-- side's own from its ISN, the other side's from its SYN).  The calls
-- are inferred: socket/fcntl/connect for the side that sent the SYN,
-- socket/bind/listen and accept after the handshake for the side that
-- answered it; a write of the new bytes just before each segment that
-- first sends them; close (or shutdown(SHUT_WR) when data arrives after
-- our FIN and is not reset) just before the FIN.  No reads: the script starts with
-- --synack_autoread, synack's own option, and the runner's endpoint reads
-- every byte on arrival as the recorded application did, so its windows
-- and ACKs (Linux's quick-ACK count depends on the unread bytes) are the
-- original's.
local tcpseg = require "synack.tcpseg"

local M = {}

local WRAP = tcpseg.WRAP

local function u32(v) return v % WRAP end

-- "SYN,ACK" -> packetdrill's letters ("S."), the ACK dot last
local LETTER = { SYN = "S", FIN = "F", RST = "R", PSH = "P", URG = "U", ECE = "E", CWR = "W" }

local function pd_flags(names)
	local out, ack = "", false
	for n in names:gmatch("[^,]+") do
		if n == "ACK" then ack = true elseif LETTER[n] then out = out .. LETTER[n] end
	end
	if ack then out = out .. "." end
	return out == "" and "-" or out
end

local function has(names, flag)
	return (("," .. names .. ","):find("," .. flag .. ",", 1, true)) ~= nil
end

-- The option bytes as packetdrill writes them, nops kept, SACK blocks
-- less base.
local function options_text(raw, base)
	if raw == "" then return nil end
	local parts, i = {}, 1
	while i <= #raw do
		local kind = raw:byte(i)
		if kind == 0 then
			parts[#parts + 1] = "eol"
			break
		elseif kind == 1 then
			parts[#parts + 1] = "nop"
			i = i + 1
		else
			local len = raw:byte(i + 1)
			if not len or len < 2 or i + len - 1 > #raw then return nil, "malformed options" end
			local one = tcpseg.decode_options(raw:sub(i, i + len - 1))
			local o = one and one[1]
			if not o or o.kind:match("^kind") or o.kind == "tfo" then
				return nil, ("option kind %d"):format(kind)
			end
			if o.kind == "sack" then
				for _, b in ipairs(o.blocks) do b[1], b[2] = u32(b[1] - base), u32(b[2] - base) end
			end
			parts[#parts + 1] = tcpseg.option_text(o)
			i = i + len
		end
	end
	return "<" .. table.concat(parts, ",") .. ">"
end

-- "4MiB", "1460B", "64KiB" -> bytes
local UNITS = { B = 1, KiB = 1024, MiB = 1024 ^ 2, GiB = 1024 ^ 3, kB = 1000, MB = 1e6, GB = 1e9 }
local function bytes(v)
	local n, u = tostring(v or ""):match("^([%d%.]+)%s*(%a*)$")
	if not n then return nil end
	local m = UNITS[u == "" and "B" or u]
	return m and math.floor(tonumber(n) * m + 0.5)
end

local function fail(fmt, ...)
	error("packetdrill: " .. fmt:format(...), 0)
end

-- The header: what the side was, and what the script assumes.
local function header(d, lines, notes)
	local side = d.side == 0 and "client" or "server"
	local me = d.side == 0 and d.client or d.server
	local node = d.side == 0 and d.client_node or d.server_node
	lines[#lines + 1] = ("// Connection %d (%s -> %s) seen from its %s %s%s, exported by"):format(
		d.index, d.client, d.server, side, me, node ~= "" and (" (node " .. node .. ")") or "")
	lines[#lines + 1] = "// rec:packetdrill.  '>': what it sent (expected), '<': what reached it"
	lines[#lines + 1] = "// (injected); times from the connection's first segment."
	local function plugin(kind, t)
		if not t or not t.name then return end
		local set = {}
		for k, v in pairs(t.params or {}) do set[#set + 1] = k .. "=" .. v end
		table.sort(set)
		lines[#lines + 1] = ("// %s/%s: %s"):format(kind, t.name, table.concat(set, " "))
	end
	if d.sm then
		plugin("tcp", d.sm)
		plugin("timers", d.timers)
		plugin("cc", d.cc)
	else
		lines[#lines + 1] = "// (the side's node has no TCP endpoint: its parameters are unknown)"
	end
	for _, n in ipairs(notes) do lines[#lines + 1] = "// " .. n end
end

-- The sysctls the runner maps that carry the side's parameters, and the
-- notes on those it cannot.
local SM_SYSCTL = {
	timestamps = "net.ipv4.tcp_timestamps", sack = "net.ipv4.tcp_sack",
	window_scaling = "net.ipv4.tcp_window_scaling",
}
local TIMER_SYSCTL = {
	syn_retries = "net.ipv4.tcp_syn_retries", synack_retries = "net.ipv4.tcp_synack_retries",
	data_retries = "net.ipv4.tcp_retries2",
}

local function settings(d, notes)
	local cmd = {}
	if not d.sm then return nil end
	local p, def = d.sm.params or {}, d.sm.defaults or {}
	for _, k in ipairs({ "timestamps", "sack", "window_scaling" }) do
		if p[k] then cmd[#cmd + 1] = ("%s=%d"):format(SM_SYSCTL[k], p[k] == "true" and 1 or 0) end
	end
	for _, k in ipairs({ "rcvbuf", "sndbuf" }) do
		local b = bytes(p[k])
		if b then
			cmd[#cmd + 1] = ('net.ipv4.tcp_%s="4096 %d %d"'):format(k == "rcvbuf" and "rmem" or "wmem", b, b)
		end
	end
	local tp, tdef = d.timers and d.timers.params or {}, d.timers and d.timers.defaults or {}
	for _, k in ipairs({ "syn_retries", "synack_retries", "data_retries" }) do
		if tp[k] and tp[k]:match("^%d+$") then cmd[#cmd + 1] = ("%s=%s"):format(TIMER_SYSCTL[k], tp[k]) end
	end
	-- what no sysctl carries: the runner's --set (opts.set)
	local set = {}
	local function differs(params, defaults, skip)
		for k, v in pairs(params) do
			if not skip[k] and defaults[k] and bytes(defaults[k]) ~= bytes(v) and defaults[k] ~= v then
				set[#set + 1] = k .. "=" .. v
			end
		end
	end
	differs(p, def, { timestamps = true, sack = true, window_scaling = true, rcvbuf = true, sndbuf = true })
	differs(tp, tdef, { syn_retries = true, synack_retries = true, data_retries = true })
	table.sort(set)
	local tname = d.timers and d.timers.name or "?"
	notes[#notes + 1] = ("Run it with the timer profile %s: synack packetdrill --timers %s%s FILE"):format(
		tname, tname, #set > 0 and (" --set " .. table.concat(set, " --set ")) or "")
	if d.cc and d.cc.name and d.cc.name ~= "newreno" then
		if d.cc.name == "cubic" then
			cmd[#cmd + 1] = "net.ipv4.tcp_congestion_control=cubic"
		else
			notes[#notes + 1] = ("The congestion control was cc/%s, which no sysctl selects"):format(d.cc.name)
		end
	end
	return "`sysctl -q " .. table.concat(cmd, " ") .. "`"
end

-- The script's text for the table lrecord.c builds.
function M.text(d)
	local me, peer = d.side, 1 - d.side
	local segs = d.segments
	-- the connection's SYN, sent by the client
	local syn
	for _, s in ipairs(segs) do
		if s.dir == 0 and has(s.flags, "SYN") and not has(s.flags, "ACK") then
			syn = s
			break
		end
	end
	if not syn or not d.client_syn or segs[1] ~= syn then
		fail("connection %d has no SYN in the recording (it began before sim:record(), or the recording was cut)",
			d.index)
	end
	local t0 = syn.sent
	local function isn_of(s)
		if (s == 0 and d.client_syn) or (s == 1 and d.server_syn) then
			return s == 0 and d.client_isn or d.server_isn
		end
		return 0
	end
	local my_isn, peer_isn = isn_of(me), isn_of(peer)
	local active = me == 0
	local has_record = me == 0 and d.client_record or me == 1 and d.server_record
	local listen_fd, fd = 3, active and 3 or 4
	local notes = {}

	-- the segments it sent and those that reached it, in time order; at
	-- one instant in the order they left (none is caused by a later one)
	local base = {}
	local lost, refused = 0, 0
	local bounds, max_end = {}, 1
	for i, s in ipairs(segs) do
		if s.dir == me and not s.copy then
			base[#base + 1] = { t = s.sent, i = i, s = s, out = true }
			local stop = u32(s.seq - my_isn) + s.len
			if s.len > 0 and not has(s.flags, "SYN") then
				if stop > max_end then max_end = stop end
				-- the application's writes end where a segment
				-- empties the send queue (PSH) or the FIN follows
				if has(s.flags, "PSH") or has(s.flags, "FIN") then bounds[#bounds + 1] = stop end
			end
		elseif s.dir ~= me then
			if s.arrived and not s.at_receiver then
				base[#base + 1] = { t = s.arrived, i = i, s = s }
			elseif s.dropped and s.at_receiver then
				refused = refused + 1
			elseif s.dropped then
				lost = lost + 1
			end
		end
	end
	table.sort(base, function(a, b)
		if a.t ~= b.t then return a.t < b.t end
		return a.i < b.i
	end)
	table.sort(bounds)

	local ev = {}
	local function add(t, key, sub, text) ev[#ev + 1] = { t = t, key = key, sub = sub, text = text } end
	local snd_max, written = 1, 1
	local fin_out, fin_in, accepted, synack_sent = nil, nil, false, false
	for _, b in ipairs(base) do
		local s, i, out = b.s, b.i, b.out
		local base_seq, base_ack = out and my_isn or peer_isn, out and peer_isn or my_isn
		local syn_f = has(s.flags, "SYN")
		local rel = syn_f and 0 or u32(s.seq - base_seq)
		local line = ("%s %s %d:%d(%d)"):format(out and ">" or "<", pd_flags(s.flags), rel, u32(rel + s.len), s.len)
		if has(s.flags, "ACK") then line = line .. " ack " .. u32(s.ack - base_ack) end
		line = line .. " win " .. s.win
		local o, why = options_text(s.options, out and peer_isn or my_isn)
		if why then fail("connection %d: segment %d has an %s the script cannot write", d.index, i, why) end
		if o then line = line .. " " .. o end
		if out then
			local stop = rel + s.len
			if s.len > 0 and not syn_f and stop > written then
				local upto = max_end
				for _, e in ipairs(bounds) do
					if e >= stop then upto = e; break end
				end
				add(b.t, i, 1, ("write(%d, ..., %d) = %d"):format(fd, upto - written, upto - written))
				written = upto
			end
			if stop > snd_max then snd_max = stop end
			if has(s.flags, "FIN") and not fin_out then fin_out = { t = s.sent, i = i } end
			-- data after our FIN answered by a reset: the original
			-- closed (Linux resets data reaching a closed socket)
			if has(s.flags, "RST") and fin_out and fin_out.data_after then fin_out.reset = true end
			if syn_f and has(s.flags, "ACK") then synack_sent = true end
			add(b.t, i, 3, line)
		else
			add(b.t, i, 2, line)
			-- the handshake's last ACK: the listener's accept
			if not active and has_record and synack_sent and not accepted and
			   has(s.flags, "ACK") and not syn_f and not has(s.flags, "RST") then
				accepted = true
				add(b.t, i, 2.5, ("accept(%d, ..., ...) = %d"):format(listen_fd, fd))
			end
			-- data after our FIN: we only shut down sending (unless
			-- we reset it, above)
			if s.len > 0 and not syn_f and fin_out then fin_out.data_after = true end
			if has(s.flags, "FIN") and not fin_in then fin_in = b end
		end
	end
	if fin_out and fin_in and fin_in.t == fin_out.t and fin_in.i < fin_out.i then
		notes[#notes + 1] = "Its FIN left as the other side's FIN arrived (a close in the application's"
		notes[#notes + 1] = "callback): the script's endpoint acknowledges that FIN before close() runs,"
		notes[#notes + 1] = "so the run back sees an ACK where the original sent FIN and ACK together."
	end
	if fin_out then
		add(fin_out.t, fin_out.i, 2.9, fin_out.data_after and not fin_out.reset and ("shutdown(%d, SHUT_WR) = 0"):format(fd) or
			("close(%d) = 0"):format(fd))
	end
	table.sort(ev, function(a, b)
		if a.t ~= b.t then return a.t < b.t end
		if a.key ~= b.key then return a.key < b.key end
		return a.sub < b.sub
	end)
	if lost > 0 then
		notes[#notes + 1] = ("%d segment(s) of the other side were lost on the way: not injected"):format(lost)
	end
	if refused > 0 then
		notes[#notes + 1] = ("%d segment(s) of the other side reached it corrupted and were dropped: not injected"):format(refused)
	end
	notes[#notes + 1] = "The writes are inferred from the segments (the bytes each sends first);"
	notes[#notes + 1] = "per-connection settings (conn:set) are not recorded.  --synack_autoread"
	notes[#notes + 1] = "(synack's own option: real packetdrill refuses the script) makes the"
	notes[#notes + 1] = "endpoint read every byte on arrival, as the original application did, so"
	notes[#notes + 1] = "there are no read() calls and the windows are the original's."
	local lines = {}
	local sysctl = settings(d, notes)
	header(d, lines, notes)
	lines[#lines + 1] = "--synack_autoread"
	local function at(t) return ("%.6f"):format(t - t0) end
	if sysctl then lines[#lines + 1] = at(t0) .. " " .. sysctl end
	if active then
		lines[#lines + 1] = at(t0) .. " socket(..., SOCK_STREAM, IPPROTO_TCP) = 3"
		lines[#lines + 1] = at(t0) .. " fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0"
		lines[#lines + 1] = at(t0) .. " connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)"
	elseif has_record then
		lines[#lines + 1] = at(t0) .. " socket(..., SOCK_STREAM, IPPROTO_TCP) = 3"
		lines[#lines + 1] = at(t0) .. " setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0"
		lines[#lines + 1] = at(t0) .. " bind(3, ..., ...) = 0"
		lines[#lines + 1] = at(t0) .. " listen(3, 1) = 0"
	end
	for _, e in ipairs(ev) do
		lines[#lines + 1] = at(e.t) .. " " .. e.text
	end
	return table.concat(lines, "\n") .. "\n"
end

-- Writes the script to path; every write and the close are checked.
function M.write(path, d)
	local text = M.text(d)
	local f, err = io.open(path, "w")
	if not f then fail("cannot write %s: %s", path, tostring(err)) end
	local ok, werr = f:write(text)
	if not ok then
		f:close()
		fail("cannot write %s: %s", path, tostring(werr))
	end
	local cok, cerr = f:close()
	if not cok then fail("cannot write %s: %s", path, tostring(cerr)) end
end

return M
