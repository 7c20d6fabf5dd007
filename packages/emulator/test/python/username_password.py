"""acquire_token_by_username_password (user realm discovery first, as MSAL Python does)."""
from msal_app import build_app, emit, load_cache, read_request, save_cache

request = read_request()
cache = load_cache(request)
app = build_app(request, cache)
result = app.acquire_token_by_username_password(request["username"], request["password"], request["scopes"])
save_cache(request, cache)
emit({"result": result, "accounts": app.get_accounts()})
