-- Fixture for tests/cli.sh: a syntax error on line 3.
local x = 1
local y = = 2
print(x, y)
