"""Each vendor's clock offset, measured from the ``Date`` header of its answers.

"Latest change wins" compares modification times written by two vendors' clocks, which may be
seconds apart. Every answer's ``Date`` (RFC 9110: when the answer was generated, to the whole second)
bounds the offset: if the request left at local time ``t0`` and the answer arrived at ``t1``, the
server's time ``s`` was in ``[D, D + 1)`` and also in ``[t0 + offset, t1 + offset]``, so the offset is
in ``[D - t1, D + 1 - t0]``. Intersecting these intervals over many answers narrows the estimate well
below a second (answers arrive at every fraction of a second); the midpoint is the estimate. An empty
intersection means the vendor's clock was reset: the newest interval starts again.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any


@dataclass
class ClockOffset:
    """Bounds on ``vendor clock - our clock``, in seconds; None until a first ``Date`` is seen."""

    low: float | None = None
    high: float | None = None

    def observe(self, date_header: str | None, sent: float, received: float) -> float | None:
        """Narrow the bounds with one answer; returns the vendor's time (the header's) or None."""
        if not date_header:
            return None
        try:
            vendor = parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError):
            return None
        low, high = vendor - received, vendor + 1.0 - sent
        if self.low is None or self.high is None or low > self.high or high < self.low:
            self.low, self.high = low, high
        else:
            self.low, self.high = max(self.low, low), min(self.high, high)
        return vendor

    @property
    def known(self) -> bool:
        return self.low is not None

    @property
    def seconds(self) -> float:
        """The estimate: the middle of the bounds (0 when no ``Date`` was ever seen)."""
        if self.low is None or self.high is None:
            return 0.0
        return (self.low + self.high) / 2

    @property
    def uncertainty(self) -> float:
        if self.low is None or self.high is None:
            return 0.0
        return (self.high - self.low) / 2

    def to_json(self) -> dict[str, Any]:
        return {"low": self.low, "high": self.high}

    @classmethod
    def from_json(cls, data: Any) -> ClockOffset:
        if not isinstance(data, dict):
            return cls()
        return cls(low=data.get("low"), high=data.get("high"))
