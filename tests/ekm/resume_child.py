"""Child process of test_ekm_resume: resume a private-endpoint create from a continuation token given on argv.

The token was made in another process; this one has its own client and its own fake HSM (holding the job as
"Running", then "Succeeded"). Prints one JSON line: the resumed poller's outcome and the requests it sent.
"""

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests folder: ekm, clients, _recording

from ekm.ekm_fakes import EkmHsm, Job, make_ekm_client


def outcome(hsm: EkmHsm, poller: Any, operation: Any) -> dict[str, Any]:
    return {
        "status": poller.status(),
        "job_id": operation.job_id,
        "operation_status": str(operation.status.value),
        "operation_type": type(operation.operation_type).__name__,
        "requests": [[sent.method, sent.url] for sent in hsm.sent],
        "token_unchanged": poller.continuation_token() == sys.argv[2],
    }


def run_sync(token: str, hsm: EkmHsm) -> dict[str, Any]:
    with make_ekm_client("sync", hsm) as client:
        poller = client.begin_create_ekm_private_endpoint("ignored", "ignored", continuation_token=token,
                                                          polling_interval=0)
        return outcome(hsm, poller, poller.result())


async def run_async(token: str, hsm: EkmHsm) -> dict[str, Any]:
    async with make_ekm_client("async", hsm) as client:
        poller = await client.begin_create_ekm_private_endpoint("ignored", "ignored", continuation_token=token,
                                                                polling_interval=0)
        return outcome(hsm, poller, await poller.result())


def main() -> None:
    flavor, token = sys.argv[1], sys.argv[2]
    hsm = EkmHsm(jobs={"job01": Job("pe-1", "Create", ["Running", "Succeeded"])})
    print(json.dumps(run_sync(token, hsm) if flavor == "sync" else asyncio.run(run_async(token, hsm))))


if __name__ == "__main__":
    main()
