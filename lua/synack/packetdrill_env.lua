-- What a packetdrill script assumes of its machine, as synack has it:
-- the constants of its system calls (Linux's values), errno names, and
-- the sysctls (in backquoted commands and the shell files they run)
-- mapped onto the parameters of the endpoint's plugins.  Used by
-- synack.packetdrill.
local M = {}

-- Linux's numbers for the names scripts use.
M.CONST = {
	AF_INET = 2, AF_INET6 = 10, PF_INET = 2, PF_INET6 = 10,
	SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_NONBLOCK = 2048,
	IPPROTO_IP = 0, IPPROTO_TCP = 6, IPPROTO_UDP = 17, SOL_SOCKET = 1, SOL_TCP = 6,
	SO_REUSEADDR = 2, SO_ERROR = 4, SO_SNDBUF = 7, SO_RCVBUF = 8, SO_KEEPALIVE = 9,
	SO_LINGER = 13, SO_REUSEPORT = 15,
	TCP_NODELAY = 1, TCP_MAXSEG = 2, TCP_CORK = 3, TCP_KEEPIDLE = 4, TCP_KEEPINTVL = 5,
	TCP_KEEPCNT = 6, TCP_SYNCNT = 7, TCP_INFO = 11, TCP_USER_TIMEOUT = 18,
	F_GETFL = 3, F_SETFL = 4, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_NONBLOCK = 2048,
	SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2,
	POLLIN = 1, POLLPRI = 2, POLLOUT = 4, POLLERR = 8, POLLHUP = 16, POLLNVAL = 32,
	POLLRDNORM = 64, POLLWRNORM = 256, POLLRDHUP = 8192,
	MSG_DONTWAIT = 64, MSG_NOSIGNAL = 16384, MSG_PEEK = 2, MSG_WAITALL = 256,
	TCP_ESTABLISHED = 1, TCP_SYN_SENT = 2, TCP_SYN_RECV = 3, TCP_FIN_WAIT1 = 4,
	TCP_FIN_WAIT2 = 5, TCP_TIME_WAIT = 6, TCP_CLOSE = 7, TCP_CLOSE_WAIT = 8,
	TCP_LAST_ACK = 9, TCP_LISTEN = 10, TCP_CLOSING = 11,
	INADDR_ANY = 0,
}

M.ERRNO = {
	EPERM = 1, ENOENT = 2, EINTR = 4, EBADF = 9, EAGAIN = 11, EWOULDBLOCK = 11, ENOMEM = 12,
	EFAULT = 14, EINVAL = 22, EPIPE = 32, ENOTSOCK = 88, ENOPROTOOPT = 92, EPROTONOSUPPORT = 93,
	EOPNOTSUPP = 95, EAFNOSUPPORT = 97, EADDRINUSE = 98, ECONNABORTED = 103, ECONNRESET = 104,
	EISCONN = 106, ENOTCONN = 107, ETIMEDOUT = 110, ECONNREFUSED = 111, EALREADY = 114,
	EINPROGRESS = 115,
}

-- synack's state names -> Linux's tcpi_state
M.LINUX_STATE = {
	ESTABLISHED = 1, SYN_SENT = 2, SYN_RECEIVED = 3, FIN_WAIT_1 = 4, FIN_WAIT_2 = 5,
	TIME_WAIT = 6, CLOSED = 7, CLOSE_WAIT = 8, LAST_ACK = 9, LISTEN = 10, CLOSING = 11,
}

local function bool01(v)
	if v == "0" then return "false" end
	if v == "1" or v == "2" then return "true" end
end
local function int(v)
	if v:match("^%d+$") then return v end
end
local function secs(v)
	if v:match("^%d+$") then return v .. "s" end
end
local function millis(v)
	if v:match("^%d+$") then return v .. "ms" end
end
-- "min default max" -> the default, in bytes
local function middle(v)
	local a, b, c = v:match("^(%d+)%s+(%d+)%s+(%d+)$")
	if a then return b .. "B" end
end
-- a setting synack cannot change, honoured when it asks for what synack does
local function only(value)
	return function(v) if v == value then return "" end end
end

-- sysctl name -> {kind ("timers", "sm", "cc", "listen", "none"), key, convert}
M.SYSCTL = {
	["net.ipv4.tcp_timestamps"] = { "sm", "timestamps", bool01 },
	["net.ipv4.tcp_sack"] = { "sm", "sack", bool01 },
	["net.ipv4.tcp_window_scaling"] = { "sm", "window_scaling", bool01 },
	["net.ipv4.tcp_rmem"] = { "sm", "rcvbuf", middle },
	["net.ipv4.tcp_wmem"] = { "sm", "sndbuf", middle },
	["net.ipv4.tcp_challenge_ack_limit"] = { "sm", "challenge_ack_limit", int },
	["net.ipv4.tcp_syn_retries"] = { "timers", "syn_retries", int },
	["net.ipv4.tcp_synack_retries"] = { "timers", "synack_retries", int },
	["net.ipv4.tcp_retries2"] = { "timers", "data_retries", int },
	["net.ipv4.tcp_fin_timeout"] = { "timers", "fin_wait2", secs },
	["net.ipv4.tcp_keepalive_time"] = { "timers", "keepalive_time", secs },
	["net.ipv4.tcp_keepalive_intvl"] = { "timers", "keepalive_intvl", secs },
	["net.ipv4.tcp_keepalive_probes"] = { "timers", "keepalive_probes", int },
	["net.ipv4.tcp_invalid_ratelimit"] = { "timers", "invalid_ack_ratelimit", millis },
	["net.ipv4.tcp_syncookies"] = { "listen", "syncookies", function(v)
		return ({ ["0"] = "off", ["1"] = "on_overflow", ["2"] = "always" })[v]
	end },
	["net.ipv4.tcp_ecn"] = { "timers", "ecn", function(v)
		return ({ ["0"] = "off", ["1"] = "on", ["2"] = "accept" })[v]
	end },
	["net.ipv4.tcp_congestion_control"] = { "cc", "name", function(v)
		return ({ reno = "newreno", cubic = "cubic" })[v]
	end },
	-- behaviours synack does not have, honoured when turned off
	["net.ipv4.tcp_fastopen"] = { "none", "fastopen", only("0") },
	["net.ipv4.tcp_mtu_probing"] = { "none", "mtu_probing", only("0") },
}

local function trim(s) return (s:gsub("^%s+", ""):gsub("%s+$", "")) end

local function unquote(s)
	s = trim(s)
	local q = s:match('^"(.*)"$') or s:match("^'(.*)'$")
	return q or s
end

-- One shell word list -> settings appended to out, or the name of what
-- is not supported.  dir: the script's folder; depth bounds sourcing.
local parse_commands

local function one_command(cmd, dir, out, depth)
	cmd = trim(cmd)
	if cmd == "" or cmd:sub(1, 1) == "#" then return end
	if cmd == "set -e" or cmd == "set -x" or cmd == "true" or cmd == ":" then return end
	local w1 = cmd:match("^(%S+)")
	if w1 == "sysctl" then
		local rest = cmd:sub(7)
		-- -q, -w, -e flags, then NAME=VALUE pairs (a value may be quoted)
		rest = rest:gsub("%s%-[qwe]+", " ")
		local any = false
		for name, value in rest:gmatch("([%w%._/%-]+)%s*=%s*(\"[^\"]*\")") do
			any = true
			out[#out + 1] = { name = name:gsub("/", "."), value = unquote(value) }
		end
		rest = rest:gsub("[%w%._/%-]+%s*=%s*\"[^\"]*\"", "")
		for name, value in rest:gmatch("([%w%._/%-]+)=(%S+)") do
			any = true
			out[#out + 1] = { name = name:gsub("/", "."), value = unquote(value) }
		end
		if not any then return "sysctl without NAME=VALUE" end
		return
	end
	-- the offloads of the kernel's tun device (so that it sends MSS-sized
	-- segments, as synack does): nothing to set here
	if w1 == "ethtool" and cmd:match("^ethtool%s+%-K%s+tun0[%s%w%-]*$") then return end
	if w1 == "echo" then
		local value, path = cmd:match("^echo%s+(.-)%s*>%s*/proc/sys/(%S+)$")
		if value then
			out[#out + 1] = { name = path:gsub("/", "."), value = unquote(value) }
			return
		end
		return "shell command 'echo'"
	end
	-- running or sourcing a shell file beside the script
	local file = cmd:match("^%.%s+(%S+)$") or cmd:match("^source%s+(%S+)$") or
		cmd:match("^sh%s+(%S+)$") or cmd:match("^bash%s+(%S+)$") or cmd:match("^(%S+%.sh)$")
	if file then
		if depth > 4 then return "shell files nested too deeply" end
		local path = file:sub(1, 1) == "/" and file or (dir .. file)
		local f = io.open(path)
		if not f then return "shell file " .. file .. " (cannot be read)" end
		local text = f:read("a")
		f:close()
		if not text then return "shell file " .. file .. " (cannot be read)" end
		return parse_commands(text, path:match("^(.*/)") or "./", out, depth + 1)
	end
	return "shell command '" .. w1 .. "'"
end

function parse_commands(text, dir, out, depth)
	text = text:gsub("\\\n", " ")
	for line in (text .. "\n"):gmatch("([^\n]*)\n") do
		line = line:gsub("^%s*#!.*", "")
		for part in (line .. ";"):gmatch("([^;]*);") do
			for cmd in (part .. "&&"):gmatch("(.-)&&") do
				local bad = one_command(cmd, dir, out, depth)
				if bad then return bad end
			end
		end
	end
end

-- The backquoted text of a script -> a list of sysctls {name, value}, or
-- nil and the name of what synack cannot do.
function M.commands(text, dir)
	local out = {}
	local bad = parse_commands(text, dir, out, 0)
	if bad then return nil, bad end
	return out
end

-- A sysctl -> {kind, key, value}, or nil and the reason it is unsupported.
function M.sysctl(name, value)
	local m = M.SYSCTL[name]
	if not m then return nil, "sysctl " .. name end
	local v = m[3](value)
	if not v then return nil, ("sysctl %s=%s"):format(name, value) end
	return { kind = m[1], key = m[2], value = v }
end

return M
