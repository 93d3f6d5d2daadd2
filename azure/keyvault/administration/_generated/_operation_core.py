"""The sans-I/O half of every operation, shared by the sync and async operation classes.

The twins in ``_operations.py`` and ``aio/_operations.py`` only send requests and wrap results
in pollers/pagers; everything else (keyword handling, request preparation, status checks, error
mapping, deserialization, next-link requests, LRO settings) lives here.
"""

from typing import TYPE_CHECKING, Any, Callable, Mapping, MutableMapping, Optional
from urllib.parse import urlparse

from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    ResourceNotModifiedError,
    map_error,
)
from azure.core.pipeline import PipelineResponse
from azure.core.polling.base_polling import LROBasePolling, OperationResourcePolling, StatusCheckPolling
from azure.core.rest import HttpRequest

from ._codecs import Codecs, failsafe_deserialize, response_payload
from ._request_builders import (
    ACCEPT_HEADERS,
    JSON_HEADERS,
    OperationSpec,
    build_next_link_request,
    build_request,
    plain_relative_url,
)

if TYPE_CHECKING:
    from ._serialization import Deserializer, Serializer

#: Status codes mapped to specific exceptions; callers may extend or override with ``error_map=``.
DEFAULT_ERROR_MAP: Mapping[int, type[HttpResponseError]] = {
    401: ClientAuthenticationError,
    404: ResourceNotFoundError,
    409: ResourceExistsError,
    304: ResourceNotModifiedError,
}

#: ``final-state-via`` of every Key Vault LRO: the result is the last status body, no final GET.
LRO_OPTIONS = {"final-state-via": "azure-async-operation"}

ClsType = Optional[Callable[..., Any]]


class AsyncOperationStatusPolling(OperationResourcePolling):
    """Polls the ``Azure-AsyncOperation`` status URL; the last status body is the result.

    azure-core's default algorithm watches ``Operation-Location`` and would GET the request URL
    after a PUT succeeds (``/restore`` has no GET), so Key Vault needs this variant.
    """

    def __init__(self) -> None:
        super().__init__("azure-asyncoperation", lro_options=dict(LRO_OPTIONS))

    def get_final_get_url(self, pipeline_response: PipelineResponse) -> None:
        return None


def lro_algorithms(spec: Optional[OperationSpec] = None) -> list[Any]:
    """Fresh polling algorithms for one poller of ``spec`` (they keep per-operation state).

    Key Vault jobs (the default) follow ``Azure-AsyncOperation`` with no final GET and fall back to a finished
    status; EKM private endpoints use azure-core's operation-resource algorithm on ``Azure-AsyncOperation`` alone
    (so a 202 without it fails with ``BadResponse``, and a POST's ``Location`` is fetched after success).
    """
    if spec is not None and spec.lro_style == "resource":
        return [OperationResourcePolling("azure-asyncoperation")]
    return [AsyncOperationStatusPolling(), StatusCheckPolling()]


def encode_continuation_token(initial_response: PipelineResponse) -> str:
    """azure-core's continuation token (base64 JSON) for an operation's initial response.

    ``LROBasePolling`` makes such tokens; azure-core's ``NoPolling`` cannot (its initial response is not
    JSON-serializable), so ``polling=False`` pollers borrow this encoding and stay resumable.
    """
    encoder: LROBasePolling[Any, Any, Any] = LROBasePolling()
    encoder._initial_response = initial_response
    return encoder.get_continuation_token()


def decode_continuation_token(continuation_token: str, **kwargs: Any) -> tuple[Any, Any, Any]:
    """``(client, initial_response, deserialization_callback)`` from a token of :func:`encode_continuation_token`.

    :raises ValueError: The token is malformed, or ``client``/``deserialization_callback`` is missing.
    """
    return LROBasePolling.from_continuation_token(continuation_token, **kwargs)


class PreparedCall:
    """A request ready to send, with the error map and ``cls`` taken out of the keywords."""

    __slots__ = ("cls", "error_map", "request", "spec")

    def __init__(
        self, spec: OperationSpec, request: HttpRequest, error_map: Mapping[int, Any], cls: ClsType
    ) -> None:
        self.spec = spec
        self.request = request
        self.error_map = error_map
        self.cls = cls


class LroSettings:
    """The LRO keywords of a ``begin_*`` call (``polling``, ``polling_interval``,
    ``continuation_token``, ``cls``), popped from the caller's keywords."""

    __slots__ = ("cls", "continuation_token", "polling", "polling_interval")

    def __init__(self, kwargs: MutableMapping[str, Any], default_interval: float) -> None:
        self.polling: Any = kwargs.pop("polling", True)
        self.polling_interval: float = kwargs.pop("polling_interval", default_interval)
        self.continuation_token: Optional[str] = kwargs.pop("continuation_token", None)
        self.cls: ClsType = kwargs.pop("cls", None)


