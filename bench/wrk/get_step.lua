-- GET of a question step: the whole page of an in-progress response
-- (read the response, evaluate the path, render).
dofile(os.getenv("BENCH_DIR") .. "/wrk/paths.lua")

function init(args)
  load_paths()
end

function request()
  return wrk.format("GET", next_path())
end
