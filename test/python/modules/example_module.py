# A compute module on the unmodified Python SDK (compute_modules), run by
# test/python/compute-module-sdk.test.ts with exactly the environment a runtime session hands out.
# Importing compute_modules.annotations starts the SDK when this script ends: it posts the schemas
# of the functions below, then polls with MAX_CONCURRENT_TASKS worker processes.
import logging
import os
import time
from typing import TypedDict

from compute_modules.annotations import function
from compute_modules.context import QueryContext
from compute_modules.logging import set_internal_log_level

# INFO shows each worker's "Polling for new jobs..." (the test waits for them) and errors.
set_internal_log_level(logging.INFO)


class AddInput(TypedDict):
    x: int
    y: int


class ExplodeInput(TypedDict):
    message: str


class LargeInput(TypedDict):
    size: int


class SlowInput(TypedDict):
    seconds: float


class SlowOutput(TypedDict):
    jobId: str
    pid: int
    startedAt: float
    finishedAt: float


# Printable ASCII, quote and backslash included: json.dumps and JSON.stringify escape it alike.
LARGE_BLOCK = "".join(chr(32 + (index * 7919) % 95) for index in range(9973))


@function
def add(context, event: AddInput) -> int:
    return event["x"] + event["y"]


# No return annotation: the SDK posts its default output type for this one.
@function
def explode(context, event: ExplodeInput):
    raise ValueError(event["message"])


@function
def large(context, event: LargeInput) -> str:
    size = event["size"]
    return (LARGE_BLOCK * (size // len(LARGE_BLOCK) + 1))[:size]


# Reports its own execution window, so the test sees which jobs ran at the same time.
@function
def slow(context: QueryContext, event: SlowInput) -> SlowOutput:
    started = time.time() * 1000
    time.sleep(event["seconds"])
    return {"jobId": context.jobId, "pid": os.getpid(), "startedAt": started, "finishedAt": time.time() * 1000}
