"""initiate_device_flow, print the flow, then poll with acquire_token_by_device_flow until it ends."""
from msal_app import build_app, emit, load_cache, read_request, save_cache

request = read_request()
cache = load_cache(request)
app = build_app(request, cache)
flow = app.initiate_device_flow(request["scopes"])
emit({"flow": flow})
result = app.acquire_token_by_device_flow(flow)
save_cache(request, cache)
emit({"result": result, "accounts": app.get_accounts()})
