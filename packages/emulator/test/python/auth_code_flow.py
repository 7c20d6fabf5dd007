"""initiate_auth_code_flow, print the flow, read the redirect's parameters, redeem them."""
from msal_app import build_app, emit, load_cache, read_line, read_request, save_cache

request = read_request()
cache = load_cache(request)
app = build_app(request, cache)
flow = app.initiate_auth_code_flow(request["scopes"], redirect_uri=request["redirect_uri"])
emit({"flow": flow})
auth_response = read_line()
result = app.acquire_token_by_auth_code_flow(flow, auth_response)
save_cache(request, cache)
emit({"result": result, "accounts": app.get_accounts()})
