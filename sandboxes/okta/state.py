"""Everything one sandbox org holds: users, groups, System Log, event hooks, tokens and OAuth clients.

One re-entrant lock guards all of it; stores take the same lock so a request's changes are atomic.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sandboxes.okta.event_hook_store import HookStore
from sandboxes.okta.group_store import GroupStore
from sandboxes.okta.ids import IdFactory
from sandboxes.okta.lifecycle import Lifecycle
from sandboxes.okta.oauth import TokenStore
from sandboxes.okta.settings import OktaSettings
from sandboxes.okta.system_log import SystemLog
from sandboxes.okta.user_store import UserStore
from sandboxes.outbox import Outbox


class OktaState:
    """The org's data, shared by the routes and the Python API of ``OktaSandbox``."""

    def __init__(self, settings: OktaSettings, clock: Callable[[], float], base_url: str, outbox: Outbox):
        self.settings = settings
        self.clock = clock
        self.base_url = base_url
        self.lock = threading.RLock()
        self.ids = IdFactory(settings.id_seed)
        self.log = SystemLog(clock)
        self.users = UserStore(self.log, clock, self.ids, self.lock)
        self.groups = GroupStore(self.log, clock, self.ids, self.lock)
        self.groups.add_everyone(self.users.records)
        self.lifecycle = Lifecycle(self.log, clock, lambda: self.base_url)
        self.tokens = TokenStore(clock)
        self.tokens.add_ssws(settings.token)
        self.hooks = HookStore(
            outbox, clock, self.ids, lambda: self.base_url,
            duplicate_rate=lambda: self.settings.duplicate_rate, seed=settings.delivery_seed,
            allow_http=lambda: self.settings.allow_http_hook_uris,
        )
        self.log.listen(self.hooks.deliver)
        self.seeded: dict[int, int] = {}  # seed -> how many people of that sequence are already used
