"""Declarative connector definitions: an App and its triggers, actions and searches.

An operation is a plain frozen object: what it is (key, noun, label, description), what it takes
(input fields), what it returns (output fields and a sample), and the functions that do the work.
The runtime (:mod:`connector.runtime`) runs them; nothing here performs I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import httpx

    from connector.context import Context, HookRequest
    from connector.records import RecordType

FieldType = Literal[
    "string", "text", "integer", "number", "boolean", "datetime", "email", "password", "list", "dict",
    "line_items", "file",
]
FIELD_TYPES: tuple[str, ...] = (
    "string", "text", "integer", "number", "boolean", "datetime", "email", "password", "list", "dict",
    "line_items", "file",
)



#: Connection field names whose values are secret whatever an app's ``AuthSpec`` says: encrypted at
#: rest, masked on display and cut out of traces even when an app forgets ``type="password"``.
CREDENTIAL_FIELD_NAMES = frozenset({
    "api_key", "api_token", "token", "access_token", "refresh_token", "client_secret", "private_key", "password",
})
#: The connection field of an app whose connections sign their own token requests with a key pair
#: (``private_key_jwt``): ``connector keys keypair APP`` is offered for every app whose auth declares it.
KEY_PAIR_FIELD = "private_key"
#: Field names whose values are secret wherever they appear on the wire or in a log line: the
#: credentials above plus what OAuth and vendor APIs exchange (ID tokens, PKCE verifiers, client
#: assertions, authorization codes, session tokens, one-time passcodes).
WIRE_SECRET_FIELD_NAMES = CREDENTIAL_FIELD_NAMES | {
    "id_token", "client_assertion", "code_verifier", "assertion", "code", "secret", "session_token", "passcode",
}

@dataclass(frozen=True)
class DynamicChoices:
    """Choices for a field fed by another operation of the same app (a search or a trigger).

    Attributes:
        operation: key of the operation whose results are the choices.
        value: item key that becomes the field's value.
        label: item key (dotted path allowed) shown to the user.
    """

    operation: str
    value: str = "id"
    label: str = "name"


@dataclass(frozen=True)
class Field:
    """One input or output field.

    Output fields may use dotted keys (``profile.email``) to describe nested objects.
    ``line_items`` fields hold a list of objects described by ``children``; ``list`` fields hold
    a list of ``item_type`` values. A ``file`` input is an ``https`` URL the kit downloads or an object
    ``{"filename", "content_type", "content_base64"}`` (see :mod:`connector.files`).
    """

    key: str
    label: str = ""
    type: FieldType = "string"
    required: bool = False
    default: Any = None
    help_text: str = ""
    placeholder: str = ""
    choices: Sequence[str] | Mapping[str, str] | None = None
    dynamic: DynamicChoices | None = None
    children: tuple[Field, ...] = ()
    item_type: FieldType = "string"
    secret: bool = False
    nullable: bool = False
    examples: tuple[Any, ...] = ()

    @property
    def display_label(self) -> str:
        return self.label or self.key.replace("_", " ").replace(".", " ").capitalize()

    @property
    def is_secret(self) -> bool:
        return self.secret or self.type == "password"


@dataclass(frozen=True)
class Operation:
    """What every trigger, action and search has in common."""

    key: str
    noun: str
    label: str
    description: str
    input_fields: tuple[Field, ...] = ()
    output_fields: tuple[Field, ...] = ()
    sample: Mapping[str, Any] = field(default_factory=dict)
    perform: Callable[[Context, dict[str, Any]], Any] | None = None
    hidden: bool = False
    #: Scopes the operation needs, so OAuth connections can request just enough.
    scopes: tuple[str, ...] = ()
    #: The part of the vendor's API it belongs to ("Users", "Groups", "Applications", ...): pickers
    #: group operations by it; empty means the app's main area.
    area: str = ""
    #: One of the operations most users want: pickers list these first (Zapier's ``important``).
    important: bool = False

    kind_name = "operation"
    kind_plural = "operations"

    @property
    def qualified_key(self) -> str:
        return f"{self.kind_plural}.{self.key}"


@dataclass(frozen=True)
class Trigger(Operation):
    """A source of new items: polled, or pushed to a hook URL.

    Poll triggers implement ``perform`` and return a list of objects, newest first, each with a
    unique primitive ``id`` (or the declared ``primary_keys``). Hook triggers implement
    ``subscribe``/``unsubscribe`` (unless ``static_hook``), ``parse_delivery`` and ``list_samples``.
    """

    kind: Literal["poll", "hook"] = "poll"
    primary_keys: tuple[str, ...] = ("id",)
    subscribe: Callable[[Context, dict[str, Any]], dict[str, Any]] | None = None
    unsubscribe: Callable[[Context, dict[str, Any]], None] | None = None
    parse_delivery: Callable[[Context, HookRequest], list[dict[str, Any]]] | None = None
    #: Optional: several deliveries of one flow parsed at once, for vendors whose items are completed by
    #: reads that can serve many deliveries in one call (Okta: the users' current profiles). Returns, per
    #: request and in order, its items or the exception that delivery alone met (a malformed body); an
    #: exception raised fails them all. Without it the platform calls ``parse_delivery`` for each.
    parse_deliveries: Callable[[Context, list[HookRequest]], list[list[dict[str, Any]] | Exception]] | None = None
    list_samples: Callable[[Context, dict[str, Any]], list[dict[str, Any]]] | None = None
    #: Answers a vendor's handshake (e.g. Okta's verification challenge); None when not a handshake.
    handshake: Callable[[HookRequest], dict[str, Any] | None] | None = None
    #: Checks that a delivery really comes from the vendor (shared secret or signature).
    authenticate: Callable[[HookRequest, dict[str, Any]], bool] | None = None
    #: A hook whose URL the user pastes into the vendor by hand: no subscribe/unsubscribe.
    static_hook: bool = False
    #: For a vendor that sends every event of an app to one URL (set in the app's settings): how
    #: the platform routes each delivery to the flows it is for. Implies ``static_hook``.
    app_hook: AppHook | None = None

    kind_name = "trigger"
    kind_plural = "triggers"


@dataclass(frozen=True)
class AppHook:
    """One app-level hook URL for every flow of the app; deliveries are routed, not subscribed.

    HighLevel's marketplace apps work this way: the app's webhook URL is set once in its settings and
    events of every location that installed the app arrive there. The platform receives them on
    ``/hooks/apps/<app>``, authenticates each against the connection of every flow whose
    ``connection_route`` equals the delivery's ``delivery_route``, refuses a repeated ``delivery_id``,
    and stores the delivery for each matching flow. Turning a flow on or off makes no vendor call.
    ``authenticate`` is given the connection's fields (never its secrets' use: only to pick trust).
    """

    delivery_route: Callable[[HookRequest], str | None]
    connection_route: Callable[[Mapping[str, Any]], str | None]
    authenticate: Callable[[HookRequest, Mapping[str, Any]], bool]
    delivery_id: Callable[[HookRequest], str | None] | None = None
    #: How long a delivery id is remembered (deliveries older than this fail ``authenticate``).
    replay_window_seconds: float = 300.0


@dataclass(frozen=True)
class Action(Operation):
    """Changes something in the app and returns the resulting object."""

    semantics: Literal["create", "update", "upsert", "delete"] = "create"
    #: A repeated run with the same input (a replay) returns the same record instead of a new one,
    #: through an idempotency key, search-then-create or upsert.
    idempotent: bool = False

    kind_name = "action"
    kind_plural = "actions"


@dataclass(frozen=True)
class Search(Operation):
    """Finds objects; returns a list (possibly empty), best match first."""

    kind_name = "search"
    kind_plural = "searches"


@dataclass(frozen=True)
class SearchOrCreate(Action):
    """Find a record with a search; create it with an action when none is found. One step in a flow.

    Zapier's ``searchOrCreates``: the pair is named by the keys of an existing search and an existing
    create action of the same app, and a flow uses it as one step whose output says which happened
    (``found_or_created``: ``"found"`` or ``"created"``) beside the record's own fields. Build it with
    :meth:`of`, which merges the two operations' input fields (one form: a field both take appears once)
    and takes the create's output fields. The runtime runs the app's operations by these keys, so the
    search and the create stay the single source of their behaviour; ``connector validate`` checks that
    both keys exist, are a search and a create, and that fields they share have the same type.

    It is idempotent by construction: a replay finds what the first run created.
    """

    search: str = ""
    create: str = ""

    kind_name = "search_or_create"
    kind_plural = "search_or_creates"

    @classmethod
    def of(
        cls, search: Search, create: Action, *, key: str, label: str, description: str, important: bool = False,
        area: str | None = None,
    ) -> SearchOrCreate:
        """The search-or-create of ``search`` and ``create``, its fields merged from theirs.

        The form lists the search's fields first (what identifies the record), then the create's others. A
        field both take keeps the create's definition, required when either requires it.
        """
        create_fields = {f.key: f for f in create.input_fields}
        merged: list[Field] = []
        for f in search.input_fields:
            other = create_fields.pop(f.key, None)
            if other is None:
                merged.append(f)
            else:
                merged.append(other if other.required or not f.required else _required(other))
        merged.extend(create_fields.values())
        return cls(
            key=key, noun=create.noun, label=label, description=description,
            input_fields=tuple(merged),
            output_fields=(*create.output_fields, Field("found_or_created", "Found or created",
                                                        choices=("found", "created"), required=True)),
            sample={**dict(create.sample), "found_or_created": "found"},
            scopes=tuple(dict.fromkeys((*search.scopes, *create.scopes))),
            area=create.area if area is None else area, important=important,
            semantics="upsert", idempotent=True, search=search.key, create=create.key,
        )


def _required(f: Field) -> Field:
    return replace(f, required=True)


@dataclass(frozen=True)
class AuthSpec:
    """How a connection authenticates.

    Attributes:
        type: ``api_key``, ``oauth2`` (authorization code) or ``oauth2_client_credentials``.
        fields: what the user enters; password-typed or secret fields are encrypted at rest.
        scopes: every scope the app's operations may need.
        handler: builds the ``httpx.Auth`` that applies the credential to requests.
        test: a cheap authenticated call; returns data for the connection label.
        label: builds the label shown to the user from ``test``'s result.
        base_url: builds the API base URL from the connection's fields.
        url_field: the connection field the user types the API's address into (named when the address
            is refused), so forms and messages need no knowledge of the app.
        fields_from_token: picks connection fields out of an OAuth token response (e.g. the account the
            user chose on the consent page), for the CLI and the emulator alike.
        secret_headers: headers that carry the credential besides the ones every trace redacts
            (``Authorization``, cookies, names with token/key/secret/auth): redacted in traces and run
            history, and never settable by hand in the "API request" action.
    """

    type: Literal["api_key", "oauth2", "oauth2_client_credentials"]
    fields: tuple[Field, ...] = ()
    scopes: tuple[str, ...] = ()
    authorize_url: str = ""
    token_url: str = ""
    handler: Callable[[Mapping[str, Any]], httpx.Auth] | None = None
    test: Callable[[Context], dict[str, Any]] | None = None
    label: Callable[[dict[str, Any]], str] | None = None
    base_url: Callable[[Mapping[str, Any]], str] | None = None
    url_field: str = "base_url"
    fields_from_token: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None
    secret_headers: tuple[str, ...] = ()

    def secret_field_keys(self) -> frozenset[str]:
        """Every connection field that must be encrypted at rest, masked on display and kept out of traces."""
        return CREDENTIAL_FIELD_NAMES | {f.key for f in self.fields if f.is_secret}

    @property
    def takes_key_pair(self) -> bool:
        """Whether connections may authenticate with a generated key pair (a :data:`KEY_PAIR_FIELD` field)."""
        return any(f.key == KEY_PAIR_FIELD for f in self.fields)

    def endpoint_url(self, endpoint: str, fields: Mapping[str, Any]) -> str:
        """The absolute ``authorize_url`` or ``token_url``: a connection field of that name wins, then the
        spec's value, resolved against the connection's base URL when it is a path."""
        given = fields.get(endpoint) or getattr(self, endpoint)
        if not given or "://" in str(given):
            return str(given)
        base = self.base_url(fields) if self.base_url is not None else ""
        return base.rstrip("/") + "/" + str(given).lstrip("/")


_PLURALS = ("triggers", "actions", "searches", "search_or_creates")


@dataclass(frozen=True)
class App:
    """A connector: one vendor's API described for an automation marketplace."""

    key: str
    name: str
    version: str
    description: str
    auth: AuthSpec
    triggers: tuple[Trigger, ...] = ()
    actions: tuple[Action, ...] = ()
    searches: tuple[Search, ...] = ()
    #: Search-or-create pairs (Zapier's ``searchOrCreates``): one flow step that finds or creates.
    search_or_creates: tuple[SearchOrCreate, ...] = ()
    homepage: str = ""
    #: ``module:attribute`` of a click command serving this app's sandbox (a stateful local fake of the
    #: vendor's API), so ``connector sandbox APP`` finds it; empty when the app has none.
    sandbox: str = ""
    #: Kinds of records a two-way sync can keep equal with another app's (see connector.records).
    record_types: tuple[RecordType, ...] = ()

    @property
    def operations(self) -> tuple[Operation, ...]:
        return (*self.triggers, *self.actions, *self.searches, *self.search_or_creates)

    def operation(self, key: str) -> Operation:
        """Find an operation by key (``new_user``) or qualified key (``triggers.new_user``)."""
        plain = key.split(".", 1)[1] if key.split(".", 1)[0] in _PLURALS else key
        for op in self.operations:
            if op.key == plain and (plain == key or op.qualified_key == key):
                return op
        known = ", ".join(op.key for op in self.operations) or "none"
        from connector.errors import BadInput

        raise BadInput(f"app {self.key!r} has no operation {key!r}; known operations: {known}", "operation")

    def record_type(self, key: str) -> RecordType:
        """Find a record type by key (``employee``) or qualified key (``personio.employee``)."""
        plain = key.removeprefix(f"{self.key}.")
        for record_type in self.record_types:
            if record_type.key == plain:
                return record_type
        known = ", ".join(f"{self.key}.{rt.key}" for rt in self.record_types) or "none"
        from connector.errors import BadInput

        raise BadInput(f"app {self.key!r} has no record type {key!r}; known record types: {known}", "record_type")
