"""Delete Attendance: remove one attendance period by its id."""

from __future__ import annotations

from typing import Any

from connector.apps.personio.time_tracking import ATTENDANCE_PATH
from connector.context import Context
from connector.definitions import Action, Field
from connector.paths import api_path


def delete_attendance(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    attendance_id = int(values["attendance_id"])
    ctx.http.delete(api_path(ATTENDANCE_PATH, attendance_id=attendance_id))
    return {"id": attendance_id, "deleted": True}


ACTION = Action(
    key="delete_attendance",
    area="Attendances",
    noun="Attendance",
    label="Delete Attendance",
    description="Deletes a Personio attendance period.",
    input_fields=(Field("attendance_id", "Attendance ID", type="integer", required=True,
                        help_text="From List Attendances."),),
    output_fields=(Field("id", "Attendance ID", type="integer", required=True),
                   Field("deleted", "Deleted", type="boolean", required=True)),
    sample={"id": 1234, "deleted": True},
    perform=delete_attendance,
    semantics="delete",
)
