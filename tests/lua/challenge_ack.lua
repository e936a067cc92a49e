-- RFC 5961: in-window resets and SYNs get challenge ACKs, at most
-- challenge_ack_limit per second per endpoint; the connection survives a
-- blind reset attack that does not hit RCV.NXT exactly.  Under the linux
-- profile as in Linux 6.x: no endpoint budget by default, one challenge ACK
-- per invalid_ack_ratelimit per connection, and with a budget a random
-- one each second, drawn from the run's seed.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

-- A fake client: handshake from port 40000 with ISN 100, then 30 resets in
-- the window (seq 105 ... 134) within 0.3 s, then 30 SYNs a second later.
-- Returns the connection and its challenge ACK count at 1.05 s.
local function attack(tcp, seed)
  local sim = synack.simulator{seed = seed}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "1ms"})
  tcp.isn = {"fixed", value = 0}
  local server = b:tcp(tcp)
  local conn, first
  server:listen(80, function(c) conn = c end)
  a:on_receive("tcp", function() end)
  sim:at(0, function()
    a:send_raw{to = b, size = 40, tcp = {sport = 40000, dport = 80, seq = 100, flags = "SYN"}}
  end)
  sim:at(0.01, function()
    a:send_raw{to = b, size = 40, tcp = {sport = 40000, dport = 80, seq = 101, ack = 1, flags = "ACK"}}
  end)
  for i = 1, 30 do
    sim:at(0.1 + i * 0.01, function()
      a:send_raw{to = b, size = 40, tcp = {sport = 40000, dport = 80, seq = 104 + i, flags = "RST"}}
    end)
    sim:at(1.1 + i * 0.01, function()
      a:send_raw{to = b, size = 40, tcp = {sport = 40000, dport = 80, seq = 7, flags = "SYN"}}
    end)
  end
  sim:at(1.05, function() first = conn.stats.challenge_acks end)
  sim:run{stop = 3}
  check(conn, "the connection was accepted")
  eq(conn.state, "ESTABLISHED", "state after the attack")
  return conn, first
end

-- rfc: exactly 5 a second on the endpoint, nothing per connection.
local conn = attack{state_machine = {"rfc9293", challenge_ack_limit = 5}}
local s = conn.stats
eq(s.challenge_acks, 10, "rfc: challenge ACKs: 5 in each second")
eq(s.challenge_acks_suppressed, 50, "rfc: suppressed")
-- rfc's own limit, 1000 a second: every one answered.
conn = attack{timers = "rfc"}
eq(conn.stats.challenge_acks, 60, "rfc, default limit: all answered")

-- linux: no endpoint budget (tcp_challenge_ack_limit INT_MAX since 6.0);
-- the connection's 500 ms limit (tcp_invalid_ratelimit) lets one through
-- in each burst of 0.3 s, and counts the rest as suppressed.
conn = attack{timers = "linux"}
eq(conn.stats.challenge_acks, 2, "linux: one challenge ACK per burst")
eq(conn.stats.challenge_acks_suppressed, 58, "linux: suppressed")
-- The connection's limit is the one of the other answers to unacceptable
-- segments: with it at 0, all are answered.
conn = attack{timers = {"linux", invalid_ack_ratelimit = 0}}
eq(conn.stats.challenge_acks, 60, "linux, no per-connection limit")
-- The state machine's limit still applies when set.
conn = attack{timers = {"linux", invalid_ack_ratelimit = 0, challenge_ack_random = false},
              state_machine = {"rfc9293", challenge_ack_limit = 5}}
eq(conn.stats.challenge_acks, 10, "linux, state machine's limit of 5")

-- linux with a budget of 10 a second: each second's is drawn from
-- [5, 14]; the same seed draws the same, and the seeds do not all agree.
local seen, counts = {}, {}
for seed = 1, 12 do
  local c, first = attack({timers = {"linux", invalid_ack_ratelimit = 0,
                                     challenge_ack_limit = 10}}, seed)
  local second = c.stats.challenge_acks - first
  check(first >= 5 and first <= 14, "seed %d: %d challenge ACKs in the first second", seed, first)
  check(second >= 5 and second <= 14, "seed %d: %d in the second", seed, second)
  eq(c.stats.challenge_acks_suppressed, 60 - first - second, "seed " .. seed .. ": suppressed")
  seen[first] = true
  seen[second] = true
  counts[seed] = first .. "/" .. second
end
local distinct = 0
for _ in pairs(seen) do distinct = distinct + 1 end
check(distinct >= 3, "the budgets vary with the seed: %d distinct values", distinct)
local c, first = attack({timers = {"linux", invalid_ack_ratelimit = 0,
                                   challenge_ack_limit = 10}}, 7)
eq(first .. "/" .. (c.stats.challenge_acks - first), counts[7], "seed 7 again: the same draws")
-- Without the randomness, exactly the limit.
c, first = attack({timers = {"linux", invalid_ack_ratelimit = 0, challenge_ack_limit = 10,
                             challenge_ack_random = false}}, 7)
eq(first, 10, "linux, not random: the limit in the first second")
eq(c.stats.challenge_acks, 20, "linux, not random: the limit in each second")
