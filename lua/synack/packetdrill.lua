-- Runs packetdrill scripts against one synack TCP endpoint in virtual
-- time (see README.md, "packetdrill").  A fake peer node injects the
-- script's inbound segments ('<') and checks every segment the endpoint
-- sends ('>'); the script's system calls drive the endpoint's sockets.
-- Sequence numbers, acknowledgments, SACK blocks and timestamps are
-- mapped between the script and the wire as packetdrill maps them.
--
--   local pd = require "synack.packetdrill"
--   local r = pd.run_file("x.pkt", {timers = "linux", set = {rto_min = "200ms"}})
--   -- r.ok, r.unsupported, r.failures = {{line =, message =}}, r.log
local synack = require "synack"
local tcpseg = require "synack.tcpseg"
local parser = require "synack.packetdrill_parse"
local env = require "synack.packetdrill_env"
local sys = require "synack.packetdrill_sys"

local M = {}
M.parse = parser.parse

local WRAP = tcpseg.WRAP
local PEER_PORT, BIND_PORT = 40000, 8080

local function u32(v) return v % WRAP end

-- The decoded options of a segment, nop and eol kept (a list stops at
-- the first eol, padding after it aside).
local function decode_all(raw)
	local list, i = {}, 1
	while i <= #raw do
		local kind = raw:byte(i)
		if kind == 0 then
			list[#list + 1] = { kind = "eol" }
			break
		elseif kind == 1 then
			list[#list + 1] = { kind = "nop" }
			i = i + 1
		else
			local len = raw:byte(i + 1)
			if not len or len < 2 or i + len - 1 > #raw then return nil end
			local one = tcpseg.decode_options(raw:sub(i, i + len - 1))
			list[#list + 1] = one and one[1] or { kind = "kind" .. kind }
			i = i + len
		end
	end
	return list
end

local function opts_text(list)
	local t = {}
	for _, o in ipairs(list) do t[#t + 1] = tcpseg.option_text(o) end
	return "<" .. table.concat(t, ",") .. ">"
end

-- A segment in packetdrill's notation.
local function seg_text(dir, flags, seq, len, ack, win, options)
	local s = ("%s %s %d:%d(%d)"):format(dir, flags, seq, u32(seq + len), len)
	if ack then s = s .. " ack " .. ack end
	if win then s = s .. " win " .. win end
	if options == "any" then
		s = s .. " <...>"
	elseif options then
		s = s .. " " .. opts_text(options)
	end
	return s
end

-- packetdrill's letters for the hook's flags (FSRPAUEC)
local function pd_flags(f)
	local out = f:gsub("A", "."):gsub("C", "W")
	-- packetdrill writes the ACK dot last
	if out:find(".", 1, true) then out = out:gsub("%.", "") .. "." end
	return out == "" and "-" or out
end

local Run = {}
Run.__index = Run

function Run:log(fmt, ...)
	self.lines[#self.lines + 1] = (fmt):format(...)
end

function Run:fail(line, msg)
	error({ failure = true, line = line, message = msg }, 0)
end

function Run:unsupported(line, what)
	error({ unsupported = what, line = line }, 0)
end

function Run:stop_sim()
	if self.running then self.sim:stop() end
end

-- Runs the simulator up to time t (or until a hook stops it), then tries
-- the pending call.
function Run:run_until(t, until_fn)
	while true do
		self:try_pending()
		if until_fn and until_fn() then return true end
		if self.sim:now() >= t - 1e-12 then return false end
		self.running = true
		local ok, why = pcall(self.sim.run, self.sim, { stop = t })
		self.running = false
		if not ok then self:fail(self.ev and self.ev.line or 0, "the simulation failed: " .. tostring(why)) end
		if why == "empty" then
			-- nothing scheduled: the clock moves to t by an empty event
			self.sim:at(t, function() end)
		end
	end
end

-- ------------------------------------------------------------- segments

function Run:on_segment(p)
	local now = self.sim:now()
	if p.flags:find("S", 1, true) then
		self.live_local_isn = p.seq
		self.dut_port = p.sport
		self.peer_port = p.dport
	end
	self.outq[#self.outq + 1] = { time = now, p = p }
	self:stop_sim()
end

-- The endpoint's segment in script space: seq, ack, options.
function Run:to_script(p, e)
	local syn = p.flags:find("S", 1, true) ~= nil
	local seq
	if syn then
		self.script_local_isn = e and e.flags:find("S", 1, true) and e.seq or 0
		seq = self.script_local_isn
	else
		seq = u32(p.seq - (self.live_local_isn or 0))
	end
	local ack = p.ack
	if not syn then ack = u32(ack - (self.remote_isn or 0)) end
	local opts = decode_all(p.options or "")
	if opts then
		for _, o in ipairs(opts) do
			if o.kind == "sack" then
				for _, b in ipairs(o.blocks) do
					b[1], b[2] = u32(b[1] - (self.remote_isn or 0)), u32(b[2] - (self.remote_isn or 0))
				end
			end
		end
	end
	return seq, ack, opts
end

function Run:tolerance(ev)
	local tol = self.tol_usecs / 1e6
	if self.last_time and ev.at then
		tol = math.max(tol, self.tol_percent / 100 * (ev.at - self.last_time))
	end
	return tol
end

function Run:outbound(ev)
	local lo, hi
	if ev.time.kind == "any" then
		lo, hi = -math.huge, self.sim:now() + 3600
	else
		local tol = self:tolerance(ev)
		lo, hi = ev.at - tol, (ev.at_end or ev.at) + tol
	end
	self:run_until(hi, function() return #self.outq > 0 end)
	local want = seg_text(">", ev.flag_text, ev.seq, ev.len, ev.ack, ev.win, ev.options)
	local when = ev.at_end and ("%.6f~%.6f"):format(ev.at, ev.at_end) or
		(ev.at and ("%.6f"):format(ev.at) or "*")
	if #self.outq == 0 then
		self:fail(ev.line, ("expected %s at %s, got nothing by %.6f"):format(want, when, hi))
	end
	local got = table.remove(self.outq, 1)
	local p, t = got.p, got.time
	local seq, ack, opts = self:to_script(p, ev)
	local flags = pd_flags(p.flags)
	local bad = {}
	if p.flags ~= ev.flags then bad[#bad + 1] = "flags" end
	if seq ~= ev.seq then bad[#bad + 1] = "seq" end
	if p.len ~= ev.len then bad[#bad + 1] = "len" end
	if (ev.ack or ev.flags:find("A", 1, true)) and ack ~= (ev.ack or 0) then bad[#bad + 1] = "ack" end
	if ev.win and p.win ~= ev.win then bad[#bad + 1] = "win" end
	if type(ev.options) == "table" then
		local same = opts and #opts == #ev.options
		for i = 1, same and #opts or 0 do
			local w, g = ev.options[i], opts[i]
			if w.kind ~= g.kind then
				same = false
			elseif w.kind == "TS" then
				if w.val then
					self.ts_map[w.val] = g.val
					if not self.first_ts then self.first_ts = { script = w.val, live = g.val } end
					if self.ts_tick > 0 then
						local mapped = u32(self.first_ts.script + g.val - self.first_ts.live)
						local d = math.abs(((mapped - w.val + WRAP // 2) % WRAP) - WRAP // 2)
						if d * self.ts_tick > math.max(self.tol_usecs, 0) then bad[#bad + 1] = "TS val" end
					end
				end
			elseif tcpseg.option_text(w) ~= tcpseg.option_text(g) then
				same = false
			end
		end
		if not same then bad[#bad + 1] = "options" end
	end
	if ev.ecn then
		local e, want_e = (p.tos or 0) % 4, parser.ECN_FIELDS[ev.ecn]
		if want_e == true and e ~= 1 and e ~= 2 or want_e ~= true and e ~= want_e then
			bad[#bad + 1] = "ip_ecn"
		end
	end
	if t < lo - 1e-9 or t > hi + 1e-9 then bad[#bad + 1] = "time" end
	local got_text = seg_text(">", flags, seq, p.len, p.flags:find("A", 1, true) and ack or nil, p.win, opts or {})
	if ev.ecn then
		local names = { [0] = "noecn", "ect1", "ect0", "ce" }
		want = want:gsub("^> ", "> [" .. ev.ecn .. "] ", 1)
		got_text = got_text:gsub("^> ", "> [" .. names[(p.tos or 0) % 4] .. "] ", 1)
	end
	self:log("%.6f %s", t, got_text)
	if #bad > 0 then
		self:fail(ev.line, ("expected %s at %s, got %s at %.6f (%s differ)"):format(
			want, when, got_text, t, table.concat(bad, ", ")))
	end
	return t
end

function Run:inbound(ev)
	local syn = ev.flags:find("S", 1, true) ~= nil
	local ackf = ev.flags:find("A", 1, true) ~= nil
	if syn and not ackf then
		-- the first SYN opens the connection under test: its ISN is
		-- the script's (later SYNs are taken as they are written); one
		-- crossing the endpoint's own SYN (a simultaneous open) goes to
		-- the ports that SYN came from
		if not self.remote_isn then
			self.remote_isn = ev.seq
			if not self.live_local_isn then
				self.dut_port, self.peer_port = self.bind_port or BIND_PORT, PEER_PORT
			end
		end
		if self.closed_listener then self:unsupported(ev.line, "close (of a listening socket)") end
	elseif syn and not self.remote_isn then
		self.remote_isn = ev.seq
	end
	local seq = syn and ev.seq or u32(ev.seq + (self.remote_isn or 0))
	local aoff
	if syn then
		aoff = (self.live_local_isn or 0) - (self.script_local_isn or 0)
	else
		aoff = self.live_local_isn or 0
	end
	local ack = ackf and u32((ev.ack or 0) + aoff) or 0
	local raw
	if type(ev.options) == "table" then
		local list = {}
		for i, o in ipairs(ev.options) do
			local c = {}
			for k, v in pairs(o) do c[k] = v end
			if o.kind == "sack" then
				c.blocks = {}
				for j, b in ipairs(o.blocks) do
					c.blocks[j] = { u32(b[1] + (self.live_local_isn or 0)), u32(b[2] + (self.live_local_isn or 0)) }
				end
			elseif o.kind == "TS" and ackf and o.ecr then
				local live = self.ts_map[o.ecr]
				if not live and self.ecr_scaled and self.first_ts then
					live = u32(o.ecr - self.first_ts.script + self.first_ts.live)
				end
				if not live then
					self:fail(ev.line, ("unable to infer live TS ecr for script TS ecr %d: no matching or preceding outbound TS val"):format(o.ecr))
				end
				c.ecr = live
			end
			list[i] = c
		end
		raw = tcpseg.encode_options(list, ("%s:%d"):format(self.name, ev.line))
	elseif ev.options == "any" then
		self:unsupported(ev.line, "<...> on an inbound segment")
	end
	if ev.len > 0 and self.old_close_conn and not syn then
		self:unsupported(ev.line, "data after close (needs close with the receive side shut)")
	end
	self:log("%.6f %s", self.sim:now(), seg_text("<", ev.flag_text, ev.seq, ev.len, ev.ack, ev.win, ev.options))
	local ok, err = pcall(self.peer.send_raw, self.peer, { to = self.dut, size = 40 + #(raw or "") + ev.len,
		tos = ev.ecn and parser.ECN_FIELDS[ev.ecn] or 0, tcp = {
		sport = self.peer_port or PEER_PORT, dport = self.dut_port or self.bind_port or BIND_PORT, seq = seq, ack = ack,
		window = ev.win, flags = ev.names, options = raw } })
	if not ok then self:fail(ev.line, "cannot send the segment: " .. tostring(err)) end
	-- the endpoint has it a few nanoseconds later (as a kernel has a
	-- packet before the next system call): the run moves on by 1 us
	self:run_until(self.sim:now() + 1e-6)
end

-- ------------------------------------------------------------- the run

function Run:event_time(ev, prev)
	local t = ev.time
	if t.kind == "any" then return nil end
	if t.kind == "abs" then return t.t, t.t_end, ev.end_time end
	local base
	if prev and prev.type == "packet" and prev.dir == "<" and ev.type == "packet" and ev.dir == "<" then
		base = prev.at
	else
		base = self.base or 0
	end
	return base + t.t, t.t_end and base + t.t_end, ev.end_time and base + ev.end_time
end

function Run:make_endpoint()
	local sm, timers, cc = { "rfc9293" }, { self.timers }, { "newreno" }
	local listen = {}
	for _, s in ipairs(self.settings) do
		if s.kind == "sm" then sm[s.key] = s.value
		elseif s.kind == "timers" then timers[s.key] = s.value
		elseif s.kind == "cc" then
			if s.key == "name" then cc[1] = s.value else cc[s.key] = s.value end
		elseif s.kind == "listen" then listen[s.key] = s.value
		end
	end
	self.listen_opts = listen
	local ok, ep = pcall(self.dut.tcp, self.dut, { timers = timers, state_machine = sm, cc = cc })
	if not ok then
		error(("%s:%d: the endpoint refuses its settings: %s"):format(self.name, self.settings_line or 1,
			tostring(ep):gsub("^.-:%d+: ", "")), 0)
	end
	self.ep = ep
	ep:on_state(function() self:stop_sim() end)
end

-- --set KEY=VALUE: the plugin that has KEY (the timer profile, the state
-- machine, then the cc)
local function route_set(timers, key, value)
	local sim = synack.simulator{}
	local n = 0
	local function try(spec)
		n = n + 1
		local node = sim:node("n" .. n)
		return pcall(node.tcp, node, spec)
	end
	local kind
	if try({ timers = { timers, [key] = value } }) then kind = "timers"
	elseif try({ state_machine = { "rfc9293", [key] = value } }) then kind = "sm"
	elseif try({ cc = { "newreno", [key] = value } }) then kind = "cc"
	end
	sim:close()
	return kind
end

local function apply_options(run, script)
	for _, o in ipairs(script.options) do
		local function num(min, max)
			local v = tonumber(o.value or "")
			if not v or v < min or v > max then
				error(("%s:%d: --%s needs a number from %g to %g"):format(run.name, o.line, o.name, min, max), 0)
			end
			return v
		end
		if o.name == "tolerance_usecs" then
			run.tol_usecs = num(0, 1e9)
		elseif o.name == "tolerance_percent" then
			run.tol_percent = num(0, 100)
		elseif o.name == "tcp_ts_tick_usecs" then
			run.ts_tick = num(0, 1e9)
		elseif o.name == "tcp_ts_ecr_scaled" then
			run.ecr_scaled = true
		elseif o.name == "local_ip" or o.name == "remote_ip" or o.name == "gateway_ip" or o.name == "netmask_ip" then
			if not (o.value or ""):match("^%d+%.%d+%.%d+%.%d+[/%d]*$") then
				run.unsupported_opt = run.unsupported_opt or { line = o.line, what = "--" .. o.name .. " (IPv4 only)" }
			end
		elseif o.name == "ip_version" then
			if o.value ~= "ipv4" then
				run.unsupported_opt = run.unsupported_opt or { line = o.line, what = "--ip_version=" .. tostring(o.value) }
			end
		elseif o.name == "bind_port" then
			run.bind_port = num(1, 65535)
		elseif o.name == "synack_autoread" then
			-- synack's own: the endpoint's connections read every
			-- byte on arrival, as a recorded application did
			-- (rec:packetdrill writes it); packetdrill refuses it
			if o.value ~= nil then
				error(("%s:%d: --synack_autoread takes no value"):format(run.name, o.line), 0)
			end
			run.autoread = true
		else
			run.unsupported_opt = run.unsupported_opt or { line = o.line, what = "option --" .. o.name }
		end
	end
end

local function execute(run, script, opts)
	local events = script.events
	-- the commands before the first other event configure the endpoint
	local first = 1
	while events[first] and events[first].type == "command" do
		local ev = events[first]
		local list, bad = env.commands(ev.text, run.dir)
		if not list then run:unsupported(ev.line, bad) end
		for _, s in ipairs(list) do
			local m, why = env.sysctl(s.name, s.value)
			if not m then run:unsupported(ev.line, why) end
			if m.kind ~= "none" then run.settings[#run.settings + 1] = m end
			run.settings_line = ev.line
		end
		first = first + 1
	end
	for k, v in pairs(opts.set or {}) do
		local kind = route_set(run.timers, k, v)
		if not kind then
			error(("%s: --set %s=%s: no such parameter of timers/%s, tcp/rfc9293 or cc/newreno (or a bad value)"):format(
				run.name, k, v, run.timers), 0)
		end
		run.settings[#run.settings + 1] = { kind = kind, key = k, value = v }
	end
	if run.unsupported_opt then run:unsupported(run.unsupported_opt.line, run.unsupported_opt.what) end
	if opts.ladder then run.rec = run.sim:record() end
	run:make_endpoint()
	local prev
	for i = first, #events do
		local ev = events[i]
		run.ev = ev
		if ev.unsupported then run:unsupported(ev.line, ev.unsupported) end
		if ev.type == "code" then run:unsupported(ev.line, "code blocks %{ }%") end
		if ev.type == "command" then
			local list, bad = env.commands(ev.text, run.dir)
			if not list then run:unsupported(ev.line, bad) end
			if #list > 0 then run:unsupported(ev.line, "sysctl " .. list[1].name .. " after the first event") end
		end
		ev.at, ev.at_end, ev.ret_at = run:event_time(ev, prev)
		if ev.type == "packet" and ev.dir == ">" then
			local t = run:outbound(ev)
			ev.at = ev.at or t
			run.base = t
		else
			run.base = math.max(ev.at or run.sim:now(), run.base or 0)
			if ev.at then run:run_until(ev.at) else ev.at = run.sim:now() end
			if ev.type == "packet" then
				run:inbound(ev)
			elseif ev.type == "syscall" then
				sys.call(run, ev)
			end
		end
		run.last_time = ev.at
		prev = ev
	end
	-- a call still blocked must return within its window
	run:finish_pending()
	if #run.outq > 0 then
		local got = run.outq[1]
		local seq, ack, o = run:to_script(got.p)
		local last = events[#events]
		run:fail(last and last.line or 0, ("expected nothing more, got %s at %.6f"):format(
			seg_text(">", pd_flags(got.p.flags), seq, got.p.len, got.p.flags:find("A", 1, true) and ack or nil,
				got.p.win, o or {}), got.time))
	end
end

Run.try_pending = sys.try_pending
Run.finish_pending = sys.finish_pending

-- Runs the text of a script; see the head of this file for the result.
function M.run_string(text, name, opts)
	opts = opts or {}
	name = name or "script"
	local script = parser.parse(text, name)
	local timers = opts.timers or "linux"
	local run = setmetatable({
		name = name, lines = {}, outq = {}, ts_map = {}, settings = {}, fds = {},
		tol_usecs = 4000, tol_percent = 12.5, ts_tick = 0, ecr_scaled = false,
		timers = timers, dir = opts.dir or (name:match("^(.*/)") or "./"),
	}, Run)
	apply_options(run, script)
	run.sim = synack.simulator{}
	run.peer, run.dut = run.sim:node("peer"), run.sim:node("dut")
	run.sim:duplex_link(run.peer, run.dut, { rate = "100Gbps", delay = 0 })
	run.peer:on_receive("tcp", function(p) run:on_segment(p) end)
	local ok, err = pcall(execute, run, script, opts)
	local result = { ok = ok, failures = {}, log = run.lines }
	if not ok then
		if type(err) == "table" and err.unsupported then
			result.unsupported, result.line = err.unsupported, err.line
		elseif type(err) == "table" and err.failure then
			result.failures[1] = { line = err.line, message = err.message }
		else
			pcall(run.sim.close, run.sim)
			error(err, 0)
		end
	end
	if opts.ladder and run.rec then
		local base = name:match("([^/]+)$"):gsub("%.pkt$", "")
		local lok, lerr = pcall(run.rec.ladder, run.rec, opts.ladder .. "/" .. base .. ".txt", { connection = 1 })
		if not lok then run:log("no ladder: %s", tostring(lerr)) end
	end
	run.sim:close()
	return result
end

function M.run_file(path, opts)
	local f, err = io.open(path)
	if not f then error(err, 0) end
	local text, rerr = f:read("a")
	f:close()
	if not text then error(path .. ": " .. tostring(rerr), 0) end
	return M.run_string(text, path, opts)
end

-- synack packetdrill [--verbose] [--ladder DIR] [--timers linux|rfc]
-- [--set KEY=VALUE]... FILE.pkt ...  -> the exit status
function M.main(args)
	local opts, files = { set = {} }, {}
	local i = 1
	local function usage(msg)
		io.stderr:write("synack: packetdrill: " .. msg .. "\nTry 'synack --help'.\n")
		return 2
	end
	while i <= #args do
		local a = args[i]
		local key, inline = a:match("^(%-%-[%w_]+)=(.*)$")
		key = key or a
		local function value()
			if inline then return inline end
			i = i + 1
			return args[i]
		end
		if key == "--verbose" or key == "-v" then
			opts.verbose = true
		elseif key == "--ladder" then
			opts.ladder = value()
			if not opts.ladder or opts.ladder == "" then return usage("--ladder needs a directory") end
		elseif key == "--timers" then
			opts.timers = value()
			if opts.timers ~= "linux" and opts.timers ~= "rfc" then return usage("--timers is linux or rfc") end
		elseif key == "--set" then
			local kv = value() or ""
			local k, v = kv:match("^([%w_]+)=(.+)$")
			if not k then return usage("--set needs KEY=VALUE, got '" .. kv .. "'") end
			opts.set[k] = v
		elseif a:sub(1, 1) == "-" and a ~= "-" then
			return usage("unknown option '" .. a .. "'")
		else
			files[#files + 1] = a
		end
		i = i + 1
	end
	if #files == 0 then return usage("no script (FILE.pkt) given") end
	local passed, failed, unsup = 0, 0, 0
	for _, file in ipairs(files) do
		local ok, r = pcall(M.run_file, file, opts)
		if opts.verbose and ok then
			for _, l in ipairs(r.log) do print("  " .. l) end
		end
		if not ok then
			failed = failed + 1
			print("ERROR " .. tostring(r))
		elseif r.unsupported then
			unsup = unsup + 1
			print(("UNSUPPORTED %s:%d: unsupported: %s"):format(file, r.line or 0, r.unsupported))
		elseif not r.ok then
			failed = failed + 1
			for _, f in ipairs(r.failures) do print(("FAIL %s:%d: %s"):format(file, f.line, f.message)) end
		else
			passed = passed + 1
			print("PASS " .. file)
		end
	end
	print(("%d passed, %d failed, %d unsupported"):format(passed, failed, unsup))
	io.stdout:flush()
	return (failed == 0 and unsup == 0) and 0 or 1
end

return M
