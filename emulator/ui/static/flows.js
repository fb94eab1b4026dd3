/* Flows page: every flow with its state and an on/off toggle; banners for flows that need attention
   (paused, failing runs, failing polls) and for held items. Apps and operations show their labels. */
"use strict";

(() => {
  const { el } = Ui;
  const body = document.getElementById("flows-body");
  const banners = document.getElementById("held-banners");

  function heldBanner(flow) {
    const release = el("button", { type: "button" }, `Release ${flow.held_runs} held items`);
    const discard = el("button", { type: "button", class: "danger" }, "Discard them");
    release.addEventListener("click", () => Ui.busy(release, async () => {
      const result = await Api.post(`/api/flows/${encodeURIComponent(flow.id)}/held/release`);
      Ui.notice(`Released ${result.released} items of ${flow.name}; they run now.`, "ok");
      await load();
    }));
    discard.addEventListener("click", () => Ui.busy(discard, async () => {
      if (!window.confirm(`Discard ${flow.held_runs} held items of ${flow.name}? They will never run.`)) return;
      const result = await Api.post(`/api/flows/${encodeURIComponent(flow.id)}/held/discard`);
      Ui.notice(`Discarded ${result.discarded} items of ${flow.name}.`, "ok");
      await load();
    }));
    return el("div", { class: "banner", role: "alert", dataset: { flowId: flow.id } },
      el("strong", {}, `${flow.name}: ${flow.held_runs} new items are held.`),
      " More new items arrived in one poll than the flood limit allows; nothing ran. Check them, then release or discard.",
      el("div", { class: "actions" }, release, discard));
  }

  function failedDeliveriesBanner(flow) {
    return el("div", { class: "banner", role: "alert", dataset: { flowId: flow.id } },
      el("strong", {}, `${flow.name}: ${flow.failed_deliveries} hook deliveries failed.`),
      " They were received but could not be turned into runs after every retry. See why and replay them in ",
      el("a", { href: `/flows/${encodeURIComponent(flow.id)}` }, "the flow"), ".");
  }

  function attentionBanner(flow) {
    const problems = [];
    if (flow.state === "paused") problems.push(`paused: ${flow.paused_reason || "no reason given"}`);
    if (flow.last_error) problems.push(`the last poll failed: ${flow.last_error.message || ""}`);
    if (flow.failed_runs) problems.push(`${flow.failed_runs} failed ${flow.failed_runs === 1 ? "run" : "runs"}`);
    if (!problems.length) return null;
    const runs = el("a", { href: `/runs?flow=${encodeURIComponent(flow.id)}&status=failed` }, "See failed runs");
    const open = el("a", { href: `/flows/${encodeURIComponent(flow.id)}` }, "Open the flow");
    return el("div", { class: "banner banner-attention", role: "alert", dataset: { flowId: flow.id } },
      el("strong", {}, `${flow.name} needs attention: `), problems.join("; "), ".",
      el("div", { class: "actions" }, open, flow.failed_runs ? runs : null));
  }

  function labels(apps, appKey, opKey) {
    const app = apps[appKey];
    const op = app ? [...app.triggers, ...app.actions, ...app.searches, ...(app.search_or_creates || [])].find((o) => o.key === opKey) : null;
    return { app: app ? app.name : appKey, op: op ? (op.kind ? Ui.triggerLabel(op) : op.label) : opKey };
  }

  function stateButton(flow, action, label, secondary) {
    const button = el("button", { type: "button", class: secondary ? "secondary" : "" }, label);
    button.setAttribute("aria-label", `${label} ${flow.name}`);
    button.addEventListener("click", () => Ui.busy(button, async () => {
      const updated = await Api.post(`/api/flows/${encodeURIComponent(flow.id)}/${action}`);
      Ui.notice(`${updated.name} is ${updated.state}.`, "ok");
      await load();
    }));
    return button;
  }

  function toggle(flow) {
    if (flow.state === "off") return stateButton(flow, "on", "Turn on", false);
    if (flow.state === "paused") {
      return el("div", { class: "actions", style: "margin-top:0" },
        stateButton(flow, "on", "Resume", false), stateButton(flow, "off", "Turn off", true));
    }
    return stateButton(flow, "off", "Turn off", true);
  }

  async function load() {
    const [data, catalogue] = await Promise.all([Api.get("/api/flows"), Api.get("/api/apps")]);
    const apps = Object.fromEntries(catalogue.apps.map((a) => [a.key, a]));
    body.replaceChildren();
    banners.replaceChildren();
    if (!data.flows.length) {
      body.append(el("tr", {}, el("td", { colspan: 6, class: "empty" }, "No flows yet. Create one with New flow.")));
      return;
    }
    for (const flow of data.flows) {
      const attention = attentionBanner(flow);
      if (attention) banners.append(attention);
      if (flow.held_runs) banners.append(heldBanner(flow));
      if (flow.failed_deliveries) banners.append(failedDeliveriesBanner(flow));
      const t = flow.trigger;
      const trigger = labels(apps, t.app, t.operation);
      body.append(el("tr", { dataset: { flowId: flow.id } },
        el("td", {}, el("a", { href: `/flows/${encodeURIComponent(flow.id)}` }, el("strong", {}, flow.name)),
          el("div", { class: "small muted mono" }, flow.id)),
        el("td", { title: `${t.app}.${t.operation}` }, `${trigger.app} · ${trigger.op}`,
          el("div", { class: "small muted" }, t.kind === "hook" ? "instant (hook)" : `polls every ${flow.interval_seconds} s`)),
        el("td", {}, flow.steps.map((s) => {
          const step = labels(apps, s.app, s.operation);
          return el("div", { class: "small", title: `${s.key}: ${s.app}.${s.operation}` }, `${step.app} · ${step.op}`);
        })),
        el("td", { class: "flow-state" }, Ui.badge(flow.state), flow.paused_reason ? el("div", { class: "small muted" }, flow.paused_reason) : null,
          flow.last_error ? el("div", { class: "small field-error" }, flow.last_error.message || "") : null),
        el("td", {}, toggle(flow)),
        el("td", {}, el("a", { href: `/runs?flow=${encodeURIComponent(flow.id)}` }, "Runs"))));
    }
  }

  const deleted = new URLSearchParams(window.location.search).get("deleted");
  if (deleted) Ui.notice(`Deleted ${deleted}.`, "ok");
  load().catch(Ui.showError);
})();
