-- Fixture for tests/cli.sh: an experiment following the contract.
return {
  params = { loss = 0.1, n = 3, name = "x", flag = false },
  run = function(P)
    return { y = P.n * 2 }
  end,
}
