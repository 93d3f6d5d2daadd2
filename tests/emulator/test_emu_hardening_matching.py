"""Data action patterns: only ``*`` is a wildcard, everything else is literal, case-insensitive (issue 8 item 4)."""

from __future__ import annotations

import random
import re

import pytest
from emu_helpers import ASSIGNMENTS, DEFS, Api, assert_error, new_guid
from mhsm_emulator import RunningEmulator
from mhsm_emulator.rbac_store import definition_id

P = "Microsoft.KeyVault/managedHsm/"
SETTING = "/settings/AllowKeyManagementOperationsThroughARM"
STORAGE = {"storageResourceUri": "http://127.0.0.1:9/devstoreaccount1/backups",
           "token": "se=2099-01-01T00%3A00%3A00Z&sp=rcwdl&sig=x"}

LITERAL_CASES = [
    # (pattern, action, matches)
    (P + "[rs]*", P + "settings/write/action", False),
    (P + "[rs]*", P + "roleAssignments/write/action", False),
    (P + "[rs]*", P + "[rs]anything", True),
    (P + "[!k]*", P + "settings/read/action", False),
    (P + "[a-z]*", P + "backup/start/action", False),
    (P + "[a-z]*", P + "[a-z]/x", True),
    (P + "settings/?????/action", P + "settings/write/action", False),
    (P + "settings/?????/action", P + "settings/?????/action", True),
    (P + "keys/rea?/action", P + "keys/read/action", False),
    (P + "keys/read/action", P + "keys/read/action", True),
    (P + "keys.read.action", P + "keys/read/action", False),
    (P.replace(".", "?"), P, False),
    ("Microsoft.KeyVault/managedHsm/keys/read/action", "MicrosoftXKeyVault/managedHsm/keys/read/action", False),
    (P + "keys/read/actio.", P + "keys/read/action", False),
    (P + "keys/read/action+", P + "keys/read/actionnn", False),
    (P + "(keys|settings)/read/action", P + "settings/read/action", False),
    (P + "(keys|settings)/read/action", P + "(keys|settings)/read/action", True),
    ("^" + P + "keys/read/action$", P + "keys/read/action", False),
    (P + "keys/read/action$", P + "keys/read/action$", True),
    (P + "keys\\/read/action", P + "keys/read/action", False),
    (P + "keys\\*", P + "keys\\anything", True),
    (P + "keys/{read,write}/action", P + "keys/read/action", False),
    (P + "keys/.*", P + "keys/read/action", False),
    (P + "keys/.*", P + "keys/.*", True),
    (P + "keys/read/action", P + "keys/read/action/extra", False),
    (P + "keys/read/action", "x" + P + "keys/read/action", False),
    # the wildcard: anywhere, several, empty runs, across slashes, case-insensitive
    (P + "*", P + "settings/write/action", True),
    ("*", P + "keys/read/action", True),
    ("*/action", P + "keys/read/action", True),
    ("*/action", P + "keys/delete", False),
    (P + "keys/*/action", P + "keys/read/action", True),
    (P + "keys/*/action", P + "keys/deletedKeys/recover/action", True),
    (P + "keys/*/action", P + "settings/read/action", False),
    (P + "*/read/*", P + "keys/deletedKeys/read/action", True),
    (P + "keys/*", P + "keys/", True),
    (P + "keys/**", P + "keys/x", True),
    (P + "k*s/r*d/a*n", P + "keys/read/action", True),
    (P + "k*s/r*d/a*n", P + "keys/read/actions", False),
    (P + "ke*ey*", P + "key", False),
    (P + "ab*ba", P + "aba", False),
    (P + "ab*ba", P + "abba", True),
    (P.upper() + "KEYS/*", P.lower() + "keys/read/action", True),
    (P.lower() + "settings/write/action", P + "Settings/Write/Action", True),
    (P + "*[rs]", P + "keys/create", False),
]


