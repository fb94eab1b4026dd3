/* Operation picker: find one operation among hundreds (a vendor catalogue can hold several hundred).

   Two controls kept in step, both keyboard friendly:
   - a search box (ARIA 1.2 combobox) matching label, key, description and area, every word of the
     query somewhere; results are grouped by area, the common ("important") operations first, and
     picked with the arrow keys and Enter (Escape closes, Home/End jump);
   - the native <select> (its id is the one the page always had), grouped into <optgroup>s the same
     way, for browsing.
   Each operation's search text is built once; a keystroke filters an array and renders at most
   MAX_SHOWN rows, so typing stays instant at 400 operations and beyond. */
"use strict";

const OperationPicker = (() => {
  const { el } = Ui;
  const MAX_SHOWN = 60;
  const COMMON = "Common";

  function areaOf(op) { return op.area || "General"; }

  /* Operations grouped for display: common ones first, then each area in alphabetical order; labels sorted. */
  function grouped(ops) {
    const groups = new Map([[COMMON, []]]);
    const areas = [...new Set(ops.filter((op) => !op.important).map(areaOf))].sort((a, b) => a.localeCompare(b));
    for (const area of areas) groups.set(area, []);
    for (const op of ops) groups.get(op.important ? COMMON : areaOf(op)).push(op);
    for (const list of groups.values()) list.sort((a, b) => a.label.localeCompare(b.label));
    return [...groups.entries()].filter(([, list]) => list.length);
  }

  function haystack(op) {
    return [op.label, op.key, op.key.replace(/_/g, " "), op.description || "", areaOf(op)].join("\n").toLowerCase();
  }

  /* Matches: every word of the query somewhere; a label that starts with the query ranks first. */
  function search(index, query) {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) return index.map((entry) => entry.op);
    const q = query.trim().toLowerCase();
    const hits = [];
    for (const entry of index) {
      if (words.every((word) => entry.text.includes(word))) {
        const label = entry.op.label.toLowerCase();
        const rank = label.startsWith(q) ? 0 : label.includes(q) ? 1 : entry.op.key.includes(q.replace(/\s+/g, "_")) ? 2 : 3;
        hits.push([rank, entry.op]);
      }
    }
    hits.sort((a, b) => a[0] - b[0] || Number(b[1].important) - Number(a[1].important) || a[1].label.localeCompare(b[1].label));
    return hits.map(([, op]) => op);
  }

  /**
   * Build the picker.
   * @param {object} options  id (of the <select>), label (shown above it), operations (shapes from /api/apps),
   *   value (the chosen key), placeholder (first option), onPick(key) (called once per choice).
   */
  function create({ id, label, operations, value, placeholder, onPick }) {
    const ops = operations.filter((op) => !op.hidden);
    const index = ops.map((op) => ({ op, text: haystack(op) }));
    const listId = `${id}-results`;
    const input = el("input", {
      id: `${id}-search`, type: "search", class: "op-search", autocomplete: "off", spellcheck: "false",
      role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": listId,
      placeholder: `Search ${ops.length} operations by name, key, description or area`,
    });
    const list = el("div", { id: listId, class: "op-results", role: "listbox", "aria-label": `${label}: matches`, hidden: true });
    const status = el("p", { class: "op-status small muted", "aria-live": "polite", id: `${id}-status` });
    const selectNode = el("select", { id });
    selectNode.append(el("option", { value: "" }, placeholder));
    for (const [area, members] of grouped(ops)) {
      const group = el("optgroup", { label: area });
      for (const op of members) group.append(el("option", { value: op.key, selected: op.key === value }, op.label));
      selectNode.append(group);
    }
    selectNode.value = value || "";
    selectNode.addEventListener("change", () => onPick(selectNode.value));

    let shown = [];
    let active = -1;

    function optionId(n) { return `${id}-result-${n}`; }

    function highlight(n) {
      const rows = list.querySelectorAll('[role="option"]');
      if (!rows.length) { active = -1; input.removeAttribute("aria-activedescendant"); return; }
      active = Math.max(0, Math.min(n, rows.length - 1));
      rows.forEach((row, i) => row.setAttribute("aria-selected", i === active ? "true" : "false"));
      input.setAttribute("aria-activedescendant", optionId(active));
      rows[active].scrollIntoView({ block: "nearest" });
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function pick(op) {
      close();
      input.value = "";
      status.textContent = `Chose ${op.label}.`;
      selectNode.value = op.key;
      onPick(op.key);
    }

    function render() {
      const matches = search(index, input.value);
      shown = matches.slice(0, MAX_SHOWN);
      const more = matches.length - shown.length;
      status.textContent = input.value.trim()
        ? `${matches.length} of ${ops.length} operations match` + (more > 0 ? `; showing the first ${shown.length}` : "")
        : "";
      const frag = document.createDocumentFragment();
      let n = 0;
      const byGroup = input.value.trim() ? [["", shown]] : grouped(shown);
      for (const [area, members] of byGroup) {
        const group = el("div", { role: "group", class: "op-group" });
        if (area) {
          const headingId = `${id}-group-${area.replace(/\W+/g, "-")}`;
          group.setAttribute("aria-labelledby", headingId);
          group.append(el("div", { class: "op-group-label", id: headingId, role: "presentation" }, area));
        }
        for (const op of members) {
          const row = el("div", { id: optionId(n), role: "option", class: "op-result", "aria-selected": "false", dataset: { key: op.key } },
            el("span", { class: "op-label" }, op.label),
            op.important ? el("span", { class: "op-badge" }, "common") : null,
            el("span", { class: "op-area small muted" }, areaOf(op)),
            el("span", { class: "op-description small muted" }, op.description || ""));
          row.addEventListener("mousedown", (event) => { event.preventDefault(); pick(op); });
          group.append(row);
          n += 1;
        }
        frag.append(group);
      }
      if (!n) frag.append(el("div", { class: "op-empty muted" }, "No operation matches; try fewer or other words."));
      list.replaceChildren(frag);
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(0);
    }

    input.addEventListener("input", render);
    input.addEventListener("focus", () => { if (input.value) render(); });
    input.addEventListener("blur", close);
    input.addEventListener("keydown", (event) => {
      const open = !list.hidden;
      if (event.key === "ArrowDown") { event.preventDefault(); if (!open) render(); else highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); if (open) highlight(active - 1); }
      else if (event.key === "Home" && open) { event.preventDefault(); highlight(0); }
      else if (event.key === "End" && open) { event.preventDefault(); highlight(shown.length - 1); }
      else if (event.key === "Enter" && open && active >= 0 && shown[active]) { event.preventDefault(); pick(shown[active]); }
      else if (event.key === "Escape" && open) { event.preventDefault(); close(); }
    });

    return el("div", { class: "op-picker" },
      el("label", { for: input.id, class: "visually-hidden" }, `Search ${label.toLowerCase()}s`),
      input, list, status,
      el("label", { for: id }, label), selectNode);
  }

  return { create, grouped, search };
})();
