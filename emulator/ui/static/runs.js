/* Runs page: every run, filterable by flow and status, newest first, with paging. */
"use strict";

(() => {
  const { el } = Ui;
  const form = document.getElementById("run-filters");
  const flowSelect = document.getElementById("filter-flow");
  const statusSelect = document.getElementById("filter-status");
  const body = document.getElementById("runs-body");
  const paging = document.getElementById("runs-paging");
  const PAGE = 50;
  const flowNames = {};
  let offset = 0;

  function filters() {
    const params = new URLSearchParams();
    if (flowSelect.value) params.set("flow", flowSelect.value);
    if (statusSelect.value) params.set("status", statusSelect.value);
    return params;
  }

  async function load() {
    const params = filters();
    window.history.replaceState(null, "", `/runs${params.toString() ? `?${params}` : ""}`);
    params.set("limit", String(PAGE));
    params.set("offset", String(offset));
    const data = await Api.get(`/api/runs?${params}`);
    body.replaceChildren();
    if (!data.runs.length) body.append(el("tr", {}, el("td", { colspan: 7, class: "empty" }, "No runs match.")));
    for (const run of data.runs) {
      body.append(el("tr", { dataset: { runId: run.id, status: run.status } },
        el("td", {}, el("a", { href: `/runs/${encodeURIComponent(run.id)}` }, el("code", {}, run.id))),
        el("td", {}, flowNames[run.flow_id] || run.flow_id),
        el("td", { class: "mono small" }, run.item_id || ""),
        el("td", {}, Ui.badge(run.status), run.replays ? el("div", { class: "small muted" }, `replayed ${run.replays}×`) : null),
        el("td", { class: "small" }, run.created ? new Date(run.created).toLocaleString() : ""),
        el("td", { class: "small" }, run.finished ? new Date(run.finished).toLocaleString() : (run.next_retry_at ? `retry at ${new Date(run.next_retry_at).toLocaleTimeString()}` : "")),
        el("td", { class: "small" }, run.error ? (run.error.message || JSON.stringify(run.error)) : "")));
    }
    paging.replaceChildren();
    const shown = `${data.total ? offset + 1 : 0}–${offset + data.runs.length} of ${data.total}`;
    const prev = el("button", { type: "button", class: "secondary", disabled: offset === 0 }, "Newer");
    const next = el("button", { type: "button", class: "secondary", disabled: offset + PAGE >= data.total }, "Older");
    prev.addEventListener("click", () => { offset = Math.max(0, offset - PAGE); load().catch(Ui.showError); });
    next.addEventListener("click", () => { offset += PAGE; load().catch(Ui.showError); });
    paging.append(prev, next, el("span", { class: "small muted", id: "runs-count" }, shown));
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); offset = 0; load().catch(Ui.showError); });
  document.getElementById("refresh-runs").addEventListener("click", () => load().catch(Ui.showError));

  async function start() {
    const initial = new URLSearchParams(window.location.search);
    const flows = await Api.get("/api/flows");
    for (const flow of flows.flows) {
      flowNames[flow.id] = flow.name;
      flowSelect.append(el("option", { value: flow.id }, flow.name));
    }
    flowSelect.value = initial.get("flow") || "";
    statusSelect.value = initial.get("status") || "";
    await load();
  }

  start().catch(Ui.showError);
})();
