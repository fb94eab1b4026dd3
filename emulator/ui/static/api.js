/* The fetch layer every page uses: JSON in, JSON out, the CSRF token on every change, and errors
   turned into messages that name the field. No framework, no build step. */
"use strict";

const Api = (() => {
  const tokenMeta = document.querySelector('meta[name="csrf-token"]');
  const csrfToken = tokenMeta ? tokenMeta.content : "";

  class ApiError extends Error {
    constructor(status, body) {
      const err = (body && body.error) || {};
      const message = typeof err === "string" ? err : (err.message || `HTTP ${status}`);
      super(message);
      this.status = status;
      this.field = err.field || null;
      this.problems = err.problems || [];
      this.body = body;
    }
    describe() {
      return this.field ? `${this.field}: ${this.message}` : this.message;
    }
  }

  async function request(method, url, body) {
    const headers = { Accept: "application/json" };
    const init = { method, headers, credentials: "same-origin" };
    if (method !== "GET" && method !== "HEAD") {
      headers["X-CSRF-Token"] = csrfToken;
    }
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    const text = await response.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch (_) { data = { error: { message: text.slice(0, 300) } }; }
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  return {
    ApiError,
    csrfToken,
    get: (url) => request("GET", url),
    post: (url, body) => request("POST", url, body === undefined ? {} : body),
    put: (url, body) => request("PUT", url, body),
    patch: (url, body) => request("PATCH", url, body),
    del: (url) => request("DELETE", url),
  };
})();

/* Small DOM helpers shared by the pages. */
const Ui = (() => {
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else if (value === true) node.setAttribute(key, "");
      else node.setAttribute(key, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function notice(message, kind) {
    const box = document.getElementById("notice");
    if (!box) return;
    box.textContent = message;
    box.className = `notice notice-${kind || "info"}`;
    box.hidden = !message;
  }

  function showError(error) {
    notice(error instanceof Api.ApiError ? error.describe() : String(error.message || error), "error");
  }

  function json(value) {
    return el("pre", { class: "json" }, JSON.stringify(value, null, 2));
  }

  function badge(text, kind) {
    return el("span", { class: `badge badge-${kind || text}` }, text);
  }

  /** A trigger's label for menus and lists: "(instant)" is added once, unless the label says it already. */
  function triggerLabel(op) {
    if (!op) return "";
    return op.kind === "hook" && !/instant/i.test(op.label) ? `${op.label} (instant)` : op.label;
  }

  function when(seconds) {
    if (!seconds) return "";
    return new Date(seconds * 1000).toLocaleString();
  }

  function duration(ms) {
    if (ms === null || ms === undefined) return "";
    return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
  }

  /* Run an async action from a button: disable it meanwhile, report errors in the notice area. */
  async function busy(button, work) {
    if (button) button.disabled = true;
    try {
      return await work();
    } catch (error) {
      showError(error);
      return undefined;
    } finally {
      if (button) button.disabled = false;
    }
  }

  function pretty(text) {
    if (!text) return "";
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (_) { return text; }
  }

  function headersText(headers) {
    return Object.entries(headers || {}).map(([k, v]) => `${k}: ${v}`).join("\n");
  }

  /* A redacted HTTP trace (connector.trace.Exchange dicts) as a table; each row opens its headers and bodies. */
  function traceTable(trace) {
    const rows = (trace || []).map((x, i) => {
      const summary = el("tr", { class: "trace-row" },
        el("td", { class: "num" }, String(i + 1)),
        el("td", { class: "mono" }, x.method || ""),
        el("td", { class: "mono small", style: "word-break:break-all" }, x.url || ""),
        el("td", {}, x.status ? badge(String(x.status), x.status < 400 ? "ok" : "error") : (x.error ? badge("error") : "")),
        el("td", { class: "num" }, duration(x.elapsed_ms)),
        el("td", { class: "num" }, String(x.attempts || 1)));
      const detail = el("tr", { class: "trace-detail" }, el("td", { colspan: 6 },
        el("details", {}, el("summary", {}, "Headers and bodies"),
          el("div", { class: "grid-2" },
            el("div", {}, el("div", { class: "preview-label" }, "Request"),
              el("pre", { class: "json" }, headersText(x.request_headers)), x.request_body ? el("pre", { class: "json" }, pretty(x.request_body)) : null),
            el("div", {}, el("div", { class: "preview-label" }, "Response"),
              el("pre", { class: "json" }, headersText(x.response_headers)), x.response_body ? el("pre", { class: "json" }, pretty(x.response_body)) : null))),
        x.error ? el("div", { class: "error-box" }, x.error) : null));
      return [summary, detail];
    });
    return el("div", { class: "table-wrap" }, el("table", { class: "trace-table" },
      el("thead", {}, el("tr", {}, ["#", "Method", "URL", "Status", "Time", "Attempts"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.length ? rows.flat() : el("tr", {}, el("td", { colspan: 6, class: "empty" }, "No HTTP calls.")))));
  }

  return { el, notice, showError, json, badge, when, duration, busy, traceTable, triggerLabel };
})();
