"""Shared by the driver scripts: read the request, build an unmodified MSAL Python app, keep its cache in a file.

Every script reads one JSON object on the first line of stdin and prints JSON lines on stdout; the
last line is the outcome. The emulator's CA is trusted through REQUESTS_CA_BUNDLE, as any app would.
"""
import json
import os
import sys

import msal


def read_request():
    """The request: the first line of stdin, as a dict."""
    return json.loads(sys.stdin.readline())


def read_line():
    """A further JSON line from stdin (the test answering a step of a flow)."""
    return json.loads(sys.stdin.readline())


def emit(value):
    """One JSON line on stdout."""
    print(json.dumps(value), flush=True)


def load_cache(request):
    """A SerializableTokenCache holding the request's cache file, when it names one that exists."""
    cache = msal.SerializableTokenCache()
    path = request.get("cache_file")
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            cache.deserialize(f.read())
    return cache


def save_cache(request, cache):
    """Writes the cache back to the request's cache file when it changed."""
    path = request.get("cache_file")
    if path and cache.has_state_changed:
        with open(path, "w", encoding="utf-8") as f:
            f.write(cache.serialize())


def build_app(request, cache):
    """A public or confidential client app on the request's authority, with no instance discovery."""
    options = dict(
        authority=request["authority"],
        instance_discovery=False,
        token_cache=cache,
    )
    if request.get("client_secret"):
        return msal.ConfidentialClientApplication(
            request["client_id"], client_credential=request["client_secret"], **options)
    return msal.PublicClientApplication(request["client_id"], **options)
