"""ConfidentialClientAuth against the emulator: sign-in, get_current, auto-refresh, a missing scope, sign-out.

Prints one JSON object on stdout. FOUNDRY_HOSTNAME is host:port of the HTTPS listener; the CA is
trusted through REQUESTS_CA_BUNDLE only.
"""

import json
import os
import sys
import time

from foundry import ConfidentialClientAuth, PalantirRPCException
from foundry._errors.sdk_internal_error import SDKInternalError
from foundry.v2 import FoundryClient
from sdk_report import rpc_error_of

hostname = os.environ["FOUNDRY_HOSTNAME"]
client_id, client_secret = "service-app", "service-app-secret"


def describe_user(user):
    return {
        "type": f"{type(user).__module__}.{type(user).__qualname__}",
        "id": user.id,
        "username": user.username,
        "realm": user.realm,
        "organization": user.organization,
        "status": (user.model_extra or {}).get("status"),
        "attributes": user.attributes,
    }


result = {}

# Auto-refresh first, so its timer (expires_in - 60 s) runs while the other cases do.
refreshing = ConfidentialClientAuth(client_id, client_secret, hostname, scopes=["api:admin-read"], should_refresh=True)
signed_in = refreshing.sign_in_as_service_user()
first_token = refreshing.get_token().access_token
refreshing_client = FoundryClient(auth=refreshing, hostname=hostname)
refreshing_client.admin.User.get_current()

# 1. Sign in as the service principal, then who am I.
auth = ConfidentialClientAuth(client_id, client_secret, hostname, scopes=["api:admin-read"])
session = auth.sign_in_as_service_user().session
result["signIn"] = {"session": session, "tokenType": auth.get_token().token_type}
result["user"] = describe_user(FoundryClient(auth=auth, hostname=hostname).admin.User.get_current())

# 5. A token without api:admin-read: the SDK's own 403 exception.
narrow = ConfidentialClientAuth(client_id, client_secret, hostname, scopes=["api:read-data"])
narrow.sign_in_as_service_user()
try:
    FoundryClient(auth=narrow, hostname=hostname).admin.User.get_current()
    result["missingScope"] = {"raised": None}
except PalantirRPCException as error:
    result["missingScope"] = rpc_error_of(error)

# 6. sign_out revokes the access token (checked by the test with a plain request).
revoked_token = auth.get_token().access_token
auth.sign_out()
result["signOut"] = {"revokedToken": revoked_token}
try:
    FoundryClient(auth=auth, hostname=hostname).admin.User.get_current()
    result["signOut"]["afterSignOut"] = None
except SDKInternalError as error:
    result["signOut"]["afterSignOut"] = {"raised": type(error).__name__, "cause": type(error.__cause__).__name__}

# 4. The background thread obtained a new token by itself; the client keeps working with it.
deadline = time.monotonic() + 15
while refreshing.get_token().access_token == first_token and time.monotonic() < deadline:
    time.sleep(0.05)
refreshed_token = refreshing.get_token().access_token
result["refresh"] = {
    "expiresIn": signed_in.session["expiresIn"],
    "firstToken": first_token,
    "refreshedToken": refreshed_token,
    "userAfterRefresh": describe_user(refreshing_client.admin.User.get_current()),
}

json.dump(result, sys.stdout)
print()
