"""/api/docs renders its operations in a real browser under the strict CSP (Swagger UI is vendored)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_operations_under_the_strict_csp(page, live_server, regions):
    blocked: list[str] = []
    page.on(
        "console", lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    response = page.goto(f"{live_server.url}/api/docs")
    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    page.wait_for_selector(".opblock", timeout=20000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/households/{household_id}/exit" in paths
    assert "/api/v1/regions" in paths
    assert page.locator(".info .title").inner_text().startswith("精准 jingzhun API")
    assert blocked == []
