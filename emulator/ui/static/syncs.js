/* Syncs page: a sync's sides and field map, a preview, on/off, a cycle on demand, links and the audit log. */
"use strict";

(() => {
  const { el } = Ui;
  const select = document.getElementById("sync-select");
  const detail = document.getElementById("sync-detail");
  const toggle = document.getElementById("sync-toggle");
  const ARROWS = { both: "⇄", left_to_right: "→", right_to_left: "←", none: "✕ not synced" };
  const DELETION_LABELS = {
    ignore: "ignore it (the link stops; the partner stays)",
    flag: "flag the link for a look (the partner stays)",
    mirror: "mirror it: delete the partner on the other side",
    mirror_left_to_right: "mirror left deletions onto the right; flag right deletions",
    mirror_right_to_left: "mirror right deletions onto the left; flag left deletions",
  };
  const ARROW_LABELS = { both: "both ways", left_to_right: "left to right", right_to_left: "right to left", none: "not synced" };
  let syncs = [];
  let current = null;

  const side = (s) => `${s.record_type} (connection ${s.connection_id || "none"})`;
  const text = (value) => value === null || value === undefined ? "" : (typeof value === "string" ? value : JSON.stringify(value));
  const time = (seconds) => seconds ? new Date(seconds * 1000).toLocaleString() : "";

  function auditQuery() {
    const params = new URLSearchParams();
    for (const name of ["reason", "field", "direction"]) {
      const value = document.getElementById(`audit-${name}`).value.trim();
      if (value) params.set(name, value);
    }
    return params;
  }

  function transformText(f) {
    if (f.transform) return `${f.transform.name}${f.transform.value ? ` “${f.transform.value}”` : ""}, undone on the way back`;
    if (f.to_right && f.to_left) return "templates both ways";
    if (f.to_right || f.to_left) return "template: one way only (a template has no way back)";
    return "";
  }

  // Offer only the deletion policies both record types support; the others are shown disabled with why.
  function renderDeletion() {
    const choice = document.getElementById("sync-deletion");
    const supports = current.supports || { deletion: {}, sides: {} };
    choice.replaceChildren(...Object.keys(DELETION_LABELS).map((policy) => {
      const why = (supports.deletion || {})[policy];
      return el("option", { value: policy, disabled: Boolean(why), title: why || "" },
        DELETION_LABELS[policy] + (why ? " — not possible here" : ""));
    }));
    choice.value = current.deletion;
    const notes = Object.entries(supports.sides || {}).filter(([, s]) => !s.can_delete)
      .map(([name, s]) => `${name === "left" ? "Left" : "Right"} side: ${s.delete_note}.`);
    document.getElementById("deletion-notes").textContent = notes.join(" ") +
      ` Deletions are found by listing each side in full every ${Math.round(current.reconcile_seconds / 60)} min.`;
  }

  function render() {
    detail.hidden = !current;
    document.getElementById("sync-empty").hidden = Boolean(current);
    if (!current) return;
    document.getElementById("sync-state").replaceChildren(Ui.badge(current.state, current.state === "on" ? "ok" : ""));
    document.getElementById("sync-left").textContent = side(current.left);
    document.getElementById("sync-right").textContent = side(current.right);
    const last = current.last_cycle;
    document.getElementById("sync-status-line").textContent = `${current.links} linked pairs` +
      (last ? ` · last cycle ${time(last.at)}: ${last.conflicts || 0} conflicts, ` +
        `${(last.errors || []).length} errors${(last.errors || []).length ? ` (${last.errors[0]})` : ""}` : " · never run");
    const listParts = current.fields.filter((f) => f.left === "tags" || f.right === "tags" || f.left === "groups" || f.right === "groups");
    document.getElementById("sync-unsupported").textContent = listParts.length ? "" :
      "Tags are not synced here: one side's records have no tags.";
    if (last && (last.notices || []).length) {
      document.getElementById("sync-status-line").textContent += ` · ${last.notices.length} deletions found (${last.notices[0]})`;
    }
    renderDeletion();
    toggle.textContent = current.state === "on" ? "Turn off" : "Turn on";
    const body = document.querySelector("#field-map tbody");
    body.replaceChildren(...current.fields.map((f) => el("tr", { dataset: { direction: f.direction } },
      el("td", { class: "mono" }, f.left + (f.left_prefix ? ` (prefix ${f.left_prefix})` : "")),
      el("td", { "aria-label": ARROW_LABELS[f.direction], class: "arrow" }, ARROWS[f.direction]),
      el("td", { class: "mono" }, f.right + (f.right_prefix ? ` (prefix ${f.right_prefix})` : "")),
      el("td", { class: "small" }, transformText(f)))));
    const params = auditQuery();
    for (const kind of ["csv", "json"]) {
      const query = new URLSearchParams(params);
      query.set("format", kind);
      document.getElementById(`export-${kind}`).href = `/api/syncs/${encodeURIComponent(current.id)}/audit/export?${query}`;
    }
  }

  async function loadLinks() {
    const data = await Api.get(`/api/syncs/${encodeURIComponent(current.id)}/links`);
    const body = document.querySelector("#links-table tbody");
    if (!data.links.length) { body.replaceChildren(el("tr", {}, el("td", { colspan: 5, class: "empty" }, "No links yet: run a cycle."))); return; }
    body.replaceChildren(...data.links.map((link) => el("tr", { dataset: { status: link.status } },
      el("td", { class: "mono" }, link.left_id), el("td", { class: "mono" }, link.right_id),
      el("td", {}, Ui.badge(link.status, link.status === "ok" ? "ok" : "warn")),
      el("td", {}, String(link.conflicts || 0)), el("td", { class: "small" }, time(link.updated)))));
  }

  async function loadAudit() {
    const data = await Api.get(`/api/syncs/${encodeURIComponent(current.id)}/audit?${auditQuery()}`);
    const reason = document.getElementById("audit-reason");
    if (reason.options.length === 1) {
      for (const r of data.reasons) reason.append(el("option", { value: r }, r));
    }
    const body = document.querySelector("#audit-table tbody");
    if (!data.entries.length) { body.replaceChildren(el("tr", {}, el("td", { colspan: 7, class: "empty" }, "No entries match."))); return; }
    body.replaceChildren(...data.entries.map((e) => el("tr", { dataset: { reason: e.reason } },
      el("td", { class: "small" }, time(e.at)), el("td", {}, e.reason),
      el("td", {}, e.direction === "left_to_right" ? "left → right" : (e.direction === "right_to_left" ? "right → left" : e.direction)),
      el("td", { class: "mono" }, e.field || ""), el("td", { class: "mono small" }, text(e.old)),
      el("td", { class: "mono small" }, text(e.new)),
      el("td", { class: "small" }, `${time(e.left_modified)} / ${time(e.right_modified)}`))));
  }

  async function loadAll() {
    const data = await Api.get("/api/syncs");
    syncs = data.syncs;
    const wanted = new URLSearchParams(window.location.search).get("sync") || (current && current.id);
    select.replaceChildren(...syncs.map((s) => el("option", { value: s.id }, s.name)));
    current = syncs.find((s) => s.id === wanted) || syncs[0] || null;
    if (current) select.value = current.id;
    render();
    if (current) await Promise.all([loadLinks(), loadAudit()]);
  }

  async function preview() {
    const data = await Api.post(`/api/syncs/${encodeURIComponent(current.id)}/preview`);
    document.getElementById("preview-panel").hidden = false;
    const c = data.counts;
    document.getElementById("preview-counts").textContent =
      `${c.link} to link, ${c.create} to create, ${c.update} to update, ${c.conflicts} conflicting fields, ${c.waiting} waiting for a partner. Nothing has been written.`;
    const rows = [
      ...data.link.map((l) => ["link", l.left, l.right, ""]),
      ...data.create.map((c2) => [`create on ${c2.from === "left" ? "right" : "left"}`, c2.from === "left" ? c2.id : "", c2.from === "right" ? c2.id : "", text(c2.values)]),
      ...data.update.map((u) => ["update", u.left, u.right, u.changes.map((ch) => `${ch.field}: ${text(ch.old)} → ${text(ch.new)}`).join("; ")]),
      ...data.conflicts.map((k) => ["conflict", k.left, k.right, `${k.field}: keeps ${text(k.kept_value)}, loses ${text(k.losing_value)}`]),
    ];
    document.querySelector("#preview-table tbody").replaceChildren(...rows.map((r) =>
      el("tr", { dataset: { kind: r[0].split(" ")[0] } }, ...r.map((cell) => el("td", { class: "small" }, text(cell))))));
  }

  select.addEventListener("change", () => { current = syncs.find((s) => s.id === select.value) || null; render(); if (current) Promise.all([loadLinks(), loadAudit()]).catch(Ui.showError); });
  document.getElementById("sync-preview").addEventListener("click", (event) => Ui.busy(event.currentTarget, preview).catch(Ui.showError));
  document.getElementById("sync-run").addEventListener("click", (event) => Ui.busy(event.currentTarget, async () => {
    const data = await Api.post(`/api/syncs/${encodeURIComponent(current.id)}/run`);
    const cycle = data.cycle;
    Ui.notice(`Cycle done: ${cycle.linked} linked, ${cycle.created.left + cycle.created.right} created, ` +
      `${cycle.updated.left + cycle.updated.right} updated, ${cycle.conflicts} conflicts.`, "ok");
    await loadAll();
  }).catch(Ui.showError));
  toggle.addEventListener("click", (event) => Ui.busy(event.currentTarget, async () => {
    await Api.post(`/api/syncs/${encodeURIComponent(current.id)}/${current.state === "on" ? "off" : "on"}`);
    await loadAll();
  }).catch(Ui.showError));
  document.getElementById("deletion-form").addEventListener("submit", (event) => {
    event.preventDefault();
    Ui.busy(event.submitter || event.currentTarget, async () => {
      await Api.patch(`/api/syncs/${encodeURIComponent(current.id)}`, { deletion: document.getElementById("sync-deletion").value });
      Ui.notice("Deletion policy saved.", "ok");
      await loadAll();
    }).catch(Ui.showError);
  });
  document.getElementById("audit-filters").addEventListener("submit", (event) => { event.preventDefault(); render(); loadAudit().catch(Ui.showError); });
  loadAll().catch(Ui.showError);
})();
