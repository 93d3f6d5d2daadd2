"""logging_enable=True traces requests at DEBUG without bearer tokens or SAS signatures."""

import json
import logging

import pytest
from azure.core.pipeline import PipelineRequest
from azure.core.rest import HttpRequest
from kv_internal_fakes import OK, ClientHarness, Reply
from reliability_ledger import ledger

from azure.keyvault.administration._internal.logging_policy import REDACTED, redact_text

SAS = "se=2030-01-01T00%3A00%3A00Z&sp=rcwdl&sv=2025-11-05&sr=c&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D"


def test_redact_text_masks_signatures_and_token_members() -> None:
    body = json.dumps({"storageResourceUri": "https://a/b?" + SAS, "token": SAS, "useManagedIdentity": False})
    redacted = redact_text(body)
    assert "c2VjcmV0" not in redacted
    assert json.loads(redacted)["token"] == REDACTED
    assert "sig=REDACTED" in json.loads(redacted)["storageResourceUri"]
    assert redact_text("no secrets here") == "no secrets here"


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_network_trace_hides_token_and_sas(mode: str, caplog: pytest.LogCaptureFixture) -> None:
    harness = ClientHarness(mode, [Reply.challenge(), OK], logging_enable=True)
    body = {"storageResourceUri": "https://acct.blob.core.windows.net/backup", "token": SAS}
    with caplog.at_level(logging.DEBUG, logger="azure.core.pipeline.policies._universal"):
        await harness.send_request(HttpRequest("POST", "/backup?" + SAS, json=body))
    await harness.close()

    sent = harness.requests[-1]
    assert sent.authorization is not None and sent.authorization.startswith("Bearer ")
    assert SAS in sent.url and SAS.encode() in (sent.body or b"")  # the wire is unchanged
    trace = "\n".join(record.getMessage() for record in caplog.records)
    assert "Request URL" in trace and "Request body" in trace  # the trace was written
    token = sent.authorization.split(" ", 1)[1]
    ledger.add("log_lines_scanned", len(trace.splitlines()))
    ledger.add("secrets_in_logs", (token in trace) + ("c2VjcmV0" in trace))
    assert token not in trace
    assert "c2VjcmV0" not in trace
    assert f"'Authorization': '{REDACTED}'" in trace


def _pipeline_request(options: dict[str, object]) -> PipelineRequest[HttpRequest]:
    from azure.core.pipeline import PipelineContext

    context = PipelineContext(None, **options)
    return PipelineRequest(HttpRequest("POST", "https://h/backup?" + SAS, json={"token": SAS}), context)


@pytest.mark.parametrize("logging_enable", [False, True])
def test_no_redacted_copy_is_built_when_nothing_is_logged(
    logging_enable: bool, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from azure.keyvault.administration._internal import logging_policy

    def refuse(*args: object) -> None:
        raise AssertionError("the redacted copy is built although nothing is logged")

    monkeypatch.setattr(logging_policy, "_RedactedRequestView", refuse)
    policy = logging_policy.RedactingNetworkTraceLoggingPolicy()
    request = _pipeline_request({"logging_enable": logging_enable})
    with caplog.at_level(logging.INFO, logger="azure.core.pipeline.policies._universal"):  # DEBUG is off
        policy.on_request(request)
    # Recorded for on_response and taken out of the options, as azure-core's policy does.
    assert request.context["logging_enable"] is logging_enable
    assert "logging_enable" not in request.context.options
    assert caplog.records == []


def test_client_default_is_recorded_when_the_call_says_nothing() -> None:
    from azure.keyvault.administration._internal.logging_policy import RedactingNetworkTraceLoggingPolicy

    request = _pipeline_request({})
    RedactingNetworkTraceLoggingPolicy(logging_enable=True).on_request(request)
    assert request.context["logging_enable"] is True