class OperationsCore:
    """Base of every operation class: holds the client parts and the shared logic.

    :param client: The azure-core (Async)PipelineClient.
    :param config: The client configuration (its ``api_version`` is sent on every request).
    :param codecs: The client's msrest serializer and deserializer over all models (made on first use).
    """

    _client: Any
    _config: Any
    _codecs: Codecs
    _vault_prefixes: dict[Any, Optional[str]]

    def __init__(self, client: Any, config: Any, codecs: Codecs) -> None:
        self._client = client
        self._config = config
        self._codecs = codecs

    @property
    def _serialize(self) -> "Serializer":
        return self._codecs.serializer

    @property
    def _deserialize(self) -> "Deserializer":
        return self._codecs.deserializer

    # -- requests ----------------------------------------------------------------------------

    def _absolute(self, request: HttpRequest, vault_base_url: str) -> HttpRequest:
        """Join a relative request to the vault URL (inserted as given, not percent-quoted)."""
        base = self._serialize.url("vault_base_url", vault_base_url, "str", skip_quote=True)
        request.url = self._client.format_url(request.url, vaultBaseUrl=base)
        return request

    def _vault_prefix(self, vault_base_url: Any) -> Optional[str]:
        """What :meth:`_absolute` puts before a relative request's path (``scheme://host[/path]``), or None.

        Worked out once per vault URL and confirmed against ``format_url`` itself; None for a vault URL whose join
        is not plain concatenation (braces, a query, parameters or a fragment of its own), which then always
        takes the general path.
        """
        prefixes: Optional[dict[Any, Optional[str]]] = self.__dict__.get("_vault_prefixes")
        if prefixes is None:  # (the generated client mixes this class in without calling __init__)
            prefixes = self._vault_prefixes = {}
        try:
            return prefixes[vault_base_url]
        except (KeyError, TypeError):
            pass
        prefix: Optional[str] = None
        if type(vault_base_url) is str and "{" not in vault_base_url and "}" not in vault_base_url:
            try:
                parsed = urlparse(vault_base_url.rstrip("/"))
                candidate = f"{parsed.scheme}://{parsed.netloc}{parsed.path.rstrip('/')}"
                probe = self._client.format_url("/p/q?a=1", vaultBaseUrl=vault_base_url)
                plain = parsed.scheme and parsed.netloc and not (parsed.params or parsed.query or parsed.fragment)
                prefix = candidate if plain and probe == candidate + "/p/q?a=1" else None
            except ValueError:
                prefix = None
            if len(prefixes) < 16:
                prefixes[vault_base_url] = prefix
        return prefix

    def _plain_request(
        self,
        spec: OperationSpec,
        vault_base_url: str,
        path: Optional[Mapping[str, Any]],
        query: Optional[Mapping[str, Any]],
        json: Any,
    ) -> Optional[HttpRequest]:
        """The absolute request of the plain case (no caller headers or params), built from precomputed parts:
        the same method, URL, headers and body as :func:`build_request` + :meth:`_absolute`. None otherwise."""
        relative = plain_relative_url(spec, self._config.api_version, path, query)
        if relative is None:
            return None
        prefix = self._vault_prefix(vault_base_url)
        if prefix is None:
            return None
        url = prefix + "/" + relative.lstrip("/")
        return HttpRequest(spec.method, url, headers=JSON_HEADERS if json is not None else ACCEPT_HEADERS, json=json)

    def _prepare(
        self,
        spec: OperationSpec,
        vault_base_url: str,
        kwargs: MutableMapping[str, Any],
        path: Optional[Mapping[str, Any]] = None,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = None,
    ) -> PreparedCall:
        """Pop the operation keywords from ``kwargs`` and build the absolute request.

        What stays in ``kwargs`` goes to the pipeline run.
        """
        error_map: Mapping[int, Any] = DEFAULT_ERROR_MAP  # only read (by map_error): copied only to extend it
        caller_map = kwargs.pop("error_map", None)
        if caller_map:
            error_map = dict(DEFAULT_ERROR_MAP)
            error_map.update(caller_map)
        cls = kwargs.pop("cls", None)
        headers = kwargs.pop("headers", None)
        params = kwargs.pop("params", None)
        json = None
        if body is not None and spec.body_type is not None:
            json = self._serialize.body(body, spec.body_type)
        if headers is None and params is None:
            plain = self._plain_request(spec, vault_base_url, path, query, json)
            if plain is not None:
                return PreparedCall(spec, plain, error_map, cls)
        request = build_request(
            spec,
            api_version=self._config.api_version,
            path=path,
            query=query,
            json=json,
            headers=headers,
            params=params,
        )
        return PreparedCall(spec, self._absolute(request, vault_base_url), error_map, cls)

    def _next_page_request(self, next_link: str, vault_base_url: str) -> HttpRequest:
        return self._absolute(build_next_link_request(next_link, api_version=self._config.api_version), vault_base_url)

    # -- responses ---------------------------------------------------------------------------

    def _check_status(self, status: int, pipeline_response: PipelineResponse, error_map: Mapping[int, Any]) -> None:
        """Raise the mapped exception, or HttpResponseError with the parsed KeyVaultError."""
        response = pipeline_response.http_response
        if response.status_code == status:
            return
        map_error(status_code=response.status_code, response=response, error_map=error_map)
        try:
            payload = response_payload(pipeline_response)
        except ValueError:
            payload = None
        error = failsafe_deserialize(self._deserialize, "KeyVaultError", payload)
        raise HttpResponseError(response=response, model=error)

    def _response_headers(self, spec: OperationSpec, pipeline_response: PipelineResponse) -> dict[str, Any]:
        if not spec.lro:
            return {}
        headers = pipeline_response.http_response.headers
        retry_after = headers.get("Retry-After")
        return {
            "Azure-AsyncOperation": headers.get("Azure-AsyncOperation"),
            "Retry-After": int(retry_after) if retry_after and retry_after.isdigit() else None,
        }

    def _deserialize_body(self, spec: OperationSpec, pipeline_response: PipelineResponse) -> Any:
        if spec.response_type is None:
            return None
        return self._deserialize(spec.response_type, response_payload(pipeline_response))

    def _result(self, call: PreparedCall, pipeline_response: PipelineResponse, raw: bool = False) -> Any:
        """The operation's return value: the model (or, with ``raw``, the PipelineResponse),
        or whatever ``cls(pipeline_response, deserialized, response_headers)`` returns."""
        self._check_status(call.spec.status, pipeline_response, call.error_map)
        if call.cls is None and raw:
            return pipeline_response
        deserialized = self._deserialize_body(call.spec, pipeline_response)
        if call.cls is not None:
            return call.cls(pipeline_response, deserialized, self._response_headers(call.spec, pipeline_response))
        return deserialized

    def _page_items(self, spec: OperationSpec, pipeline_response: PipelineResponse, cls: ClsType) -> tuple[Any, Any]:
        """``(next_link or None, items)`` of one list page; ``cls`` maps the item list."""
        page = self._deserialize_body(spec, pipeline_response)
        items = (page.value if page is not None else None) or []
        if cls is not None:
            items = cls(items)
        # Single-page lists (EKM private endpoints) have no next link; a nextLink they carry is ignored.
        next_link = getattr(page, "next_link", None)
        return next_link or None, items

    def _lro_output(self, spec: OperationSpec, cls: ClsType) -> Callable[[PipelineResponse], Any]:
        """The poller's deserialization callback: the final status body as ``spec``'s model."""

        def get_long_running_output(pipeline_response: PipelineResponse) -> Any:
            deserialized = self._deserialize_body(spec, pipeline_response)
            if cls is not None:
                return cls(pipeline_response, deserialized, self._response_headers(spec, pipeline_response))
            return deserialized

        return get_long_running_output

    def _polling_method(
        self,
        spec: OperationSpec,
        settings: LroSettings,
        vault_base_url: str,
        kwargs: MutableMapping[str, Any],
        base_polling: Callable[..., Any],
        no_polling: Callable[[], Any],
    ) -> Any:
        """The polling method for ``polling``: True -> ``base_polling``, False -> ``no_polling``,
        anything else is used as given.

        What stays in ``kwargs`` goes with every status request. For EKM private endpoints that includes the
        caller's ``headers`` (the official client sends them with each poll); Key Vault job polls send none.
        Status URLs (also relative ones) are resolved against the vault URL.
        """
        dropped = ("error_map", "params") if spec.lro_style == "resource" else ("error_map", "headers", "params")
        for key in dropped:
            kwargs.pop(key, None)
        if settings.polling is True:
            return base_polling(
                settings.polling_interval,
                lro_algorithms=lro_algorithms(spec),
                lro_options=dict(LRO_OPTIONS),
                path_format_arguments={"vaultBaseUrl": vault_base_url},
                **kwargs,
            )
        if settings.polling is False:
            return no_polling()
        return settings.polling
