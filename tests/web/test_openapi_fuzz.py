"""The API keeps the promises of /openapi.json, on generated requests (schemathesis).

Each operation gets a few generated requests, signed in as an owner and not signed
in: no 500, every status and body as documented. Business rules the schema cannot
express (a unique email, the configured password length) may still refuse a
schema-valid request, so that one check is left out.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance


@pytest.mark.parametrize("who", ["owner", "anonymous"])
def test_the_api_matches_its_openapi_description(site: Any, who: str) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", site.app)
    headers: dict[str, str] = {}
    if who == "owner":
        owner, csrf = site.signed_in("owner")
        cookies = "; ".join(f"{k}={v}" for k, v in owner.cookies.items())
        headers = {"Cookie": cookies, "X-CSRF-Token": csrf}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8,
            derandomize=True,  # the same requests on every run: a failure reproduces
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        check()
        operations += 1
    assert operations >= 10
