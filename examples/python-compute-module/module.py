# An example compute module on the unmodified Python SDK. Nothing here knows about the emulator:
# the SDK reads GET_JOB_URI, POST_RESULT_URI, POST_SCHEMA_URI, RUNTIME_HOST/PORT, MODULE_AUTH_TOKEN
# (a file), CONNECTIONS_TO_OTHER_PODS_CA_PATH and MAX_CONCURRENT_TASKS exactly as in a Foundry
# container, posts the schemas of these functions, then polls over HTTPS with that many workers.
import time
from typing import TypedDict

from compute_modules.annotations import function


class AddInput(TypedDict):
    x: int
    y: int


class GreetInput(TypedDict):
    name: str


class SleepInput(TypedDict):
    seconds: float


@function
def add(context, event: AddInput) -> int:
    return event["x"] + event["y"]


@function
def greet(context, event: GreetInput) -> str:
    return f"Hello, {event['name']}!"


# Takes its time: shows a job staying in progress, and MAX_CONCURRENT_TASKS workers at once.
@function
def sleep(context, event: SleepInput) -> float:
    seconds = min(max(float(event["seconds"]), 0.0), 60.0)
    time.sleep(seconds)
    return seconds
