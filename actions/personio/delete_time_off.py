"""Delete Time-Off: remove one time-off by its id."""

from __future__ import annotations

from typing import Any

from connector.apps.personio.time_tracking import TIME_OFF_PATH
from connector.context import Context
from connector.definitions import Action, Field
from connector.paths import api_path


def delete_time_off(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    time_off_id = int(values["time_off_id"])
    ctx.http.delete(api_path(TIME_OFF_PATH, time_off_id=time_off_id))
    return {"id": time_off_id, "deleted": True}


ACTION = Action(
    key="delete_time_off",
    area="Absences",
    noun="Time-Off",
    label="Delete Time-Off",
    description="Deletes a Personio time-off.",
    input_fields=(Field("time_off_id", "Time-off ID", type="integer", required=True,
                        help_text="From List Time-Offs."),),
    output_fields=(Field("id", "Time-off ID", type="integer", required=True),
                   Field("deleted", "Deleted", type="boolean", required=True)),
    sample={"id": 12345, "deleted": True},
    perform=delete_time_off,
    semantics="delete",
)
