"""get_accounts, then acquire_token_silent for the named user from the cache file (optionally force_refresh)."""
from msal_app import build_app, emit, load_cache, read_request, save_cache

request = read_request()
cache = load_cache(request)
app = build_app(request, cache)
accounts = app.get_accounts(username=request["username"])
result = None
if accounts:
    result = app.acquire_token_silent(
        request["scopes"], accounts[0], force_refresh=request.get("force_refresh", False))
save_cache(request, cache)
emit({"result": result, "accounts": accounts})
