"""How an asset or check refuses bad input (census, scenario, run config) or a year out of order:
a failed run whose message says why, marked `bad_input`, not retried, nothing written."""

from typing import NoReturn

from dagster import Failure


def refuse(exc: Exception) -> NoReturn:
    raise Failure(description=str(exc), metadata={"bad_input": True}, allow_retries=False) from exc
