-- bench/payments' wrk script: each connection posts the next signed event of events.tsv
-- (EVENTS names it) to /payments/events; the threads share the file out between them.
local events, next_event, step = {}, 1, 1
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  local all = {}
  for line in io.lines(os.getenv("EVENTS")) do
    local sig, body = line:match("^([^\t]+)\t(.*)$")
    table.insert(all, {sig, body})
  end
  local n = tonumber(os.getenv("THREADS") or "2")
  for i = id, #all, n do table.insert(events, all[i]) end
end

function request()
  local e = events[next_event]
  next_event = next_event % #events + 1
  return wrk.format("POST", "/payments/events",
                    {["Stripe-Signature"] = e[1], ["Content-Type"] = "application/json"}, e[2])
end
