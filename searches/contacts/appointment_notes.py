"""Find appointment notes: the notes on an appointment, newest first
(``GET /calendars/appointments/{id}/notes``, pages of 20 walked with ``offset`` while ``hasMore``).

Empty when the appointment does not exist (it may have been deleted).
"""

from __future__ import annotations

from typing import Any

from connector.apps.contacts.appointment_fields import (
    APPOINTMENT_ID_FIELD,
    APPOINTMENT_NOTE_OUTPUT_FIELDS,
    APPOINTMENT_NOTE_SAMPLE,
    NOTES_PAGE,
    READ_SCOPE,
    appointment_note_output,
    appointment_notes_path,
    calendars_call,
)
from connector.context import Context
from connector.definitions import Field, Search
from connector.errors import ResultError

#: Most notes the search returns.
MAX_NOTES = 500
INPUT_FIELDS: tuple[Field, ...] = (
    APPOINTMENT_ID_FIELD,
    Field("limit", "Most notes", type="integer", default=100, help_text=f"Up to {MAX_NOTES}."),
)


def appointment_notes(ctx: Context, values: dict[str, Any]) -> list[dict[str, Any]]:
    appointment_id = values["appointment_id"]
    wanted = max(1, min(int(values.get("limit") or 100), MAX_NOTES))
    found: list[dict[str, Any]] = []
    offset = 0
    while len(found) < wanted:
        params = {"limit": NOTES_PAGE, "offset": offset}
        response = calendars_call(ctx, "GET", appointment_notes_path(appointment_id),
                                  what=f"appointment {appointment_id!r}", params=params)
        if response is None:
            return []
        page = response.json()
        notes = list(page.get("notes") or [])
        found.extend(appointment_note_output(note, appointment_id) for note in notes)
        if not page.get("hasMore"):
            break
        if not notes:
            raise ResultError(f"appointment notes: hasMore with an empty page at offset {offset}, so paging stopped")
        offset += len(notes)
    return found[:wanted]


SEARCH = Search(
    key="appointment_notes",
    noun="Appointment Note",
    label="Find Appointment Notes",
    description="Lists the notes on an appointment, newest first.",
    input_fields=INPUT_FIELDS,
    output_fields=APPOINTMENT_NOTE_OUTPUT_FIELDS,
    sample=APPOINTMENT_NOTE_SAMPLE,
    perform=appointment_notes,
    area="Appointments",
    scopes=(READ_SCOPE,),
)
