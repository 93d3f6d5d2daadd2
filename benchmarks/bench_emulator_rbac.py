"""How long does a permission check take for a principal whose role has 20,000 data action patterns?

Starts an in-process emulator, creates a custom role with ``--patterns`` data actions (default 20,000: half exact
names, half ``.../area<i>/*`` wildcards; the one that grants ``settings/read/action`` sits in the middle) and
assigns it to a principal. Then measures:

* ``before``: the previous check (``fnmatch`` on every pattern, the definition's JSON read and parsed on every
  request), reproduced here on the same store: the first check and the steady state;
* ``after``: :func:`mhsm_emulator.rbac.is_allowed` (patterns compiled once per definition version): the first
  check after an update of the definition (which compiles it) and the steady state;
* over HTTPS: the first ``GET /settings`` of that principal (the issue measured 1.7 s) and the steady state.

Not run by the tests (timings are measured here only, never asserted):

    .venv/bin/python benchmarks/bench_emulator_rbac.py [--patterns 20000] [--rounds 200]
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import statistics
import time
import uuid
from collections.abc import Callable

import requests
from mhsm_emulator import run_emulator
from mhsm_emulator.rbac import is_allowed
from mhsm_emulator.rbac_store import assignments_for_principal, find_definition
from mhsm_emulator.scopes import scope_contains
from mhsm_emulator.store import Store

PREFIX = "Microsoft.KeyVault/managedHsm/"
ACTION = PREFIX + "settings/read/action"
API = {"api-version": "2025-07-01"}


def _before_is_allowed(store: Store, principal_id: str, action: str, scope: str) -> bool:
    """The check as it was: every pattern through fnmatch, the definition re-read and parsed per request."""
    lowered = action.lower()

    def matches(patterns: list[str]) -> bool:
        return any(fnmatch.fnmatchcase(lowered, pattern.lower()) for pattern in patterns)

    for assigned_scope, name in assignments_for_principal(store, principal_id):
        if not scope_contains(assigned_scope, scope):
            continue
        definition = find_definition(store, name)
        if definition is None:
            continue
        for block in definition["properties"]["permissions"]:
            if matches(block.get("dataActions", [])) and not matches(block.get("notDataActions", [])):
                return True
    return False


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _steady(call: Callable[[], object], rounds: int) -> float:
    return statistics.median(_timed(call) for _ in range(rounds))


def _line(name: str, seconds: float) -> None:
    print(f"{name:<58} {seconds * 1000:10.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patterns", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    patterns = [f"{PREFIX}custom/area{i}/*" if i % 2 else f"{PREFIX}custom/action{i}" for i in range(args.patterns)]
    middle = len(patterns) // 2
    patterns = [*patterns[:middle], ACTION, *patterns[middle:]]
    with run_emulator(database=":memory:") as emu:
        session = requests.Session()

        def call(method: str, path: str, token: str, **kwargs: object) -> requests.Response:
            # verify per request: a session's verify loses to REQUESTS_CA_BUNDLE
            return session.request(method, emu.vault_url + path, params=API, verify=emu.ca_file, timeout=120,
                                   headers={"Authorization": f"Bearer {token}"}, **kwargs)  # type: ignore[arg-type]

        admin = emu.mint_token()
        role = str(uuid.uuid4())
        body = {"properties": {"roleName": "bench", "permissions": [{"dataActions": patterns}]}}
        response = call("PUT", f"/providers/Microsoft.Authorization/roleDefinitions/{role}", admin, json=body)
        assert response.status_code == 201, response.text
        store = emu.state.store
        print(f"role with {len(patterns)} data action patterns ({len(json.dumps(body)) // 1024} KiB)")

        http_principal = emu.create_principal("bench-http").object_id
        emu.assign_role(http_principal, role)
        caller = emu.mint_token(http_principal)
        call("GET", "/keys", admin)  # connection and TLS first

        def get_settings() -> None:
            answer = call("GET", "/settings", caller)
            assert answer.status_code == 200, answer.text

        _line("after  HTTPS: first GET /settings of the principal", _timed(get_settings))
        _line("after  HTTPS: GET /settings, steady (median)", _steady(get_settings, args.rounds))

        principal = emu.create_principal("bench").object_id
        emu.assign_role(principal, role)

        def after() -> None:
            assert is_allowed(store, principal, ACTION, "/")

        def before() -> None:
            assert _before_is_allowed(store, principal, ACTION, "/")

        # An update gives the definition a new version: the next check compiles it again.
        body["properties"]["roleName"] = "bench updated"
        response = call("PUT", f"/providers/Microsoft.Authorization/roleDefinitions/{role}", admin, json=body)
        assert response.status_code == 201
        _line("after  check: first (compiles the updated role)", _timed(after))
        _line("after  check: steady (median)", _steady(after, args.rounds))
        _line("before check: first (fnmatch compiles every pattern)", _timed(before))
        _line("before check: steady (median)", _steady(before, max(5, args.rounds // 20)))


if __name__ == "__main__":
    main()
