"""The composed emulator documents every JSON and hook route it serves."""

from __future__ import annotations

import re


def test_every_api_hook_and_oauth_route_is_in_the_openapi_document(platform, api):
    document = api.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = set(document["paths"])
    served = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in platform.emulator.url_map.iter_rules()
        if rule.rule.startswith(("/api", "/hooks", "/connections/oauth"))
    }
    assert served - documented == set()
