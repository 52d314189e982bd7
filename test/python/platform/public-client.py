"""PublicClientAuth against the emulator: browser sign-in through the picker, auto-refresh, sign-out.

The test plays the browser: for each sign-in this script prints {"event": "authorize", "url": ...}
and reads back one JSON line {"code": ..., "state": ...} from the redirect. At the end it prints
{"event": "result", ...}.
"""

import json
import os
import sys
import time

from foundry._core.public_client_auth import PublicClientAuth
from foundry.v2 import FoundryClient

hostname = os.environ["FOUNDRY_HOSTNAME"]
redirect_url = os.environ["REDIRECT_URL"]


def emit(message):
    print(json.dumps(message), flush=True)


def browser_sign_in(auth, label):
    emit({"event": "authorize", "label": label, "url": auth.sign_in()})
    answer = json.loads(sys.stdin.readline())
    auth.set_token(code=answer["code"], state=answer["state"])


def describe_user(user):
    return {"id": user.id, "username": user.username, "realm": user.realm, "status": (user.model_extra or {}).get("status")}


result = {}

# 3 and 4: sign in with refresh on; its timer (expires_in - 60 s) runs during the second sign-in.
refreshing = PublicClientAuth("public-app", redirect_url, hostname, scopes=["api:admin-read"], should_refresh=True)
browser_sign_in(refreshing, "refreshing")
first = refreshing.get_token()
refreshing_client = FoundryClient(auth=refreshing, hostname=hostname)
result["signIn"] = {
    "expiresIn": first.expires_in,
    "hasRefreshToken": bool(first.refresh_token),
    "user": describe_user(refreshing_client.admin.User.get_current()),
}

# 6: a second session without refresh (so no timer swaps the token under sign_out), then sign_out.
plain = PublicClientAuth("public-app", redirect_url, hostname, scopes=["api:admin-read"])
browser_sign_in(plain, "plain")
revoked_token = plain.get_token().access_token
result["signOut"] = {"user": describe_user(FoundryClient(auth=plain, hostname=hostname).admin.User.get_current()), "revokedToken": revoked_token}
plain.sign_out()

# 4: the SDK refreshed by itself (refresh_token grant, rotated) and keeps working.
deadline = time.monotonic() + 15
while refreshing.get_token().access_token == first.access_token and time.monotonic() < deadline:
    time.sleep(0.05)
current = refreshing.get_token()
result["refresh"] = {
    "firstAccessToken": first.access_token,
    "refreshedAccessToken": current.access_token,
    "firstRefreshToken": first.refresh_token,
    "refreshedRefreshToken": current.refresh_token,
    "userAfterRefresh": describe_user(refreshing_client.admin.User.get_current()),
}

emit({"event": "result", **result})
