-- Fixture for tests/output.sh: one output of a run of 200 kB over TCP,
-- written to synack.args.path.  kind: trace (sim:trace), pcap (sim:pcap
-- into the directory path), link_pcap, link_trace, ladder (text), svg
-- (an SVG ladder), plot, csv.
local synack = require "synack"
local kind, path = synack.args.kind, synack.args.path
local sim = synack.simulator{seed = 1}
local a, b = sim:node("a"), sim:node("b")
local l = sim:duplex_link(a, b, {rate = "100Mbps", delay = "1ms"})
local rec = sim:record()
if kind == "trace" then sim:trace(path)
elseif kind == "pcap" then sim:pcap(path)
elseif kind == "link_pcap" then l:pcap(path)
elseif kind == "link_trace" then l:trace(path)
end
local ea, eb = a:tcp{}, b:tcp{}
eb:listen(80, function(c) c:on("state", function(c, _, to) if to == "CLOSE_WAIT" then c:close() end end) end)
sim:at(0, function()
  local c = ea:connect(b, 80)
  c:on("established", function(c) c:send(200000); c:close() end)
end)
sim:run()
if kind == "ladder" or kind == "svg" then
  rec:ladder(path)
elseif kind == "plot" or kind == "csv" then
  local t, v, rows = {}, {}, {}
  for i = 1, 2000 do
    t[i], v[i] = i / 1000, (i * 7919) % 1000
    rows[i] = {t = t[i], v = v[i]}
  end
  if kind == "plot" then
    synack.plot.lines(path, {series = {{name = "v", t = t, v = v}}})
  else
    synack.csv.write(path, rows)
  end
end
print("done")
