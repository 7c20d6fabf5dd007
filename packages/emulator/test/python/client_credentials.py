"""acquire_token_for_client twice with the same app; prints both results."""
from msal_app import build_app, emit, load_cache, read_request

request = read_request()
app = build_app(request, load_cache(request))
first = app.acquire_token_for_client(request["scopes"])
second = app.acquire_token_for_client(request["scopes"])
emit({"first": first, "second": second})
