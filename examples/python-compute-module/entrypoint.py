# Starts module.py the way Foundry would, against foundry-emulator.
#
# In Foundry (or when you pass the reserved variables yourself: GET_JOB_URI is set) module.py is
# started as it is. Otherwise this opens (or resets) a runtime session on the emulator, writes the
# files the session names (the module token with no trailing newline, the CA), and runs module.py
# in exactly the environment the session handed out, so none of the settings below (the admin
# token in particular) reach the module.
#
# module.py runs as a child in its own process group, and SIGTERM/SIGINT go to the whole group: as
# PID 1 the SDK would ignore them (no handler), so `docker stop` would wait for its timeout, and its
# worker processes must stop with it.
#
#   FOUNDRY_EMULATOR_URL          the emulator as this container reaches it, e.g. http://gateway:8080
#   FOUNDRY_RUNTIME_ID            [python-module] the runtime session's id
#   FOUNDRY_DEPLOYED_APP_RID      [ri.foundry.main.deployed-app.<runtime id>] the app it serves
#   FOUNDRY_DEPLOYED_APP_BRANCH   [master]
#   FOUNDRY_MAX_CONCURRENT_TASKS  [1] handed to the module as MAX_CONCURRENT_TASKS, and enforced
#   FOUNDRY_ADMIN_TOKEN           the emulator's admin token, when it has one
#   FOUNDRY_MODULE_FILES          [/tmp/foundry-compute-module] where the session's files go
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

MODULE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "module.py")
# What the interpreter needs, kept beside the session's environment.
INTERPRETER_VARIABLES = ("PATH", "HOME", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED")


def open_session(base_url: str) -> dict:
    runtime_id = os.environ.get("FOUNDRY_RUNTIME_ID", "python-module")
    body = {
        "runtimeId": runtime_id,
        "displayName": f"Python example module ({runtime_id})",
        "deployedAppRid": os.environ.get("FOUNDRY_DEPLOYED_APP_RID", f"ri.foundry.main.deployed-app.{runtime_id}"),
        "branch": os.environ.get("FOUNDRY_DEPLOYED_APP_BRANCH", "master"),
        "maxConcurrentTasks": int(os.environ.get("FOUNDRY_MAX_CONCURRENT_TASKS", "1")),
        "filesDirectory": os.environ.get("FOUNDRY_MODULE_FILES", "/tmp/foundry-compute-module"),
    }
    headers = {"Content-Type": "application/json"}
    if os.environ.get("FOUNDRY_ADMIN_TOKEN"):
        headers["Authorization"] = f"Bearer {os.environ['FOUNDRY_ADMIN_TOKEN']}"
    request = urllib.request.Request(
        f"{base_url.rstrip('/')}/_emulate/foundry/compute-modules/runtimes",
        data=json.dumps(body).encode("utf-8"),
        headers=headers,
        method="POST",
    )
    # The emulator may still be starting (or restarting): retry for a minute.
    for attempt in range(60):
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            if error.code < 500:
                sys.exit(f"the runtime session was refused: {error.code} {error.read().decode('utf-8', 'replace')}")
            reason = f"{error.code}"
        except OSError as error:
            reason = str(error)
        print(json.dumps({"msg": "waiting for the emulator", "attempt": attempt + 1, "reason": reason}), flush=True)
        time.sleep(1)
    sys.exit("the emulator did not answer the runtime session request")


def write_files(session: dict) -> None:
    for file in session["files"]:
        os.makedirs(os.path.dirname(file["path"]), exist_ok=True)
        descriptor = os.open(file["path"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(file["content"])  # as it is: a newline would end up in Module-Auth-Token


def run_module(environment: dict) -> None:
    module = subprocess.Popen([sys.executable, MODULE], env=environment, start_new_session=True)

    def forward(signum, frame):
        try:
            os.killpg(module.pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, forward)
    code = module.wait()
    sys.exit(128 - code if code < 0 else code)


def main() -> None:
    try:
        import compute_modules  # noqa: F401  (fail here, clearly, rather than inside the module)
    except ImportError:
        sys.exit("the compute-module SDK is not importable: mount its source at /opt/foundry-compute-modules (see the Dockerfile)")
    if os.environ.get("GET_JOB_URI"):
        run_module(dict(os.environ))
    base_url = os.environ.get("FOUNDRY_EMULATOR_URL")
    if not base_url:
        sys.exit("set FOUNDRY_EMULATOR_URL (a runtime session is opened there) or the reserved variables (GET_JOB_URI, ...)")
    session = open_session(base_url)
    write_files(session)
    environment = {name: os.environ[name] for name in INTERPRETER_VARIABLES if name in os.environ}
    environment.update(session["environment"])
    print(json.dumps({"msg": "runtime session opened", "runtimeId": session["runtimeId"], "deployedAppRid": session["deployedAppRid"], "getJobUri": session["getJobUri"]}), flush=True)
    run_module(environment)


if __name__ == "__main__":
    main()
