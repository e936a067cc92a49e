-- The system calls of packetdrill scripts, mapped onto synack's socket
-- API (used by synack.packetdrill; `run` is its run object).  A call
-- synack cannot honour makes the script unsupported, never a silent
-- success.
local env = require "synack.packetdrill_env"

local M = {}
local C, E = env.CONST, env.ERRNO

local PEER_PORT, BIND_PORT = 40000, 8080

-- ------------------------------------------------------------- values

local function value(run, ev, e)
	if e.k == "int" then return e.v end
	if e.k == "word" then
		local v = C[e.v] or E[e.v]
		if v == nil then run:unsupported(ev.line, "constant " .. e.v) end
		return v
	end
	if e.k == "or" then return value(run, ev, e.a) | value(run, ev, e.b) end
	if e.k == "array" and #e.items == 1 then return value(run, ev, e.items[1]) end
	if e.k == "ellipsis" then return nil end
	run:unsupported(ev.line, "argument of " .. ev.name)
end

local function int_arg(run, ev, i, what)
	local e = ev.args[i]
	if not e then run:fail(ev.line, ("%s: missing argument %d (%s)"):format(ev.name, i, what)) end
	local v = value(run, ev, e)
	if math.type(v) ~= "integer" then run:fail(ev.line, ("%s: argument %d (%s) must be an integer"):format(ev.name, i, what)) end
	return v
end