@pytest.mark.parametrize(("pattern", "action", "matches"), LITERAL_CASES)
def test_pattern_semantics(pattern: str, action: str, matches: bool) -> None:
    from mhsm_emulator.rbac import ActionPatterns

    assert ActionPatterns([pattern]).matches(action) is matches
    # in a large set the answer is the same
    decoys = [f"{P}decoy/{i}/*" for i in range(50)] + [f"{P}decoy/{i}" for i in range(50)]
    assert ActionPatterns([*decoys, pattern]).matches(action) is matches


def _model(pattern: str, action: str) -> bool:
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, action, re.IGNORECASE | re.DOTALL) is not None


def test_agrees_with_a_regex_model_on_random_patterns() -> None:
    from mhsm_emulator.rbac import ActionPatterns

    rng = random.Random(8)
    alphabet = "ab/*?[].-"
    checked = 0
    for _ in range(3000):
        patterns = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))) for _ in range(rng.randint(1, 4))]
        compiled = ActionPatterns(patterns)
        for _ in range(5):
            action = "".join(rng.choice("ab/?[].-AB") for _ in range(rng.randint(0, 10)))
            assert compiled.matches(action) is any(_model(p, action) for p in patterns), (patterns, action)
            checked += 1
    assert checked == 15000


def _caller_with(emu: RunningEmulator, api: Api, data: list[str], not_data: list[str] | None = None) -> Api:
    name = new_guid()
    body = {"properties": {"permissions": [{"dataActions": data, "notDataActions": not_data or []}]}}
    assert api.put(f"{DEFS}/{name}", json=body).status_code == 201
    principal = emu.create_principal().object_id
    emu.assign_role(principal, name)
    return api.for_principal(principal)


def test_the_reported_patterns_grant_nothing(emu: RunningEmulator, api: Api) -> None:
    caller = _caller_with(emu, api, [P + "[rs]*", P + "settings/?????/action"])
    assert_error(caller.patch(SETTING, json={"value": "false"}), 403, "Forbidden")
    assert_error(caller.get("/settings"), 403, "Forbidden")
    body = {"properties": {"roleDefinitionId": definition_id(new_guid()), "principalId": new_guid()}}
    assert_error(caller.put(f"{ASSIGNMENTS}/{new_guid()}", json=body), 403, "Forbidden")
    assert_error(caller.get(ASSIGNMENTS), 403, "Forbidden")
    assert_error(caller.request("POST", "/backup", json=STORAGE), 403, "Forbidden")
    assert_error(caller.put("/restore", json={"folderToRestore": "f", "sasTokenParameters": STORAGE}), 403,
                 "Forbidden")


def test_star_in_the_middle_and_case(emu: RunningEmulator, api: Api) -> None:
    caller = _caller_with(emu, api, ["MICROSOFT.KEYVAULT/MANAGEDHSM/SETTINGS/*/ACTION"])
    assert caller.get("/settings").status_code == 200
    assert caller.patch(SETTING, json={"value": "false"}).status_code == 200
    assert_error(caller.get(ASSIGNMENTS), 403, "Forbidden")


@pytest.mark.parametrize(("not_data", "write_allowed", "read_allowed"), [
    ([P + "[s]ettings/*"], True, True),
    ([P + "settings/writ?/action"], True, True),
    ([P + "settings/write/action."], True, True),
    ([P + "settings/*"], False, False),
    ([P + "*/write/*"], False, True),
    (["*WRITE*"], False, True),
])
def test_not_data_actions_use_the_same_matching(
    emu: RunningEmulator, api: Api, not_data: list[str], write_allowed: bool, read_allowed: bool
) -> None:
    caller = _caller_with(emu, api, [P + "*"], not_data)
    for response, allowed in ((caller.patch(SETTING, json={"value": "false"}), write_allowed),
                              (caller.get("/settings"), read_allowed)):
        if allowed:
            assert response.status_code == 200, response.text
        else:
            assert_error(response, 403, "Forbidden")
