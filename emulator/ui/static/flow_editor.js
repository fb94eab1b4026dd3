/* Flow editor: trigger, action steps with field mapping and live preview, trials, on/off.

   State lives in `state`; the DOM is rebuilt from it for the trigger and each step. Templates are
   plain text with {{tokens}}; the server renders, coerces and validates them (POST /api/mapping/preview),
   so the preview shows exactly what the runner would send. */
"use strict";

(() => {
  const { el } = Ui;
  const root = document.getElementById("editor");
  const $ = (id) => document.getElementById(id);

  const state = {
    flowId: root.dataset.flowId || null,
    flow: null,
    apps: {},            // key -> app shape from /api/apps
    connections: [],     // saved connections (masked)
    trigger: { app: "", operation: "", connection_id: "", input: {} },
    steps: [],           // [{key, app, operation, connection_id, mapping}]
    samples: null,       // newest trigger samples from "Test trigger"
    sampleIndex: 0,
    stepOutputs: {},     // step key -> output of its last "Test action"
    dirty: false,
  };

  // ---- catalogue helpers -------------------------------------------------------------------------
  function app(key) { return state.apps[key]; }
  function operations(appKey, kinds) {
    const a = app(appKey);
    if (!a) return [];
    return kinds.flatMap((kind) => a[kind] || []).filter((op) => !op.hidden);
  }
  function operation(appKey, opKey) {
    const a = app(appKey);
    if (!a) return null;
    return [...a.triggers, ...a.actions, ...a.searches, ...(a.search_or_creates || [])].find((op) => op.key === opKey) || null;
  }
  function connectionsFor(appKey) { return state.connections.filter((c) => c.app === appKey); }

  function currentSample() {
    if (state.samples && state.samples.length) return state.samples[Math.min(state.sampleIndex, state.samples.length - 1)];
    const op = operation(state.trigger.app, state.trigger.operation);
    return op ? op.sample : {};
  }

  function earlierOutputs(index) {
    const outputs = {};
    for (const step of state.steps.slice(0, index)) {
      const op = operation(step.app, step.operation);
      outputs[step.key] = state.stepOutputs[step.key] || (op ? op.sample : {});
    }
    return outputs;
  }

  function nextStepKey(op) {
    const base = (op && op.key) || "step";
    let key = base;
    let n = 2;
    const used = new Set(state.steps.map((s) => s.key));
    while (used.has(key)) key = `${base}_${n++}`;
    return key;
  }

  function markDirty() { state.dirty = true; }

  // ---- small form builders -----------------------------------------------------------------------
  function select(id, options, value, onChange, placeholder) {
    const node = el("select", { id });
    if (placeholder) node.append(el("option", { value: "" }, placeholder));
    for (const [v, label] of options) node.append(el("option", { value: v, selected: v === value }, label));
    node.value = value || "";
    node.addEventListener("change", () => onChange(node.value));
    return node;
  }

  function connectionSelect(id, appKey, value, onChange) {
    const options = connectionsFor(appKey).map((c) => [c.id, `${c.name} — ${c.label || c.app}`]);
    const node = select(id, options, value, onChange, options.length ? "Choose a connection" : "No connection: add one on the Connections page");
    return node;
  }

  function fieldLabel(id, f) {
    return el("label", { for: id }, f.label,
      f.required ? el("span", { class: "required-mark", title: "required" }, " *") : null,
      el("span", { class: "muted small" }, ` (${f.type})`));
  }

  async function loadChoices(appKey, opKey, f, connectionId, target) {
    target.replaceChildren(el("option", { value: "" }, "Loading choices…"));
    try {
      const data = await Api.post("/api/choices", { app: appKey, operation: opKey, field: f.key, connection_id: connectionId || null });
      target.replaceChildren(el("option", { value: "" }, data.error ? `No choices: ${data.error.message}` : `Choose from ${data.choices.length} ${f.label.toLowerCase()} choices`));
      for (const c of data.choices) target.append(el("option", { value: String(c.value) }, `${c.label} (${c.value})`));
    } catch (error) {
      target.replaceChildren(el("option", { value: "" }, `No choices: ${error.message}`));
    }
  }

  // ---- trigger -----------------------------------------------------------------------------------
  function renderTriggerSelectors() {
    const appOptions = Object.values(state.apps).filter((a) => a.triggers.length).map((a) => [a.key, a.name]);
    $("trigger-app").replaceWith(select("trigger-app", appOptions, state.trigger.app, (v) => {
      state.trigger = { app: v, operation: "", connection_id: (connectionsFor(v)[0] || {}).id || "", input: {} };
      state.samples = null;
      markDirty();
      renderTrigger();
    }, "Choose an app"));
    const opOptions = operations(state.trigger.app, ["triggers"]).map((op) => [op.key, Ui.triggerLabel(op)]);
    $("trigger-operation").replaceWith(select("trigger-operation", opOptions, state.trigger.operation, (v) => {
      state.trigger.operation = v;
      state.trigger.input = {};
      state.samples = null;
      markDirty();
      renderTrigger();
    }, "Choose a trigger event"));
    $("trigger-connection").replaceWith(connectionSelect("trigger-connection", state.trigger.app, state.trigger.connection_id, (v) => {
      state.trigger.connection_id = v;
      markDirty();
      renderTriggerInputs();
    }));
  }

  function coerceLiteral(f, raw) {
    if (raw === "") return undefined;
    if ((f.type === "integer" || f.type === "number") && !Number.isNaN(Number(raw))) return Number(raw);
    if (f.type === "boolean") return raw === "true";
    return raw;
  }

  function renderTriggerInputs() {
    const box = $("trigger-inputs");
    box.replaceChildren();
    const op = operation(state.trigger.app, state.trigger.operation);
    $("trigger-description").textContent = op ? op.description : "";
    if (!op) return;
    for (const f of op.input_fields) {
      const id = `trigger-input-${f.key}`;
      const value = state.trigger.input[f.key];
      let control;
      if (f.choices || f.type === "boolean") {
        const choices = f.type === "boolean" && !f.choices ? [["true", "yes"], ["false", "no"]]
          : (Array.isArray(f.choices) ? f.choices.map((c) => [c, c]) : Object.entries(f.choices));
        control = select(id, choices, value === undefined ? "" : String(value), (v) => {
          state.trigger.input[f.key] = coerceLiteral(f, v);
          markDirty();
        }, "(not set)");
      } else {
        control = el("input", { id, type: "text", value: value === undefined ? "" : String(value), placeholder: f.placeholder || null });
        control.addEventListener("input", () => { state.trigger.input[f.key] = coerceLiteral(f, control.value); markDirty(); });
      }
      const row = el("div", {}, fieldLabel(id, f), control, f.help_text ? el("p", { class: "field-help" }, f.help_text) : null);
      if (f.dynamic) {
        const picker = el("select", { id: `${id}-choices`, "aria-label": `Choices for ${f.label}` });
        picker.addEventListener("change", () => {
          if (!picker.value) return;
          control.value = picker.value;
          state.trigger.input[f.key] = coerceLiteral(f, picker.value);
          markDirty();
        });
        row.append(el("div", { class: "token-picker" }, picker));
        loadChoices(state.trigger.app, state.trigger.operation, f, state.trigger.connection_id, picker);
      }
      box.append(row);
    }
  }

  function renderSamples(result) {
    const box = $("trigger-samples");
    box.replaceChildren();
    if (!result) return;
    if (result.error) box.append(el("div", { class: "error-box" }, `Test trigger failed: ${result.error.message}`));
    const samples = result.samples || [];
    box.append(el("h3", {}, samples.length ? `${samples.length} newest samples` : "No items found"));
    samples.forEach((sample, i) => {
      const id = `sample-choice-${i}`;
      const radio = el("input", { type: "radio", id, name: "sample-choice", value: String(i), checked: i === state.sampleIndex });
      radio.addEventListener("change", () => { state.sampleIndex = i; renderSteps(); });
      box.append(el("details", { class: "sample", open: i === state.sampleIndex },
        el("summary", {}, el("span", {}, radio, " "), el("label", { for: id, style: "display:inline" }, `Sample ${i + 1}: ${sampleTitle(sample)}`)),
        Ui.json(sample)));
    });
    if (result.trace && result.trace.length) box.append(traceDetails(result.trace));
  }

  function sampleTitle(sample) {
    const p = sample.profile || {};
    return [p.firstName, p.lastName, p.email].filter(Boolean).join(" ") || sample.name || sample.email || sample.id || "item";
  }

  function renderTrigger() {
    renderTriggerSelectors();
    renderTriggerInputs();
    renderSamples(state.samples ? { samples: state.samples } : null);
    renderSteps();
  }

  // ---- steps -------------------------------------------------------------------------------------
  const previewTimers = {};
  const previewSeq = {};  // per step: only the newest answer is shown when answers overtake each other

  function schedulePreview(index) {
    clearTimeout(previewTimers[index]);
    previewTimers[index] = setTimeout(() => refreshPreview(index), 200);
  }

  async function refreshPreview(index) {
    const step = state.steps[index];
    const card = document.querySelector(`[data-step-index="${index}"]`);
    if (!step || !card || !step.operation) return;
    const seq = (previewSeq[index] = (previewSeq[index] || 0) + 1);
    let data;
    try {
      data = await Api.post("/api/mapping/preview", {
        app: step.app, operation: step.operation, mapping: step.mapping,
        trigger: currentSample(), steps: earlierOutputs(index),
      });
    } catch (error) { Ui.showError(error); return; }
    if (seq !== previewSeq[index] || !card.isConnected) return;
    const problems = {};
    for (const p of data.problems) {
      const key = p.field.split(/[.[]/)[0];
      (problems[key] = problems[key] || []).push(p);
    }
    for (const row of card.querySelectorAll(".mapping-row")) {
      const key = row.dataset.field;
      const valueBox = row.querySelector(".preview-value");
      const errorBox = row.querySelector(".field-error");
      const input = row.querySelector("input, textarea");
      const has = Object.prototype.hasOwnProperty.call(data.values, key);
      valueBox.textContent = has ? JSON.stringify(data.values[key]) : "(not sent)";
      valueBox.classList.toggle("muted", !has);
      const list = problems[key] || [];
      errorBox.textContent = list.map((p) => p.message).join("; ");
      errorBox.hidden = !list.length;
      if (input) input.setAttribute("aria-invalid", list.length ? "true" : "false");
    }
    const general = (problems.input || []).concat(Object.entries(problems)
      .filter(([k]) => k !== "input" && !card.querySelector(`.mapping-row[data-field="${CSS.escape(k)}"]`)).flatMap(([, v]) => v));
    const summary = card.querySelector(".mapping-summary");
    summary.textContent = data.ok ? "The mapped input is valid." : (general.length ? general.map((p) => `${p.field}: ${p.message}`).join("; ") : "Fix the fields marked below.");
    summary.className = `mapping-summary small ${data.ok ? "muted" : "field-error"}`;
    for (const picker of card.querySelectorAll("select.token-select")) fillTokens(picker, data.tokens);
  }

  function fillTokens(picker, tokens) {
    const current = picker.value;
    picker.replaceChildren(el("option", { value: "" }, "Insert a field from an earlier step…"));
    for (const t of tokens) {
      if (t.value !== null && typeof t.value === "object") continue;
      const shown = t.value === null || t.value === undefined ? "empty" : String(t.value).slice(0, 40);
      picker.append(el("option", { value: t.token }, `${t.token} = ${shown}`));
    }
    picker.value = current;
  }

  function insertAtCursor(input, text) {
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? input.value.length;
    input.value = input.value.slice(0, start) + text + input.value.slice(end);
    input.focus();
    input.setSelectionRange(start + text.length, start + text.length);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function mappingRow(index, step, f) {
    const id = `step-${index}-field-${f.key}`;
    const template = step.mapping[f.key];
    const text = template === undefined ? "" : (typeof template === "string" ? template : JSON.stringify(template));
    const input = el("input", { id, type: "text", value: text, placeholder: f.placeholder || (f.type === "list" ? "comma-separated, or a {{token}}"
      : f.type === "file" ? "an https:// URL, or a {{token}} of a file" : null),
      "aria-describedby": `${id}-error`, "data-field": f.key });
    input.addEventListener("input", () => {
      if (input.value === "") delete step.mapping[f.key];
      else step.mapping[f.key] = input.value;
      markDirty();
      schedulePreview(index);
    });
    const picker = el("select", { id: `${id}-tokens`, class: "token-select", "aria-label": `Insert a field into ${f.label}` });
    const insert = el("button", { type: "button", class: "secondary" }, "Insert");
    insert.setAttribute("aria-label", `Insert the chosen field into ${f.label}`);
    insert.addEventListener("click", () => { if (picker.value) insertAtCursor(input, `{{${picker.value}}}`); });
    const left = el("div", {}, fieldLabel(id, f), input, el("div", { class: "token-picker" }, picker, insert),
      f.help_text ? el("p", { class: "field-help" }, f.help_text) : null);
    if (f.dynamic) {
      const choices = el("select", { id: `${id}-choices`, "aria-label": `Choices for ${f.label}` });
      choices.addEventListener("change", () => { if (choices.value) { input.value = choices.value; input.dispatchEvent(new Event("input")); } });
      left.append(el("div", { class: "token-picker" }, choices));
      loadChoices(step.app, step.operation, f, step.connection_id, choices);
    }
    return el("div", { class: "mapping-row", dataset: { field: f.key } }, left,
      el("div", {}, el("div", { class: "preview-label" }, "Preview (rendered and coerced)"),
        el("div", { class: "preview-value muted", "aria-live": "polite" }, "…"),
        el("div", { class: "field-error", id: `${id}-error`, hidden: true })));
  }

  function stepCard(step, index) {
    const op = operation(step.app, step.operation);
    const appOptions = Object.values(state.apps).filter((a) => a.actions.length || a.searches.length).map((a) => [a.key, a.name]);
    const appSel = select(`step-${index}-app`, appOptions, step.app, (v) => {
      Object.assign(step, { app: v, operation: "", connection_id: (connectionsFor(v)[0] || {}).id || "", mapping: {} });
      markDirty();
      renderSteps();
    }, "Choose an app");
    const opPicker = OperationPicker.create({
      id: `step-${index}-operation`, label: "Action event", value: step.operation, placeholder: "Choose an action",
      operations: operations(step.app, ["search_or_creates", "actions", "searches"]),
      onPick: (v) => {
        const savedKeys = new Set((state.flow ? state.flow.steps : []).map((s) => s.key));
        step.operation = v;
        step.mapping = {};
        if (!savedKeys.has(step.key)) { step.key = ""; step.key = nextStepKey({ key: v }); }
        markDirty();
        renderSteps();
        const again = document.getElementById(`step-${index}-operation-search`);
        if (again && v) again.focus();
      },
    });
    const connSel = connectionSelect(`step-${index}-connection`, step.app, step.connection_id, (v) => {
      step.connection_id = v;
      markDirty();
    });
    const testBtn = el("button", { type: "button", class: "secondary", dataset: { testStep: index } }, "Test action");
    testBtn.setAttribute("aria-label", `Test action ${index + 1} (${step.key})`);
    testBtn.addEventListener("click", () => Ui.busy(testBtn, () => testStep(index)));
    const removeBtn = el("button", { type: "button", class: "danger" }, "Remove step");
    removeBtn.setAttribute("aria-label", `Remove step ${index + 1} (${step.key})`);
    removeBtn.addEventListener("click", () => {
      state.steps.splice(index, 1);
      markDirty();
      renderSteps();
    });
    const rows = op ? op.input_fields.map((f) => mappingRow(index, step, f)) : [];
    const card = el("section", { class: "panel step-card", dataset: { stepIndex: index, stepKey: step.key }, "aria-labelledby": `step-${index}-heading` },
      el("h2", { id: `step-${index}-heading` }, `${index + 2}. Action `, el("code", {}, step.key)),
      el("div", { class: "inline-fields" },
        el("div", {}, el("label", { for: `step-${index}-app` }, "App"), appSel),
        el("div", { style: "flex:2" }, opPicker),
        el("div", { style: "flex:1" }, el("label", { for: `step-${index}-connection` }, "Connection"), connSel)),
      op ? el("p", { class: "field-help" }, op.description) : null,
      op ? el("h3", {}, "Map fields") : null,
      op ? el("p", { class: "mapping-summary small muted", "aria-live": "polite" }, "") : null,
      rows,
      el("div", { class: "actions" }, op ? testBtn : null, removeBtn),
      el("div", { class: "step-test-result", "aria-live": "polite" }));
    return card;
  }

  function renderSteps() {
    const box = $("steps");
    box.replaceChildren(...state.steps.map(stepCard));
    state.steps.forEach((step, i) => { if (step.operation) refreshPreview(i); });
  }

  // ---- trace and trial results -------------------------------------------------------------------
  function traceDetails(trace) {
    return el("details", { class: "sample" }, el("summary", {}, `HTTP trace (${trace.length} ${trace.length === 1 ? "call" : "calls"})`), Ui.traceTable(trace));
  }

  // Trials run the flow as the editor shows it (POST /api/trials/...), saved or not: nothing is stored
  // on the server until "Save flow".
  async function testStep(index) {
    requireTrigger();
    const step = state.steps[index];
    const card = document.querySelector(`[data-step-index="${index}"]`);
    const box = card.querySelector(".step-test-result");
    box.replaceChildren(el("p", { class: "muted" }, "Running the action once…"));
    const result = await Api.post(`/api/trials/steps/${index}/test`, { ...draft(), sample: currentSample() });
    if (!result.error && result.output && typeof result.output === "object") state.stepOutputs[step.key] = result.output;
    const parts = [
      el("h3", {}, result.error ? "Test failed" : "Test succeeded"),
      result.error ? el("div", { class: "error-box" }, `${result.error.type}: ${result.error.message}`) : null,
      el("div", { class: "grid-2" },
        el("div", {}, el("div", { class: "preview-label" }, "Input sent"), Ui.json(result.input)),
        el("div", {}, el("div", { class: "preview-label" }, "Output"), Ui.json(result.output))),
      el("div", { class: "preview-label" }, "Request and response"), Ui.traceTable(result.trace)];
    box.replaceChildren(...parts.filter((part) => part !== null));
    state.steps.forEach((_, i) => { if (i > index) refreshPreview(i); });
  }

  // ---- save, test trigger, on/off ----------------------------------------------------------------
  function payload() {
    const body = {
      name: $("flow-name").value.trim() || "Untitled flow",
      steps: state.steps.map((s) => ({ key: s.key, app: s.app, operation: s.operation, connection_id: s.connection_id || null, mapping: s.mapping })),
      interval_seconds: Number($("flow-interval").value || 60),
      notify_url: $("flow-notify-url").value.trim() || null,
    };
    const trigger = { app: state.trigger.app, operation: state.trigger.operation, connection_id: state.trigger.connection_id || null,
      input: Object.fromEntries(Object.entries(state.trigger.input).filter(([, v]) => v !== undefined)) };
    const saved = state.flow && state.flow.trigger;
    const changed = !saved || saved.app !== trigger.app || saved.operation !== trigger.operation
      || (saved.connection_id || null) !== trigger.connection_id || JSON.stringify(saved.input || {}) !== JSON.stringify(trigger.input);
    if (changed) body.trigger = trigger;
    return body;
  }

  function requireTrigger() {
    if (!state.trigger.app || !state.trigger.operation) throw new Error("trigger: choose an app and a trigger event first");
  }

  function draft() {
    const body = payload();
    delete body.notify_url;
    body.trigger = { app: state.trigger.app, operation: state.trigger.operation, connection_id: state.trigger.connection_id || null,
      input: Object.fromEntries(Object.entries(state.trigger.input).filter(([, v]) => v !== undefined)) };
    return body;
  }

  async function save() {
    requireTrigger();
    const body = payload();
    const flow = state.flowId
      ? await Api.patch(`/api/flows/${encodeURIComponent(state.flowId)}`, body)
      : await Api.post("/api/flows", body);
    const isNew = !state.flowId;
    adopt(flow);
    if (isNew) window.history.replaceState(null, "", `/flows/${encodeURIComponent(flow.id)}`);
    state.dirty = false;
    return flow;
  }

  async function showHookInfo(flow) {
    const box = $("trigger-hook");
    box.replaceChildren();
    if (!flow || flow.trigger.kind !== "hook") return;
    box.append(el("p", { class: "small" }, "Instant trigger: the app sends events to ",
      el("code", {}, flow.hook_url || ""), flow.subscribed ? " (subscribed)." : " once the flow is on."));
    const data = await Api.get(`/api/flows/${encodeURIComponent(flow.id)}/deliveries`);
    if (!data.deliveries.length) return;
    const failed = data.deliveries.filter((d) => d.status === "failed").length;
    const replayButton = (d) => {
      const button = el("button", { type: "button", class: "secondary" }, "Replay");
      button.setAttribute("aria-label", `Replay delivery ${d.id}`);
      button.addEventListener("click", () => Ui.busy(button, async () => {
        const replayed = await Api.post(
          `/api/flows/${encodeURIComponent(flow.id)}/deliveries/${encodeURIComponent(d.id)}/replay`);
        Ui.notice(`Delivery ${replayed.id} is ${replayed.status}.`, replayed.status === "failed" ? "error" : "ok");
        await showHookInfo(flow);
      }));
      return button;
    };
    const summary = `Recent deliveries (${data.total ?? data.deliveries.length})` + (failed ? `, ${failed} failed` : "");
    box.append(el("details", { class: "sample", open: failed > 0 }, el("summary", {}, summary),
      el("div", { class: "table-wrap" }, el("table", {},
        el("thead", {}, el("tr", {}, ["Received", "Status", "Items", "Tries", "Size", "Error", ""].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, data.deliveries.map((d) => el("tr", { dataset: { deliveryId: d.id } },
          el("td", { class: "small" }, d.received_at ? new Date(d.received_at).toLocaleString() : ""),
          el("td", {}, Ui.badge(d.status)),
          el("td", { class: "num" }, d.items === null || d.items === undefined ? "" : String(Array.isArray(d.items) ? d.items.length : d.items)),
          el("td", { class: "num" }, String(d.attempts || 0)),
          el("td", { class: "num" }, `${d.size} B`),
          el("td", { class: "small" }, d.error ? (d.error.message || String(d.error)) : ""),
          el("td", {}, d.status === "failed" ? replayButton(d) : ""))))))));
  }

  function adopt(flow) {
    showHookInfo(flow).catch(Ui.showError);
    state.flow = flow;
    state.flowId = flow.id;
    $("editor-title").textContent = flow.name;
    $("flow-state").replaceChildren(Ui.badge(flow.state), flow.paused_reason ? el("span", { class: "small muted" }, ` ${flow.paused_reason}`) : "");
    $("delete-flow").hidden = false;
    const notice = flow.notice;
    $("flow-notice-status").textContent = !notice ? ""
      : notice.last_error ? `Last notice not delivered: ${notice.last_error}`
      : notice.last_sent ? `Last notice delivered ${Ui.when(notice.last_sent)} (HTTP ${notice.last_status}).` : "No notice sent yet.";
    const toggle = $("toggle-flow");
    toggle.hidden = false;
    toggle.textContent = { off: "Turn on", paused: "Resume", on: "Turn off" }[flow.state] || "Turn on";
    toggle.setAttribute("aria-pressed", flow.state === "on" ? "true" : "false");
  }

  function loadFlow(flow) {
    adopt(flow);
    $("flow-name").value = flow.name;
    $("flow-notify-url").value = flow.notify_url || "";
    $("flow-interval").value = flow.interval_seconds;
    state.trigger = { app: flow.trigger.app, operation: flow.trigger.operation, connection_id: flow.trigger.connection_id || "", input: { ...flow.trigger.input } };
    state.steps = flow.steps.map((s) => ({ key: s.key, app: s.app, operation: s.operation, connection_id: s.connection_id || "", mapping: { ...s.mapping } }));
  }

  $("save-flow").addEventListener("click", (event) => Ui.busy(event.currentTarget, async () => {
    const flow = await save();
    Ui.notice(`Saved ${flow.name}.`, "ok");
  }));

  $("test-trigger").addEventListener("click", (event) => Ui.busy(event.currentTarget, async () => {
    requireTrigger();
    $("trigger-samples").replaceChildren(el("p", { class: "muted" }, "Fetching the newest items…"));
    const result = await Api.post("/api/trials/trigger", draft());
    state.samples = result.samples || [];
    state.sampleIndex = 0;
    renderSamples(result);
    renderSteps();
  }));

  $("delete-flow").addEventListener("click", (event) => Ui.busy(event.currentTarget, async () => {
    if (!window.confirm(`Delete ${state.flow.name}? It is turned off first; its runs are deleted with it.`)) return;
    await Api.del(`/api/flows/${encodeURIComponent(state.flowId)}`);
    state.dirty = false;
    window.location.assign("/flows?deleted=" + encodeURIComponent(state.flow.name));
  }));

  $("toggle-flow").addEventListener("click", (event) => Ui.busy(event.currentTarget, async () => {
    if (state.dirty) await save();
    const turnOn = state.flow.state !== "on";
    const flow = await Api.post(`/api/flows/${encodeURIComponent(state.flowId)}/${turnOn ? "on" : "off"}`);
    adopt(flow);
    Ui.notice(turnOn ? `${flow.name} is on: new items from now on run the steps.` : `${flow.name} is off.`, "ok");
  }));

  $("add-step").addEventListener("click", () => {
    const appKey = Object.values(state.apps).find((a) => a.actions.length && a.key !== state.trigger.app)?.key
      || Object.values(state.apps).find((a) => a.actions.length)?.key || "";
    state.steps.push({ key: nextStepKey({ key: `step${state.steps.length + 1}` }), app: appKey, operation: "",
      connection_id: (connectionsFor(appKey)[0] || {}).id || "", mapping: {} });
    markDirty();
    renderSteps();
    const last = document.querySelector(`[data-step-index="${state.steps.length - 1}"] select`);
    if (last) last.focus();
  });

  for (const id of ["flow-name", "flow-interval", "flow-notify-url"]) $(id).addEventListener("input", markDirty);
  window.addEventListener("beforeunload", (event) => { if (state.dirty) event.preventDefault(); });

  async function start() {
    const [apps, connections] = await Promise.all([Api.get("/api/apps"), Api.get("/api/connections")]);
    for (const a of apps.apps) state.apps[a.key] = a;
    state.connections = connections.connections;
    if (state.flowId) loadFlow(await Api.get(`/api/flows/${encodeURIComponent(state.flowId)}`));
    renderTrigger();
    root.dataset.ready = "true";
  }

  start().catch(Ui.showError);
})();
