"""The typed rows match the tables: every column is a key of its row type, and every status the store
may write is one its ``Literal`` allows."""

from __future__ import annotations

from typing import get_type_hints

import pytest
import sqlalchemy as sa

from emulator import rows, store


@pytest.mark.parametrize(("row_type", "table"), [
    (rows.FlowRow, store.flows),
    (rows.RunRow, store.runs),
    (rows.StepRow, store.step_results),
    (rows.DeliveryRow, store.deliveries),
])
def test_each_row_type_has_exactly_its_tables_columns(row_type: type, table: sa.Table) -> None:
    assert sorted(get_type_hints(row_type)) == sorted(table.c.keys())


def test_a_flow_the_emulator_saves_reads_back_as_its_row_type() -> None:
    saved = store.Store(store.engine_for("sqlite://")).create_flow(
        {"name": "n", "trigger_app": "a", "trigger_operation": "o", "trigger_input": {}, "steps": []}, 1.0
    )
    assert set(saved) == set(get_type_hints(rows.FlowRow))
    assert saved["state"] in rows.FLOW_STATES


def test_the_api_filters_offer_the_statuses_the_types_allow() -> None:
    assert "waiting_retry" in rows.RUN_STATUSES and "processed" in rows.DELIVERY_STATUSES
    assert set(rows.OPEN_DELIVERY_STATUSES) <= set(rows.DELIVERY_STATUSES)