local function arg_text(e)
	if e.k == "int" or e.k == "word" or e.k == "float" then return tostring(e.v) end
	if e.k == "str" then return '"' .. e.v .. '"' end
	if e.k == "ellipsis" then return "..." end
	if e.k == "or" then return arg_text(e.a) .. "|" .. arg_text(e.b) end
	if e.k == "assign" then return e.name .. "=" .. arg_text(e.value) end
	if e.k == "call" or e.k == "array" or e.k == "struct" then
		local t = {}
		for _, x in ipairs(e.args or e.items) do t[#t + 1] = arg_text(x) end
		local o, c = "[", "]"
		if e.k == "struct" then o, c = "{", "}" elseif e.k == "call" then o, c = e.name .. "(", ")" end
		return o .. table.concat(t, ", ") .. c
	end
	return "?"
end

local function call_text(ev)
	local t = {}
	for _, a in ipairs(ev.args) do t[#t + 1] = arg_text(a) end
	return ev.name .. "(" .. table.concat(t, ", ") .. ")"
end

local function errno_name(n)
	local best
	for k, v in pairs(E) do
		if v == n and (not best or k < best) and k ~= "EWOULDBLOCK" then best = k end
	end
	return best or tostring(n)
end

-- The socket of fd, or nil.
local function sock_of(run, fd) return run.fds[fd] end

local function new_api(conn) return conn.poll ~= nil end

-- The error a connection ended with: the new API's conn.error, else
-- what its events said.
local function conn_error(sock)
	local c = sock.conn
	if not c then return nil end
	local ok, e = pcall(function() return c.error end)
	if ok and e then return e end
	return sock.err_event
end

local ERR_TO_ERRNO = { refused = E.ECONNREFUSED, reset = E.ECONNRESET, timeout = E.ETIMEDOUT }

local function watch(run, sock, c)
	sock.conn = c
	run.conn = c
	pcall(c.on, c, "reset", function(_, why)
		-- A Linux socket keeps what it received before the reset
		-- readable (tcp_reset purges the send queue only), and
		-- reports ECONNRESET once it is read; the connection goes
		-- with this event, so its unread bytes move to the socket.
		if why ~= "refused" and not run.autoread then
			local ok, got = pcall(c.read, c)
			if ok and type(got) == "string" then got = #got end
			if ok and type(got) == "number" and got > 0 then
				sock.unread = (sock.unread or 0) + got
			end
		end
		sock.err_event = why == "refused" and "refused" or "reset"
		sock.so_error = sock.so_error or sock.err_event
		run:stop_sim()
	end)
	pcall(c.on, c, "error", function()
		sock.err_event = "timeout"
		sock.so_error = sock.so_error or "timeout"
		run:stop_sim()
	end)
end

-- Socket options the connection takes by conn:set (or at connect).
local function conn_opts(run, ev, sock, c)
	local o = {}
	for k, v in pairs(sock.opts) do o[k] = v end
	if next(o) == nil then return end
	local ok, err = pcall(c.set, c, o)
	if not ok then run:unsupported(ev.line, ("setsockopt (%s)"):format(tostring(err):gsub("^.-:%d+: ", ""))) end
end

-- ------------------------------------------------------------- results

local function check(run, ev, ret, errno, at)
	local want = value(run, ev, ev.ret)
	local bad
	if want ~= nil and want ~= ret then bad = true end
	if ret == -1 and errno and ev.errno and E[ev.errno] ~= errno then bad = true end
	if ret == -1 and not ev.errno and want == -1 then bad = true end
	if ret ~= -1 and ev.errno then bad = true end
	local got = tostring(ret) .. (ret == -1 and errno and (" " .. errno_name(errno)) or "")
	run:log("%.6f %s = %s", at or ev.at or run.sim:now(), call_text(ev), got)
	if bad then
		run:fail(ev.line, ("expected %s = %s%s, got %s"):format(call_text(ev), arg_text(ev.ret),
			ev.errno and (" " .. ev.errno) or "", got))
	end
end

-- A call that may block: try() returns true, ret, errno when done.
local function maybe_block(run, ev, sock, try)
	local done, ret, errno = try()
	if done then
		check(run, ev, ret, errno)
		if ev.ret_at then
			-- it returned at once: packetdrill would see the end time missed
			local tol = run:tolerance(ev)
			if run.sim:now() < ev.ret_at - tol - 1e-9 then
				run:fail(ev.line, ("expected %s to block until %.6f, it returned at %.6f"):format(
					call_text(ev), ev.ret_at, run.sim:now()))
			end
		end
		return
	end
	if sock and sock.nonblock then
		return check(run, ev, -1, E.EAGAIN)
	end
	run.pending = { ev = ev, try = try, deadline = ev.deadline }
end

function M.try_pending(run)
	local p = run.pending
	if not p or run.in_try then return end
	run.in_try = true
	local ok, done, ret, errno = pcall(p.try)
	if ok and not done and p.deadline and run.sim:now() >= p.deadline - 1e-9 then
		done, ret, errno = true, 0, nil
	end
	run.in_try = false
	if not ok then error(done, 0) end
	if not done then return end
	run.pending = nil
	local ev = p.ev
	local t = run.sim:now()
	check(run, ev, ret, errno, t)
	local want = ev.ret_at or ev.at
	local tol = run:tolerance(ev)
	if t < want - tol - 1e-9 or t > want + tol + 1e-9 then
		run:fail(ev.line, ("expected %s to return at %.6f, it returned at %.6f"):format(call_text(ev), want, t))
	end
end

-- Waits for the blocked call (before another call, and at the end).
function M.finish_pending(run)
	local p = run.pending
	if not p then return end
	local ev = p.ev
	local want = (ev.ret_at or ev.at) + run:tolerance(ev)
	run:run_until(want, function() return run.pending == nil end)
	if run.pending then
		run:fail(ev.line, ("expected %s to return by %.6f, it was still blocked"):format(call_text(ev), want))
	end
end

-- ------------------------------------------------------------- calls

local calls = {}

function calls.socket(run, ev)
	local dom = ev.args[1] and ev.args[1].k == "ellipsis" and C.AF_INET or int_arg(run, ev, 1, "domain")
	local ty = int_arg(run, ev, 2, "type")
	if dom ~= C.AF_INET then run:unsupported(ev.line, "socket domain other than AF_INET") end
	if ty & ~C.SOCK_NONBLOCK ~= C.SOCK_STREAM then run:unsupported(ev.line, "socket type other than SOCK_STREAM") end
	local fd = value(run, ev, ev.ret)
	if math.type(fd) ~= "integer" or fd < 0 then run:fail(ev.line, "socket: expected a descriptor as the result") end
	run.fds[fd] = { fd = fd, opts = {}, nonblock = ty & C.SOCK_NONBLOCK ~= 0, read = 0, vals = {} }
	check(run, ev, fd)
end

local function need_sock(run, ev)
	local fd = int_arg(run, ev, 1, "fd")
	local s = sock_of(run, fd)
	if not s then check(run, ev, -1, E.EBADF) end
	return s, fd
end

function calls.bind(run, ev)
	local s = need_sock(run, ev)
	if not s then return end
	s.port = run.bind_port or BIND_PORT
	local a = ev.args[2]
	if a and a.k == "struct" then
		for _, it in ipairs(a.items) do
			if it.k == "assign" and it.name == "sin_port" and it.value.k == "call" then
				s.port = value(run, ev, it.value.args[1])
			end
		end
	end
	check(run, ev, 0)
end

function calls.listen(run, ev)
	local s = need_sock(run, ev)
	if not s then return end
	local backlog = math.max(int_arg(run, ev, 2, "backlog"), 0)
	local o = { accept = "manual", backlog = math.max(backlog, 1), accept_backlog = backlog + 1 }
	for k, v in pairs(run.listen_opts) do o[k] = v end
	local handler
	if run.autoread then
		-- the connections read from their start, as those a recorded
		-- application accepted in its handler: accept() takes them
		-- from this queue (a connection waiting in a manual accept
		-- queue would read nothing, and advertise less)
		o.accept, o.accept_backlog = nil, nil
		s.ready = {}
		handler = function(c) s.ready[#s.ready + 1] = c end
	end
	local ok, l = pcall(run.ep.listen, run.ep, s.port or run.bind_port or BIND_PORT, o, handler)
	if not ok then run:fail(ev.line, "listen: " .. tostring(l)) end
	s.listener = l
	check(run, ev, 0)
end

function calls.accept(run, ev)
	local s = need_sock(run, ev)
	if not s then return end
	if not s.listener then return check(run, ev, -1, E.EINVAL) end
	local fd = value(run, ev, ev.ret)
	maybe_block(run, ev, s, function()
		local c
		if s.ready then c = table.remove(s.ready, 1) else c = s.listener:accept() end
		if not c then return false end
		local ns = { fd = fd, opts = {}, nonblock = false, read = 0, vals = {} }
		for k, v in pairs(s.opts) do ns.opts[k] = v end
		for k, v in pairs(s.vals) do ns.vals[k] = v end
		ns.opts.autoread = run.autoread or false
		watch(run, ns, c)
		conn_opts(run, ev, ns, c)
		if math.type(fd) == "integer" then run.fds[fd] = ns end
		return true, fd
	end)
end
calls.accept4 = calls.accept

function calls.connect(run, ev)
	local s = need_sock(run, ev)
	if not s then return end
	if s.conn then
		local st = s.conn.state
		if st == "SYN_SENT" then return check(run, ev, -1, E.EALREADY) end
		return check(run, ev, -1, E.EISCONN)
	end
	local o = { autoread = run.autoread or false }
	for k, v in pairs(s.opts) do o[k] = v end
	local ok, c = pcall(run.ep.connect, run.ep, run.peer, BIND_PORT, o)
	if not ok then run:unsupported(ev.line, "connect (" .. tostring(c):gsub("^.-:%d+: ", "") .. ")") end
	watch(run, s, c)
	if s.nonblock then return check(run, ev, -1, E.EINPROGRESS) end
	maybe_block(run, ev, nil, function()
		local e = conn_error(s)
		if e then
			s.so_error = nil
			return true, -1, ERR_TO_ERRNO[e]
		end
		if c.state ~= "SYN_SENT" and c.state ~= "SYN_RECEIVED" then return true, 0 end
		return false
	end)
end

local SEND_STATES = { ESTABLISHED = true, CLOSE_WAIT = true }

local function write_n(run, ev, n)
	local s = need_sock(run, ev)
	if not s then return end
	local c = s.conn
	if not c then return check(run, ev, -1, E.EPIPE) end
	local e = conn_error(s)
	if e and not s.err_reported then
		s.err_reported = true
		return check(run, ev, -1, ERR_TO_ERRNO[e])
	end
	if s.shut_wr or e then return check(run, ev, -1, E.EPIPE) end
	local st = c.state
	if not SEND_STATES[st] then
		if st == "SYN_SENT" or st == "SYN_RECEIVED" then
			if s.nonblock then return check(run, ev, -1, E.EAGAIN) end
			run:unsupported(ev.line, ev.name .. " blocking before the connection is established")
		end
		return check(run, ev, -1, E.EPIPE)
	end
	local ret = n
	local okspace, space = pcall(function() return c.send_space end)
	if okspace and space then
		if s.nonblock then
			if space == 0 then return check(run, ev, -1, E.EAGAIN) end
			ret = math.min(n, space)
		elseif n > space then
			run:unsupported(ev.line, ev.name .. " blocking on a full send buffer")
		end
	end
	if ret > 0 then
		local ok, err = pcall(c.send, c, ret)
		if not ok then run:fail(ev.line, ev.name .. ": " .. tostring(err)) end
	end
	check(run, ev, ret)
end

function calls.write(run, ev) write_n(run, ev, int_arg(run, ev, 3, "count")) end
calls.send = calls.write
calls.sendto = calls.write

local function iov_total(run, ev, arr)
	local n = 0
	for _, it in ipairs(arr.items or {}) do
		if it.k ~= "struct" or not it.items[2] then run:unsupported(ev.line, ev.name .. " with this iovec") end
		n = n + value(run, ev, it.items[2])
	end
	return n
end

function calls.writev(run, ev)
	write_n(run, ev, iov_total(run, ev, ev.args[2] or {}))
end

function calls.sendmsg(run, ev)
	local m = ev.args[2]
	local n
	for _, it in ipairs(m and m.items or {}) do
		if it.k == "assign" and it.name == "msg_iov" then n = iov_total(run, ev, it.value) end
		if it.k == "call" and it.name == "msg_iov" then n = nil end
	end
	-- the grammar's "msg_iov(1)=[...]" parses as a call followed by '='
	if not n then run:unsupported(ev.line, "sendmsg with this message") end
	write_n(run, ev, n)
end

local EOF_STATES = { CLOSE_WAIT = true, LAST_ACK = true, CLOSING = true, TIME_WAIT = true }

local function read_n(run, ev, n)
	local s = need_sock(run, ev)
	if not s then return end
	if run.autoread then run:unsupported(ev.line, ev.name .. " with --synack_autoread (the socket reads by itself)") end
	local c = s.conn
	if not c then return check(run, ev, -1, E.ENOTCONN) end
	maybe_block(run, ev, s, function()
		if (s.unread or 0) > 0 then
			local got = math.min(n, s.unread)
			s.unread = s.unread - got
			s.read = s.read + got
			return true, got
		end
		local e = conn_error(s)
		if e and not s.err_reported then
			s.err_reported = true
			return true, -1, ERR_TO_ERRNO[e]
		end
		if e then return true, 0 end
		local ok, got, why = pcall(c.read, c, n)
		if not ok then run:fail(ev.line, ev.name .. ": " .. tostring(got)) end
		if type(got) == "string" then got = #got end
		if got == nil then
			if why == "eof" then return true, 0 end
			if ERR_TO_ERRNO[why] then return true, -1, ERR_TO_ERRNO[why] end
			return false
		end
		if got > 0 then
			s.read = s.read + got
			return true, got
		end
		if s.shut_rd then return true, 0 end
		if not new_api(c) and (EOF_STATES[c.state] or c.state == "CLOSED") then
			run:unsupported(ev.line, ev.name .. " at the end of the stream")
		end
		return false
	end)
end

function calls.read(run, ev) read_n(run, ev, int_arg(run, ev, 3, "count")) end
calls.recv = calls.read
calls.recvfrom = calls.read

function calls.readv(run, ev) read_n(run, ev, iov_total(run, ev, ev.args[2] or {})) end

function calls.shutdown(run, ev)
	local s = need_sock(run, ev)
	if not s then return end
	local how = int_arg(run, ev, 2, "how")
	local c = s.conn
	if not c then return check(run, ev, -1, E.ENOTCONN) end
	local mode = ({ [C.SHUT_RD] = "read", [C.SHUT_WR] = "write", [C.SHUT_RDWR] = "both" })[how]
	if not mode then return check(run, ev, -1, E.EINVAL) end
	if new_api(c) then
		local ok, err = pcall(c.shutdown, c, mode)
		if not ok then run:fail(ev.line, "shutdown: " .. tostring(err)) end
	elseif mode == "write" then
		if not s.shut_wr then
			local ok, err = pcall(c.shutdown, c)
			if not ok then run:fail(ev.line, "shutdown: " .. tostring(err)) end
		end
	else
		run:unsupported(ev.line, "shutdown(SHUT_RD or SHUT_RDWR)")
	end
	if mode ~= "read" then s.shut_wr = true end
	if mode ~= "write" then s.shut_rd = true end
	check(run, ev, 0)
end

function calls.close(run, ev)
	local s, fd = need_sock(run, ev)
	if not s then return end
	run.fds[fd] = nil
	if s.listener then
		local l = s.listener
		if l.close then
			-- Linux drops the handshakes in progress and resets the
			-- connections nobody accepted; with --synack_autoread
			-- those wait here, accepted by the endpoint already
			l:close()
			for _, c in ipairs(s.ready or {}) do
				if c.state ~= "CLOSED" then c:abort() end
			end
			s.ready = nil
		else
			local st = l:stats()
			if (st.accept_queue or 0) > 0 or (st.syn_received or 0) > 0 or (s.ready and #s.ready > 0) then
				run:unsupported(ev.line, "close (of a listening socket with connections waiting)")
			end
			run.closed_listener = true
		end
	elseif s.conn then
		local c = s.conn
		if new_api(c) then
			local ok, err = pcall(c.close, c)
			if not ok then run:fail(ev.line, "close: " .. tostring(err)) end
		else
			local info = c:info()
			if c.state ~= "CLOSED" and (info.bytes_received or 0) > s.read then
				run:unsupported(ev.line, "close with unread data")
			end
			if not s.shut_wr and c.state ~= "CLOSED" then
				local ok, err = pcall(c.close, c)
				if not ok then run:fail(ev.line, "close: " .. tostring(err)) end
			end
			run.old_close_conn = true
		end
	end
	check(run, ev, 0)
end

function calls.fcntl(run, ev)
	local s = need_sock(run, ev)
	if not s then return end
	local cmd = int_arg(run, ev, 2, "cmd")
	if cmd == C.F_GETFL then
		return check(run, ev, C.O_RDWR | (s.nonblock and C.O_NONBLOCK or 0))
	elseif cmd == C.F_SETFL then
		s.nonblock = int_arg(run, ev, 3, "flags") & C.O_NONBLOCK ~= 0
		return check(run, ev, 0)
	end
	run:unsupported(ev.line, "fcntl command " .. tostring(cmd))
end

-- setsockopt name -> function(v) giving the conn:set options
local SETOPT = {
	TCP_NODELAY = function(v) return { nagle = v == 0 } end,
	SO_RCVBUF = function(v) return { rcvbuf = math.max(2 * v, 2304) } end,
	SO_SNDBUF = function(v) return { sndbuf = math.max(2 * v, 4608) } end,
	TCP_CORK = function(v) return { cork = v ~= 0 } end,
	TCP_MAXSEG = function(v) return { mss = v } end,
	TCP_USER_TIMEOUT = function(v) return { user_timeout = v / 1000 } end,
	SO_KEEPALIVE = function(v) return { keepalive = v ~= 0 } end,
	TCP_KEEPIDLE = function(v) return { keepidle = v } end,
	TCP_KEEPINTVL = function(v) return { keepintvl = v } end,
	TCP_KEEPCNT = function(v) return { keepcnt = v } end,
	TCP_SYNCNT = function(v) return { syn_retries = v } end,
}

local function opt_name(run, ev, e)
	if e and e.k == "word" then return e.v end
	run:unsupported(ev.line, ev.name .. " option given by number")
end

function calls.setsockopt(run, ev)
	local s = need_sock(run, ev)
	if not s then return end
	local name = opt_name(run, ev, ev.args[3])
	local arg = ev.args[4]
	if name == "SO_REUSEADDR" or name == "SO_REUSEPORT" then
		s.vals[name] = value(run, ev, arg)
		return check(run, ev, 0)
	end
	local set
	local v
	if name == "SO_LINGER" then
		local on, secs = 0, 0
		for _, it in ipairs(arg and arg.items or {}) do
			if it.k == "assign" and it.name == "l_onoff" then on = value(run, ev, it.value) end
			if it.k == "assign" and it.name == "l_linger" then secs = value(run, ev, it.value) end
		end
		set = { linger = on ~= 0 and secs or false }
		v = on
	elseif SETOPT[name] then
		v = value(run, ev, arg)
		if math.type(v) ~= "integer" then run:fail(ev.line, "setsockopt: the value must be [N]") end
		set = SETOPT[name](v)
	else
		run:unsupported(ev.line, "setsockopt " .. name)
	end
	if s.listener and (set.mss or set.rcvbuf) then
		run:unsupported(ev.line, "setsockopt " .. name .. " on a listening socket")
	end
	for k, x in pairs(set) do s.opts[k] = x end
	s.vals[name] = (name == "SO_RCVBUF" or name == "SO_SNDBUF") and set.rcvbuf or set.sndbuf or v
	if name ~= "SO_RCVBUF" and name ~= "SO_SNDBUF" then s.vals[name] = v end
	if s.conn then
		local ok, err = pcall(s.conn.set, s.conn, set)
		if not ok then run:unsupported(ev.line, ("setsockopt %s (%s)"):format(name, tostring(err):gsub("^.-:%d+: ", ""))) end
	end
	check(run, ev, 0)
end

-- TCP_INFO fields synack has
local function tcp_info(run, ev, s)
	local c = s.conn
	local st = c and c.state or (s.listener and "LISTEN" or "CLOSED")
	local out = { tcpi_state = env.LINUX_STATE[st] }
	if c and st ~= "CLOSED" then
		local i, stats = c:info(), c.stats
		local mss = (stats.mss_peer or 536) - (stats.timestamps and 12 or 0)
		out.tcpi_snd_mss = mss
		out.tcpi_snd_cwnd = i.cwnd // mss
		out.tcpi_snd_ssthresh = i.ssthresh // mss
		out.tcpi_rto = math.floor(i.rto * 1e6 + 0.5)
		out.tcpi_rtt = math.floor(i.srtt * 1e6 + 0.5)
		out.tcpi_rttvar = math.floor(i.rttvar * 1e6 + 0.5)
		out.tcpi_total_retrans = stats.retransmissions
		out.tcpi_snd_wscale = stats.snd_wscale
		out.tcpi_rcv_wscale = stats.rcv_wscale
		out.tcpi_unacked = i.flight and (i.flight + mss - 1) // mss
	end
	return out
end

function calls.getsockopt(run, ev)
	local s = need_sock(run, ev)
	if not s then return end
	local name = opt_name(run, ev, ev.args[3])
	local arg = ev.args[4]
	if name == "TCP_INFO" then
		local have = tcp_info(run, ev, s)
		for _, it in ipairs(arg and arg.items or {}) do
			if it.k ~= "assign" then run:fail(ev.line, "getsockopt TCP_INFO: expected {field=value, ...}") end
			if have[it.name] == nil then run:unsupported(ev.line, "TCP_INFO field " .. it.name) end
			local want = value(run, ev, it.value)
			if want ~= nil and want ~= have[it.name] then
				run:fail(ev.line, ("getsockopt TCP_INFO: expected %s=%s, got %s"):format(it.name, arg_text(it.value), have[it.name]))
			end
		end
		return check(run, ev, 0)
	end
	local got
	if name == "SO_ERROR" then
		got = s.so_error and ERR_TO_ERRNO[s.so_error] or 0
		s.so_error = nil
	elseif name == "TCP_NODELAY" or name == "SO_REUSEADDR" or name == "SO_KEEPALIVE" or name == "TCP_CORK" then
		got = s.vals[name] or 0
		if got ~= 0 then got = 1 end
	elseif name == "SO_RCVBUF" or name == "SO_SNDBUF" then
		got = s.vals[name]
		if not got then run:unsupported(ev.line, "getsockopt " .. name .. " before setting it") end
	elseif SETOPT[name] and s.vals[name] then
		got = s.vals[name]
	else
		run:unsupported(ev.line, "getsockopt " .. name)
	end
	local want = arg and value(run, ev, arg)
	if want ~= nil and want ~= got then
		run:fail(ev.line, ("getsockopt %s: expected [%s], got [%s]"):format(name, tostring(want), tostring(got)))
	end
	check(run, ev, 0)
end

local function revents(run, ev, s)
	if s.listener then
		local st = s.listener:stats()
		return ((st.accept_queue or 0) > 0 or (s.ready and #s.ready > 0)) and C.POLLIN or 0
	end
	local c = s.conn
	if not c then return C.POLLOUT | C.POLLHUP end
	if not new_api(c) then run:unsupported(ev.line, "poll (needs conn:poll)") end
	local p = c:poll()
	local r = 0
	if p.readable then r = r | C.POLLIN end
	if p.writable then r = r | C.POLLOUT end
	if p.hup then r = r | C.POLLHUP end
	if p.err then r = r | C.POLLERR end
	if p.rdhup then r = r | C.POLLRDHUP end
	if (s.unread or 0) > 0 then r = r | C.POLLIN end
	return r
end

function calls.poll(run, ev)
	local list = ev.args[1]
	if not list or list.k ~= "array" then run:fail(ev.line, "poll: expected [{fd=, events=, revents=}, ...]") end
	local timeout = int_arg(run, ev, 3, "timeout")
	local fds = {}
	for _, it in ipairs(list.items) do
		local f = {}
		for _, x in ipairs(it.items or {}) do
			if x.k == "assign" then f[x.name] = x.value end
		end
		if not f.fd or not f.events then run:fail(ev.line, "poll: each entry needs fd= and events=") end
		fds[#fds + 1] = { fd = value(run, ev, f.fd), events = value(run, ev, f.events),
			revents = f.revents and value(run, ev, f.revents) }
	end
	local function ready()
		local n, got = 0, {}
		for i, f in ipairs(fds) do
			local s = run.fds[f.fd]
			local r = s and (revents(run, ev, s) & (f.events | C.POLLERR | C.POLLHUP)) or C.POLLNVAL
			got[i] = r
			if r ~= 0 then n = n + 1 end
		end
		return n, got
	end
	if timeout > 0 then ev.deadline = run.sim:now() + timeout / 1000 end
	maybe_block(run, ev, { nonblock = timeout == 0 and false }, function()
		local n, got = ready()
		if n == 0 and timeout ~= 0 then return false end
		for i, f in ipairs(fds) do
			if f.revents and got[i] ~= f.revents then
				run:fail(ev.line, ("poll: expected revents=%d for fd %d, got %d"):format(f.revents, f.fd, got[i]))
			end
		end
		return true, n
	end)
end

function M.call(run, ev)
	if run.pending then M.finish_pending(run) end
	local f = calls[ev.name]
	if not f then run:unsupported(ev.line, "system call " .. ev.name) end
	f(run, ev)
end

return M
