-- An answer step as htmx sends it: re-answers "company size" on a
-- prestarted response, rotating through sizes so the branch changes
-- (parse, validate, branch, score, durable write, render the next step).
dofile(os.getenv("BENCH_DIR") .. "/wrk/paths.lua")

local sizes = { "1000%2B", "51-200", "11-50", "201-1000" }
local turn = 0

function init(args)
  load_paths()
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["HX-Request"] = "true"
end

function request()
  turn = turn % #sizes + 1
  return wrk.format("POST", next_path(), nil, "question=company_size&answer=" .. sizes[turn])
end
