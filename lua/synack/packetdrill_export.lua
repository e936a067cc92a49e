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
-- first sends them; a read of the bytes each arrival makes readable in
-- order; close (or shutdown(SHUT_WR) when data arrives after our FIN)
-- just before the FIN.
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

	-- The receive window the script's endpoint advertises: it reads only
	-- on read(), where the original read every byte on arrival; reads
	-- are placed so that none makes it send a window update of its own,
	-- and its windows are worked out as the endpoint's output does.
	local p = d.sm and d.sm.params or {}
	local rcvbuf, mss_local = bytes(p.rcvbuf), bytes(p.mss)
	local my_ws, peer_ws
	for _, s in ipairs(segs) do
		if has(s.flags, "SYN") then
			local ws = s.options:match("\3\3(.)")
			if s.dir == me and my_ws == nil then my_ws = ws and ws:byte() or false end
			if s.dir ~= me and peer_ws == nil then peer_ws = ws and ws:byte() or false end
		end
	end
	local rcv_ws = (my_ws and peer_ws) and my_ws or 0
	local model = rcvbuf and mss_local and true
	local rcv_adv, unread = nil, 0
	local rcv_nxt, ooo = 1, {}
	local function advertise()
		local maxw = 65535 << rcv_ws
		local space = math.max(rcvbuf - unread, 0)
		if space > maxw then space = maxw end
		local right = rcv_nxt + space
		local step = math.min(rcvbuf // 2, mss_local)
		if not rcv_adv or (right > rcv_adv and (right - rcv_adv >= step or rcv_adv == rcv_nxt)) then
			rcv_adv = right
		end
		local wnd = rcv_adv - rcv_nxt
		if rcv_ws > 0 then
			local unit = 1 << rcv_ws
			local mask = unit - 1
			local up = wnd > maxw - mask and maxw or (wnd + mask) & ~mask
			local cap = space > maxw - mask and maxw or (space + mask) & ~mask
			wnd = up <= cap and up or wnd & ~mask
			rcv_adv = rcv_nxt + wnd
		end
		return wnd >> rcv_ws
	end
	-- the most the script may read now without a window update
	local function readable()
		if not model or not rcv_adv then return unread end
		local before = rcv_adv - rcv_nxt
		local limit = math.min(2 * mss_local, rcvbuf // 2)
		-- after - before < limit, after = rcvbuf - (unread - k)
		local k = limit - 1 + before - rcvbuf + unread
		return math.max(0, math.min(unread, k))
	end

	local ev = {}
	local function add(t, key, sub, text) ev[#ev + 1] = { t = t, key = key, sub = sub, text = text } end
	local snd_max, written = 1, 1
	local fin_out, fin_in, accepted, synack_sent = nil, nil, false, false
	local changed = {}
	local function reads(b, sub)
		if not (active or accepted) then return end
		local n = readable()
		if n > 0 then
			unread = unread - n
			add(b.t, b.i, sub, ("read(%d, ..., %d) = %d"):format(fd, n, n))
		end
	end
	-- after an arrival the read waits for what the endpoint sends at the
	-- same instant (its ACK goes before the application runs)
	local pending
	for _, b in ipairs(base) do
		local s, i, out = b.s, b.i, b.out
		if pending and (not out or b.t > pending.t) then
			reads(pending, 2.7)
			pending = nil
		end
		local base_seq, base_ack = out and my_isn or peer_isn, out and peer_isn or my_isn
		local syn_f = has(s.flags, "SYN")
		local rel = syn_f and 0 or u32(s.seq - base_seq)
		local line = ("%s %s %d:%d(%d)"):format(out and ">" or "<", pd_flags(s.flags), rel, u32(rel + s.len), s.len)
		if has(s.flags, "ACK") then line = line .. " ack " .. u32(s.ack - base_ack) end
		local win = s.win
		if out and model and syn_f then
			rcv_adv = 1 + s.win
		elseif out and model and has(s.flags, "ACK") and not has(s.flags, "RST") then
			win = advertise()
			if win ~= s.win then changed[#changed + 1] = ("%.6f: win %d (the original %d)"):format(b.t - t0, win, s.win) end
		end
		line = line .. " win " .. win
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
			if has(s.flags, "FIN") and not fin_out then
				fin_out = { t = s.sent, i = i }
				-- bytes still unread (a read now would send a window
				-- update): shutdown, which leaves them to read after
				if unread > 0 then fin_out.shut = true end
			end
			if syn_f and has(s.flags, "ACK") then synack_sent = true end
			add(b.t, i, 3, line)
			-- a fresh window may let a read that had to wait go
			if pending or unread > 0 then
				reads(b, 3.5)
				pending = nil
			end
		else
			add(b.t, i, 2, line)
			-- the handshake's last ACK: the listener's accept
			if not active and has_record and synack_sent and not accepted and
			   has(s.flags, "ACK") and not syn_f and not has(s.flags, "RST") then
				accepted = true
				add(b.t, i, 2.5, ("accept(%d, ..., ...) = %d"):format(listen_fd, fd))
			end
			if s.len > 0 and not syn_f then
				ooo[#ooo + 1] = { rel, rel + s.len }
				local before = rcv_nxt
				local moved = true
				while moved do
					moved = false
					for k, r in ipairs(ooo) do
						if r[1] <= rcv_nxt and r[2] > rcv_nxt then rcv_nxt = r[2]; moved = true end
						if r[2] <= rcv_nxt then table.remove(ooo, k); moved = true; break end
					end
				end
				unread = unread + (rcv_nxt - before)
				-- data after our FIN: we only shut down sending
				if fin_out then fin_out.shut = true end
			end
			if has(s.flags, "FIN") and rel + s.len == rcv_nxt then
				rcv_nxt = rcv_nxt + 1
				fin_in = b
			end
			pending = b
		end
	end
	if pending then reads(pending, 2.7) end
	if fin_out and fin_in and fin_in.t == fin_out.t and fin_in.i < fin_out.i then
		notes[#notes + 1] = "Its FIN left as the other side's FIN arrived (a close in the application's"
		notes[#notes + 1] = "callback): the script's endpoint acknowledges that FIN before close() runs,"
		notes[#notes + 1] = "so the run back sees an ACK where the original sent FIN and ACK together."
	end
	if fin_out then
		add(fin_out.t, fin_out.i, 2.9, fin_out.shut and ("shutdown(%d, SHUT_WR) = 0"):format(fd) or
			("close(%d) = 0"):format(fd))
	end
	table.sort(ev, function(a, b)
		if a.t ~= b.t then return a.t < b.t end
		if a.key ~= b.key then return a.key < b.key end
		return a.sub < b.sub
	end)
	if #changed > 0 then
		notes[#notes + 1] = "Windows that differ from the original's (its application read every byte on"
		notes[#notes + 1] = "arrival; the reads here wait where reading at once would send a window update):"
		for _, c in ipairs(changed) do notes[#notes + 1] = "  " .. c end
	end
	if lost > 0 then
		notes[#notes + 1] = ("%d segment(s) of the other side were lost on the way: not injected"):format(lost)
	end
	if refused > 0 then
		notes[#notes + 1] = ("%d segment(s) of the other side reached it corrupted and were dropped: not injected"):format(refused)
	end
	notes[#notes + 1] = "The writes are inferred from the segments (the bytes each sends first), the"
	notes[#notes + 1] = "reads from the arrivals (the bytes each makes readable); per-connection"
	notes[#notes + 1] = "settings (conn:set) are not recorded."
	local lines = {}
	local sysctl = settings(d, notes)
	header(d, lines, notes)
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
