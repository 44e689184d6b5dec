"""The /graphql endpoint as an ASGI app: GraphQL over HTTP around the schema's `execute`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.schema.base import BaseSchema
from strawberry.types.graphql import OperationType

from gateway.server.http.csrf import check_csrf
from gateway.server.http.errors import (
    BAD_REQUEST,
    METHOD_NOT_ALLOWED,
    NOT_ACCEPTABLE,
    UNSUPPORTED_MEDIA_TYPE,
    HttpError,
)
from gateway.server.http.media import (
    GRAPHQL_OFFERS,
    GRAPHQL_OR_PAGE_OFFERS,
    HTML,
    JSON,
    SUPPORTED_ACCEPT,
    is_utf8,
    negotiate,
    parse_media_type,
)
from gateway.server.http.operations import OperationResolutionError, selected_operation
from gateway.server.http.params import (
    NO_QUERY,
    GraphQLParams,
    Resolved,
    from_json_body,
    from_query_string,
)
from gateway.server.http.results import Answer, answer, request_error

if TYPE_CHECKING:
    from gateway.server.apq import PersistedQueries

OPERATIONS_BY_METHOD = {
    "GET": frozenset({OperationType.QUERY}),
    "POST": frozenset({OperationType.QUERY, OperationType.MUTATION}),
}
ALLOW = "GET, POST"

PageRenderer = Callable[[Request], Response]


class GraphQLView:
    """Serves one schema per the GraphQL-over-HTTP draft; docs/http.md describes the rules.

    Subclasses override `get_context`. `page`, when given, answers a GET that prefers
    text/html (a browser opening the URL) with the playground. `max_tokens` bounds the
    parse that picks the operation, as the schema's own limit bounds execution's.
    `persisted_queries` serves `extensions.persistedQuery` (docs/apq.md); without it the
    extension is ignored and every request needs its `query`.
    """

    def __init__(
        self,
        schema: BaseSchema,
        *,
        csrf_prevention: bool = True,
        page: PageRenderer | None = None,
        max_tokens: int = 5000,
        persisted_queries: PersistedQueries | None = None,
    ) -> None:
        self.schema = schema
        self.csrf_prevention = csrf_prevention
        self.page = page
        self.max_tokens = max_tokens
        self.persisted_queries = persisted_queries

    async def get_context(self, request: Request) -> object:
        """The context handed to resolvers for this request."""
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.respond(Request(scope, receive))
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        method = request.method
        with_page = method == "GET" and self.page is not None
        offers = GRAPHQL_OR_PAGE_OFFERS if with_page else GRAPHQL_OFFERS
        media_type = negotiate(request.headers.get("accept"), offers)
        try:
            if method not in OPERATIONS_BY_METHOD:
                raise HttpError(
                    405,
                    METHOD_NOT_ALLOWED,
                    f"{method} is not supported: send queries with GET or POST, "
                    "mutations with POST.",
                    {"Allow": ALLOW},
                )
            if media_type == HTML and self.page is not None:
                return self.page(request)
            if media_type is None:
                raise HttpError(
                    406,
                    NOT_ACCEPTABLE,
                    "None of the media types in Accept can be served: accept "
                    "application/graphql-response+json or application/json (UTF-8).",
                    {"Accept": SUPPORTED_ACCEPT},
                )
            result = await self.handle(request, media_type)
        except HttpError as error:
            error_type = media_type if media_type in GRAPHQL_OFFERS else JSON
            return _response(error.status, error.body(), error_type, error.headers)
        return _response(result.status, result.body, media_type)

    async def handle(self, request: Request, media_type: str) -> Answer:
        """GET: parameters (400), persisted query, mutation (405), CSRF. POST: CSRF, type
        (415), body (400), persisted query."""
        if request.method == "GET":
            params = from_query_string(request.scope["query_string"])
            resolved = await self.resolve_query(params)
            if self._selects_mutation(resolved.query, params.operation_name):
                raise HttpError(
                    405,
                    METHOD_NOT_ALLOWED,
                    "Mutations cannot be sent with GET: use POST.",
                    {"Allow": "POST"},
                )
            if self.csrf_prevention:
                check_csrf(request.headers)
        else:
            if self.csrf_prevention:
                check_csrf(request.headers)
            params = await self.body_params(request)
            resolved = await self.resolve_query(params)
        query = resolved.query
        if not query:
            return request_error(
                "Syntax Error: Unexpected <EOF>.", "GRAPHQL_PARSE_FAILED", media_type
            )
        try:
            operation = selected_operation(query, params.operation_name, self.max_tokens)
        except OperationResolutionError as error:
            return request_error(str(error), "OPERATION_RESOLUTION_FAILURE", media_type)
        if operation is OperationType.SUBSCRIPTION:
            return request_error(
                "Subscriptions are not supported over HTTP.",
                "GRAPHQL_VALIDATION_FAILED",
                media_type,
            )
        result = await self.schema.execute(
            query,
            variable_values=params.variables,
            context_value=await self.get_context(request),
            operation_name=params.operation_name,
            allowed_operation_types=OPERATIONS_BY_METHOD[request.method],
            operation_extensions=params.extensions,
        )
        if self.persisted_queries is not None:
            await self.persisted_queries.executed(resolved, result.errors)
        return answer(result, media_type)

    async def resolve_query(self, params: GraphQLParams) -> Resolved:
        """The document to run: the request's, or the persisted one it names."""
        if self.persisted_queries is not None:
            return await self.persisted_queries.resolve(params)
        if params.query is None:
            raise HttpError(400, BAD_REQUEST, NO_QUERY)
        return Resolved(params.query)

    def _selects_mutation(self, query: str, operation_name: str | None) -> bool:
        try:
            operation = selected_operation(query, operation_name, self.max_tokens)
        except OperationResolutionError:
            return False
        return operation is OperationType.MUTATION

    async def body_params(self, request: Request) -> GraphQLParams:
        content_type = request.headers.get("content-type")
        media_type = parse_media_type(content_type) if content_type is not None else None
        if media_type is None or media_type.essence != JSON or not is_utf8(media_type):
            raise HttpError(
                415,
                UNSUPPORTED_MEDIA_TYPE,
                "POST bodies must be Content-Type: application/json (UTF-8).",
            )
        return from_json_body(await request.body())


def _response(
    status: int, body: bytes, media_type: str, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        body,
        status_code=status,
        headers={
            "Content-Type": f"{media_type}; charset=utf-8",
            "Vary": "Accept",
            **(headers or {}),
        },
    )
