-- Shared by the step rows: each wrk thread walks the prestarted responses
-- (one path a line in $BENCH_PATHS) from its own offset.
dofile(os.getenv("BENCH_DIR") .. "/wrk/report.lua")

local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

paths = {}
cursor = 1
function load_paths()
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  cursor = 1 + (tid * 7919) % #paths
end

function next_path()
  local path = paths[cursor]
  cursor = cursor % #paths + 1
  return path
end
