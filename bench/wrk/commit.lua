-- The one-row commit baseline: a form-sized body, one durable commit.
dofile(os.getenv("BENCH_DIR") .. "/wrk/report.lua")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "question=company_size&answer=1000%2B"
