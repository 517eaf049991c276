-- wrk script for tests/bench/flash_sale.sh: POST /orders with a bearer token that rotates
-- over the buyers (one per line in $FLASH_TOKENS) and a fresh Idempotency-Key per request.
-- $FLASH_PATH is the orders path, $FLASH_BODY the JSON body, $FLASH_TAG makes keys unique
-- across runs.
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("FLASH_TOKENS")) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  path = os.getenv("FLASH_PATH")
  body = os.getenv("FLASH_BODY")
  tag = os.getenv("FLASH_TAG") .. "-" .. tostring(tid)
  n = tid * 7919  -- threads start at different buyers
  count = 0
end

function request()
  n = n + 1
  count = count + 1
  local token = tokens[(n % #tokens) + 1]
  return wrk.format("POST", path, {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = tag .. "-" .. tostring(count),
  }, body)
end
