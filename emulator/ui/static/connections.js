/* Connections page: list (masked), add with a form or the OAuth Connect button, test, delete. */
"use strict";

(() => {
  const { el } = Ui;
  const body = document.getElementById("connections-body");
  const formsBox = document.getElementById("connection-forms");

  function fieldsText(fields) {
    return Object.entries(fields || {}).map(([k, v]) => el("div", { class: "small" }, el("span", { class: "muted" }, `${k}: `), String(v)));
  }

  async function loadConnections() {
    const data = await Api.get("/api/connections");
    body.replaceChildren();
    if (!data.connections.length) {
      body.append(el("tr", {}, el("td", { colspan: 6, class: "empty" }, "No connections yet. Add one below.")));
      return;
    }
    for (const c of data.connections) {
      const testBtn = el("button", { type: "button", class: "secondary" }, "Test");
      const deleteBtn = el("button", { type: "button", class: "danger" }, "Delete");
      testBtn.setAttribute("aria-label", `Test ${c.name}`);
      deleteBtn.setAttribute("aria-label", `Delete ${c.name}`);
      testBtn.addEventListener("click", () => Ui.busy(testBtn, async () => {
        const result = await Api.post(`/api/connections/${encodeURIComponent(c.id)}/test`);
        if (result.ok) Ui.notice(`${c.name} works: ${result.label}`, "ok");
        else Ui.notice(`${c.name} failed its test: ${result.error.message}`, "error");
        await loadConnections();
      }));
      deleteBtn.addEventListener("click", () => Ui.busy(deleteBtn, async () => {
        if (!window.confirm(`Delete the connection ${c.name}? Flows that use it stop working.`)) return;
        await Api.del(`/api/connections/${encodeURIComponent(c.id)}`);
        Ui.notice(`Deleted ${c.name}.`, "ok");
        await loadConnections();
      }));
      body.append(el("tr", { dataset: { connection: c.name } },
        el("td", {}, el("strong", {}, c.name), el("div", { class: "small muted mono" }, c.id)),
        el("td", {}, c.app),
        el("td", { class: "connection-label" }, c.label || el("span", { class: "muted" }, "—")),
        el("td", {}, Ui.badge(c.status), c.status_reason ? el("div", { class: "small muted" }, c.status_reason) : null),
        el("td", {}, fieldsText(c.fields)),
        el("td", {}, el("div", { class: "actions" }, testBtn, deleteBtn)),
      ));
    }
  }

  const OBTAINED = new Set(["access_token", "refresh_token", "expires_at", "connection_id"]);
  const OAUTH_CLIENT_FIELDS = new Set(["client_id", "client_secret", "authorize_url"]);

  function inputFor(appKey, f) {
    const id = `${appKey}-${f.key}`;
    const secret = f.secret || f.type === "password";
    const attrs = { id, name: f.key, placeholder: f.placeholder || null, autocomplete: secret ? "off" : null,
      "aria-describedby": f.help_text ? `${id}-help` : null };
    const control = /private_key/.test(f.key)
      ? el("textarea", { ...attrs, rows: 4 })
      : el("input", { ...attrs, type: secret ? "password" : (f.type === "number" || f.type === "integer" ? "number" : "text") });
    return el("div", {},
      el("label", { for: id }, f.label, f.required ? el("span", { class: "required-mark", "aria-hidden": "true" }, " *") : null),
      control,
      f.help_text ? el("p", { class: "field-help", id: `${id}-help` }, f.help_text) : null);
  }

  function nameInput(id, placeholder) {
    return el("div", {}, el("label", { for: id }, "Connection name", el("span", { class: "required-mark", "aria-hidden": "true" }, " *")),
      el("input", { id, name: "name", type: "text", required: true, placeholder }));
  }

  function credentialsForm(app, oauth) {
    const fields = app.auth.fields.filter((f) => !OBTAINED.has(f.key) && !(oauth && OAUTH_CLIENT_FIELDS.has(f.key)));
    const submit = el("button", { type: "submit" }, `Save and test ${app.name} connection`);
    const node = el("form", { class: "connection-form", dataset: { app: app.key }, "aria-label": `Add a ${app.name} connection with credentials` },
      el("h3", {}, oauth ? `${app.name}: with an API key` : `${app.name}: with credentials`),
      nameInput(`${app.key}-connection-name`, `${app.key}-sandbox`),
      fields.map((f) => inputFor(app.key, f)),
      el("div", { class: "actions" }, submit));
    node.addEventListener("submit", (event) => {
      event.preventDefault();
      Ui.busy(submit, async () => {
        const values = Object.fromEntries(new FormData(node).entries());
        const name = values.name;
        delete values.name;
        const sent = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ""));
        const result = await Api.post("/api/connections", { app: app.key, name, fields: sent });
        node.reset();
        Ui.notice(`Connected ${result.connection.name}: ${result.label || result.connection.label}`, "ok");
        await loadConnections();
      });
    });
    return node;
  }

  function oauthForm(app) {
    const id = `${app.key}-oauth-name`;
    const submit = el("button", { type: "submit" }, `Connect ${app.name}`);
    const node = el("form", { class: "oauth-form", dataset: { app: app.key }, "aria-label": `Connect ${app.name} with OAuth` },
      el("h3", {}, `${app.name}: Connect with OAuth`),
      el("p", { class: "field-help" }, "Opens the provider's consent page, where you choose what to allow. No password or key is typed here."),
      nameInput(id, `${app.key}-oauth`),
      el("div", { class: "actions" }, submit));
    node.addEventListener("submit", (event) => {
      event.preventDefault();
      Ui.busy(submit, async () => {
        const name = node.querySelector("input[name=name]").value.trim();
        const result = await Api.post("/api/connections/oauth/start", { app: app.key, name });
        window.location.assign(result.authorize_url);
      });
    });
    return node;
  }

  async function loadForms() {
    const data = await Api.get("/api/apps");
    formsBox.replaceChildren();
    for (const app of data.apps) {
      const oauth = app.auth.type === "oauth2";
      const panel = el("div", { class: "panel", dataset: { form: app.key } });
      if (oauth) panel.append(oauthForm(app));
      panel.append(credentialsForm(app, oauth));
      formsBox.append(panel);
    }
  }

  function reportRedirect() {
    const params = new URLSearchParams(window.location.search);
    if (params.get("connected")) Ui.notice(`Connected ${params.get("connected")}.`, "ok");
    if (params.get("error")) Ui.notice(params.get("error"), "error");
  }

  reportRedirect();
  Promise.all([loadConnections(), loadForms()]).catch(Ui.showError);
})();
