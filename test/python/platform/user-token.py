"""UserTokenAuth against the emulator: get_current for a user, then a bad token and a missing scope.

Usage: user-token.py <token with api:admin-read> <token without it>. Prints one JSON object.
"""

import json
import os
import sys

import certifi

from foundry import PalantirRPCException, UserTokenAuth
from foundry._errors.sdk_internal_error import SDKInternalError
from foundry.v2 import FoundryClient
from sdk_report import rpc_error_of

hostname = os.environ["FOUNDRY_HOSTNAME"]
admin_token, narrow_token = sys.argv[1], sys.argv[2]


def client_for(token):
    return FoundryClient(auth=UserTokenAuth(hostname=hostname, token=token), hostname=hostname)


result = {}

# 2. A user's token: the SDK's pydantic model parses the emulator's User.
user = client_for(admin_token).admin.User.get_current()
result["user"] = {
    "type": f"{type(user).__module__}.{type(user).__qualname__}",
    "id": user.id,
    "username": user.username,
    "givenName": user.given_name,
    "familyName": user.family_name,
    "email": user.email,
    "realm": user.realm,
    "organization": user.organization,
    "status": (user.model_extra or {}).get("status"),
    "attributes": user.attributes,
    "toDict": user.to_dict(),
}

# 5a. A bad token: 401. The SDK raises requests' HTTPError on a 401, which handle_unexpected wraps.
try:
    client_for("not-a-foundry-token").admin.User.get_current()
    result["badToken"] = {"raised": None}
except SDKInternalError as error:
    cause = error.__cause__
    response = getattr(cause, "response", None)
    result["badToken"] = {
        "raised": type(error).__name__,
        "message": error.msg,
        "cause": f"{type(cause).__module__}.{type(cause).__qualname__}",
        "status": response.status_code if response is not None else None,
        "body": response.json() if response is not None else None,
    }

# 5b. A valid token without api:admin-read: 403, the SDK's PalantirRPCException.
try:
    client_for(narrow_token).admin.User.get_current()
    result["missingScope"] = {"raised": None}
except PalantirRPCException as error:
    result["missingScope"] = rpc_error_of(error)

# Last: trusting only the public CAs (certifi's bundle), the SDK refuses the emulator's certificate,
# so the calls above were verified against the emulator's CA and nothing else.
os.environ["REQUESTS_CA_BUNDLE"] = certifi.where()
try:
    client_for(admin_token).admin.User.get_current()
    result["untrusted"] = {"raised": None}
except Exception as error:
    result["untrusted"] = {"raised": f"{type(error).__module__}.{type(error).__qualname__}"}

json.dump(result, sys.stdout)
print()
