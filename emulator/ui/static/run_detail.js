/* Run detail: each step's rendered input, output, HTTP trace, error, attempts and timing; replay. */
"use strict";

(() => {
  const { el } = Ui;
  const runId = document.getElementById("run").dataset.runId;
  const replay = document.getElementById("replay-run");
  const REPLAYABLE = new Set(["failed", "waiting_retry"]);

  function row(term, ...value) { return [el("dt", {}, term), el("dd", {}, ...value)]; }
  function time(value) { return value ? new Date(value).toLocaleString() : "—"; }

  function stepPanel(step) {
    return el("section", { class: "panel step-card", dataset: { stepKey: step.key, status: step.status }, "aria-labelledby": `step-${step.index}-heading` },
      el("h2", { id: `step-${step.index}-heading` }, `Step ${step.index + 1}: `, el("code", {}, step.key), " ", Ui.badge(step.status)),
      el("dl", { class: "kv" },
        row("Attempts", String(step.attempts ?? 0)),
        row("Duration", Ui.duration(step.duration_ms) || "—"),
        row("Started", time(step.started)),
        row("Finished", time(step.finished)),
        step.next_retry_at ? row("Next retry", time(step.next_retry_at)) : []),
      step.error ? el("div", { class: "error-box", role: "alert" }, `${step.error.type || "Error"}: ${step.error.message || ""}`) : null,
      el("div", { class: "grid-2" },
        el("div", {}, el("h3", {}, "Rendered input"), Ui.json(step.input)),
        el("div", {}, el("h3", {}, "Output"), Ui.json(step.output))),
      el("h3", {}, "HTTP trace (secrets redacted)"),
      Ui.traceTable(step.trace));
  }

  const flowNames = {};

  async function flowName(flowId) {
    if (!(flowId in flowNames)) {
      try { flowNames[flowId] = (await Api.get(`/api/flows/${encodeURIComponent(flowId)}`)).name; }
      catch (_) { flowNames[flowId] = flowId; }  // a deleted flow still shows its runs
    }
    return flowNames[flowId];
  }

  async function render(run) {
    const name = await flowName(run.flow_id);
    document.getElementById("run-summary").replaceChildren(
      ...row("Status", Ui.badge(run.status)),
      ...row("Flow", el("a", { href: `/flows/${encodeURIComponent(run.flow_id)}` }, name), " · ",
        el("a", { href: `/runs?flow=${encodeURIComponent(run.flow_id)}` }, "its runs")),
      ...row("Item", el("code", {}, run.item_id || "—")),
      ...row("Created", time(run.created)),
      ...row("Finished", time(run.finished)),
      ...row("Replays", String(run.replays || 0)),
      ...(run.next_retry_at ? row("Next retry", time(run.next_retry_at)) : []),
      ...(run.error ? row("Error", el("span", { class: "field-error" }, run.error.message || JSON.stringify(run.error))) : []));
    document.getElementById("run-item").replaceChildren(Ui.json(run.item));
    document.getElementById("run-steps").replaceChildren(...run.steps.map(stepPanel));
    replay.hidden = !(REPLAYABLE.has(run.status) || run.steps.some((s) => REPLAYABLE.has(s.status)));
  }

  replay.addEventListener("click", () => Ui.busy(replay, async () => {
    const run = await Api.post(`/api/runs/${encodeURIComponent(runId)}/replay`);
    await render(run);
    Ui.notice(`Replayed: the run is ${run.status}.`, run.status === "succeeded" ? "ok" : "info");
  }));

  Api.get(`/api/runs/${encodeURIComponent(runId)}`).then(render).catch(Ui.showError);
})();
