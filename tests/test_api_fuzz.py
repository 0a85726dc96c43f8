"""The JSON API's OpenAPI spec, fuzzed with schemathesis: no input gives a 500.

Each operation's cases come from schemathesis's Hypothesis strategies and are run here
(its pytest plugin does not support this pytest version yet).
"""

from __future__ import annotations

from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

from storytrace.settings import Settings  # noqa: E402
from storytrace.web import WebSettings, create_app  # noqa: E402

EXAMPLES = 25  # per operation


@pytest.fixture(scope="module")
def web_schema(module_demo_db: Path):
    db = module_demo_db
    # A token keeps fuzzed uploads from starting pipeline jobs; they must still get a 4xx.
    app = create_app(WebSettings(db, token="fuzz-token"), Settings().with_(workers=1))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.mark.slow
def test_no_input_makes_the_api_fail(web_schema) -> None:
    operations = [result.ok() for result in web_schema.get_all_operations()]
    assert len(operations) >= 8
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def run(case) -> None:
            # Generous: the first question builds the sentence index (MiniLM over the store)
            response = case.call(timeout=300)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        run()
    assert not failures, failures[:5]
