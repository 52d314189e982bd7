"""How the scripts report what the SDK raised, so the TypeScript tests can compare it."""


def rpc_error_of(error):
    """A PalantirRPCException as the fields Foundry's envelope gave it."""
    return {
        "raised": type(error).__name__,
        "name": error.name,
        "parameters": error.parameters,
        "errorInstanceId": error.error_instance_id,
    }
