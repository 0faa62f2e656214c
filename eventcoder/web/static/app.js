// The analysts' page: filters -> /api/events -> map, timeline and table (linked); event view with
// highlighted evidence and the rule behind each field; review queue and audit log.
// Article text is untrusted: everything from the API goes into the page as textContent, never HTML.
"use strict";

const $ = (sel) => document.querySelector(sel);
const PAGE_LIMIT = 2000;
const HL_KINDS = ["evidence", "trigger", "source", "target", "place", "date", "fatalities", "injuries", "arrests"];
const FIELD_ROWS = ["type", "mode", "historical", "date", "source_actors", "target_actors", "locations",
  "fatalities", "injuries", "arrests", "attributed_to", "cameo_root", "acled", "confidence", "n_sources", "review_status"];

const state = { config: null, events: [], total: 0, sort: { key: "date", dir: 1 }, quick: "", period: null,
  selected: null, current: null };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return node;
}

function showError(msg) { $("#error").textContent = msg || ""; }

async function call(method, url, body) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const token = sessionStorage.getItem("eventcoder-token");
  if (method !== "GET" && token) headers.Authorization = "Bearer " + token;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || `${res.status} ${res.statusText}`);
  showError("");
  return data;
}

// ---- filters, kept in the URL hash so a reload shows the same view ----------------------------
function readHash() { return new URLSearchParams(location.hash.slice(1)); }

function writeHash(params) {
  const h = params.toString();
  history.replaceState(null, "", h ? "#" + h : location.pathname);
}

function filterParams() {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData($("#filters"))) if (String(v).trim()) params.set(k, String(v).trim());
  return params;
}

function fillForm(params) {
  for (const input of $("#filters").elements) {
    if (input.name) input.value = params.get(input.name) || "";
  }
}

async function loadEvents() {
  const params = filterParams();
  const hash = new URLSearchParams(params);
  if (state.current) hash.set("event", state.current);
  writeHash(hash);
  for (const fmt of ["csv", "jsonl", "geojson"]) {
    const p = new URLSearchParams(params);
    p.set("format", fmt);
    p.set("all", "true");
    $("#export-" + fmt).href = "/api/export?" + p;
  }
  params.set("view", "summary");
  params.set("limit", PAGE_LIMIT);
  try {
    const data = await call("GET", "/api/events?" + params);
    state.events = data.events;
    state.total = data.total;
  } catch (err) {
    showError(err.message);
    state.events = [];
    state.total = 0;
  }
  state.period = null;
  $("#clear-selection").hidden = true;
  $("#count").textContent = `${state.total} event(s) match` +
    (state.total > state.events.length ? `; the first ${state.events.length} are shown` : "");
  timeline.setEvents(state.events);
  render();
  map.fit();
}

// The rows every view shows: the loaded events narrowed by the quick filter and the picked period.
function visible() {
  const q = state.quick.toLowerCase();
  return state.events.filter((e) => {
    if (state.period && !(e.date && e.date >= state.period.start && e.date < state.period.end)) return false;
    if (!q) return true;
    return ["date", "type", "mode", "source", "target", "place", "country", "review_status", "trigger"]
      .some((k) => String(e[k] ?? "").toLowerCase().includes(q));
  });
}

function render() {
  const rows = visible();
  map.setEvents(rows);
  if (!state.period) timeline.setEvents(state.quick ? rows : state.events);
  renderTable(rows);
  map.highlight(state.selected);
}

function renderTable(rows) {
  const { key, dir } = state.sort;
  rows = [...rows].sort((a, b) => {
    const x = a[key], y = b[key];
    if (x == null && y == null) return 0;
    if (x == null) return 1;
    if (y == null) return -1;
    return (x < y ? -1 : x > y ? 1 : 0) * dir;
  });
  for (const th of document.querySelectorAll("#events th")) {
    th.classList.toggle("asc", th.dataset.key === key && dir > 0);
    th.classList.toggle("desc", th.dataset.key === key && dir < 0);
  }
  const body = document.querySelector("#events tbody");
  body.replaceChildren(...rows.map((e) => el("tr", {
    "data-id": e.id, "data-type": e.type, class: e.id === state.selected ? "selected" : "",
    onclick: () => openEvent(e.id), onmouseenter: () => map.highlight(e.id), onmouseleave: () => map.highlight(state.selected),
  },
  el("td", {}, e.date || ""), el("td", {}, el("span", { class: "swatch", "data-type": e.type }), e.type),
  el("td", {}, e.mode + (e.historical ? " (hist.)" : "")), el("td", {}, e.source), el("td", {}, e.target),
  el("td", {}, e.place), el("td", {}, e.country || ""), el("td", { class: "num" }, e.fatalities ?? ""),
  el("td", { class: "num" }, e.n_sources), el("td", {}, e.review_status))));
  for (const sw of body.querySelectorAll(".swatch")) sw.style.background = typeColor(sw.dataset.type);
  $("#shown").textContent = `${rows.length} row(s)`;
}

// ---- event view ---------------------------------------------------------------------------------
function show(section) {
  for (const id of ["#event", "#queue", "#audit-all"]) $(id).hidden = id !== section;
}

function fmtValue(field, v) {
  if (v == null) return "—";
  if (field === "date") return `${v.start}${v.end !== v.start ? " to " + v.end : ""} (${v.precision}; ${v.basis})`;
  if (["fatalities", "injuries", "arrests"].includes(field)) return `${v.count} (${v.qualifier})${v.text ? ": “" + v.text + "”" : ""}`;
  if (field === "source_actors" || field === "target_actors") return v.map((a) => `${a.name || a.text} [${a.id || "unknown"}; “${a.text}”]`).join("; ") || "—";
  if (field === "locations") return v.map((p) => `${p.name}, ${p.country || "?"} (${p.precision}; “${p.text}”)`).join("; ") || "—";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

async function openEvent(id) {
  state.current = id;
  state.selected = id;
  const hash = readHash();
  hash.set("event", id);
  writeHash(hash);
  map.highlight(id);
  for (const tr of document.querySelectorAll("#events tbody tr")) tr.classList.toggle("selected", tr.dataset.id === id);
  let data;
  try { data = await call("GET", "/api/events/" + encodeURIComponent(id)); } catch (err) { showError(err.message); return; }
  const ev = data.event;
  show("#event");
  $("#event-title").textContent = `${ev.type} (${ev.mode}) ${ev.date ? ev.date.start : ""} · ${ev.review_status} · ${ev.id}`;
  const rules = (ev.extractor && ev.extractor.fields) || {};
  const editable = new Set(state.config.editable_fields);
  const canWrite = state.config.writes !== "disabled";
  $("#fields tbody").replaceChildren(...FIELD_ROWS.map((f) => el("tr", { "data-field": f },
    el("th", {}, f), el("td", { class: "value" }, fmtValue(f, ev[f])),
    el("td", { class: "rule" }, rules[f] || (f === "type" || f === "mode" ? rules.trigger || "" : "")),
    el("td", {}, editable.has(f) && canWrite ? el("button", { type: "button", class: "edit", onclick: () => editField(ev, f) }, "edit") : ""))));
  $("#hl-legend").replaceChildren(...HL_KINDS.map((k) => el("span", { class: "hl hl-" + k }, k)));
  $("#articles").replaceChildren(...data.articles.map((a) => el("article", { "data-article": a.id },
    el("h3", {}, `${a.source || "unknown source"}, ${a.published || "undated"}${a.title ? ": " + a.title : ""}`),
    el("p", { class: "text" }, ...a.segments.map((s) => s.kinds.length
      ? el("mark", { class: "hl " + s.kinds.map((k) => "hl-" + k).join(" "), title: s.labels.join("\n") }, s.text)
      : document.createTextNode(s.text))))));
  const first = document.querySelector("#articles .hl-evidence");
  if (first) first.scrollIntoView({ block: "nearest" });
  $("#reports tbody").replaceChildren(...data.reports.map((r) => el("tr", {},
    el("td", {}, r.id), el("td", {}, r.source || ""), el("td", {}, r.published || ""),
    el("td", {}, r.merge_score == null ? "first" : Number(r.merge_score).toFixed(2)),
    el("td", {}, (r.merge_reasons || []).join("; ")),
    el("td", {}, data.reports.length > 1 && canWrite ? el("button", { type: "button", class: "split", onclick: () => act(
      () => call("POST", `/api/reports/${encodeURIComponent(r.id)}/split`, { by: "analyst" })) }, "split out") : ""))));
  renderAudit($("#audit"), data.audit);
  for (const b of document.querySelectorAll("#event-actions button")) b.disabled = !canWrite;
}

function renderAudit(list, entries) {
  list.replaceChildren(...(entries.length ? entries.map((a) => el("li", { "data-field": a.field || "" },
    el("time", {}, a.at), ` ${a.by} ${a.action}`, a.field ? ` ${a.field}` : "", el("span", { class: "before" }, JSON.stringify(a.before)),
    " → ", el("span", { class: "after" }, JSON.stringify(a.after)),
    a.event_id ? el("a", { href: "#", onclick: (e) => { e.preventDefault(); openEvent(a.event_id); } }, " event " + a.event_id) : ""))
    : [el("li", { class: "none" }, "no changes yet")]));
}

// After a write: reload the list (the event may have moved) and reopen the surviving event.
async function act(fn) {
  try {
    const out = await fn();
    await loadEvents();
    const id = (out && (out.event_id || (out.event && out.event.id))) || state.current;
    if (id) await openEvent(id);
  } catch (err) { showError(err.message); }
}

function review(action, field, value) {
  return act(() => call("POST", `/api/events/${encodeURIComponent(state.current)}/review`,
    field === undefined ? { action, by: "analyst" } : { action, field, value, by: "analyst" }));
}

// An inline editor suited to the field; complex fields are edited as JSON.
function editField(ev, field) {
  const cell = document.querySelector(`#fields tr[data-field="${field}"] td.value`);
  const v = ev[field];
  let input, read;
  if (field === "type" || field === "mode") {
    const opts = field === "type" ? state.config.types : state.config.modes;
    input = el("select", { name: field }, ...opts.map((o) => el("option", { value: o }, o)));
    input.value = v;
    read = () => input.value;
  } else if (field === "historical") {
    input = el("select", { name: field }, el("option", { value: "false" }, "false"), el("option", { value: "true" }, "true"));
    input.value = String(v);
    read = () => input.value === "true";
  } else if (["fatalities", "injuries", "arrests"].includes(field)) {
    input = el("input", { name: field, type: "number", min: 0, value: v ? v.count : "" });
    read = () => (input.value === "" ? null : { count: Number(input.value), qualifier: "exact", text: v ? v.text : "" });
  } else if (field === "date") {
    input = el("input", { name: field, type: "date", value: v ? v.start : "" });
    read = () => (input.value ? { start: input.value, end: input.value, precision: "day", basis: "set by an analyst" } : null);
  } else if (field === "attributed_to" || field === "cameo_root") {
    input = el("input", { name: field, value: v || "" });
    read = () => input.value || null;
  } else {
    input = el("textarea", { name: field, rows: 4, cols: 60 });
    input.value = JSON.stringify(v, null, 1);
    read = () => JSON.parse(input.value);
  }
  const save = el("button", { type: "button", class: "save", onclick: () => {
    let value;
    try { value = read(); } catch (err) { showError("not valid JSON: " + err.message); return; }
    review("edit", field, value);
  } }, "save");
  cell.replaceChildren(input, save, el("button", { type: "button", onclick: () => openEvent(ev.id) }, "cancel"));
  input.focus();
}

// ---- review queue and audit log -------------------------------------------------------------
async function showQueue() {
  try {
    const data = await call("GET", "/api/events?view=summary&review_status=unreviewed&limit=200");
    show("#queue");
    const canWrite = state.config.writes !== "disabled";
    $("#queue-table tbody").replaceChildren(...data.events.map((e) => {
      const quick = (action) => el("button", { type: "button", class: action, disabled: !canWrite, onclick: async () => {
        try {
          await call("POST", `/api/events/${encodeURIComponent(e.id)}/review`, { action, by: "analyst" });
          await loadEvents();
          await showQueue();
        } catch (err) { showError(err.message); }
      } }, action);
      return el("tr", { "data-id": e.id }, el("td", {}, e.date || ""), el("td", {}, e.type), el("td", {}, e.source),
        el("td", {}, e.target), el("td", {}, e.place), el("td", {}, e.fatalities ?? ""),
        el("td", {}, el("button", { type: "button", onclick: () => openEvent(e.id) }, "open"), quick("accept"), quick("reject")));
    }));
  } catch (err) { showError(err.message); }
}

async function showAuditAll() {
  try {
    const data = await call("GET", "/api/audit?limit=200");
    show("#audit-all");
    renderAudit($("#audit-list"), data.entries);
  } catch (err) { showError(err.message); }
}

// ---- start ----------------------------------------------------------------------------------
const map = new EventMap($("#map"), (id) => openEvent(id));
const timeline = new Timeline($("#timeline"), (period) => {
  state.period = period;
  $("#clear-selection").hidden = !period;
  render();
});

async function start() {
  state.config = await call("GET", "/api/config");
  const fill = (sel, values) => $(sel).append(...values.map((v) => el("option", { value: v }, v)));
  fill("#f-type", state.config.types);
  fill("#f-mode", state.config.modes);
  fill("#f-review", state.config.review_statuses);
  $("#legend").replaceChildren(...state.config.types.map((t) => {
    const sw = el("span", { class: "swatch" });
    sw.style.background = typeColor(t);
    return el("span", { class: "legend-item" }, sw, t);
  }));
  if (state.config.writes === "token") {
    $("#token-box").hidden = false;
    $("#token").value = sessionStorage.getItem("eventcoder-token") || "";
  }
  $("#token").addEventListener("change", () => sessionStorage.setItem("eventcoder-token", $("#token").value));
  $("#token-box").addEventListener("submit", (e) => { e.preventDefault(); sessionStorage.setItem("eventcoder-token", $("#token").value); });
  $("#filters").addEventListener("submit", (e) => { e.preventDefault(); loadEvents(); });
  $("#f-type").addEventListener("change", loadEvents);
  $("#reset").addEventListener("click", () => { fillForm(new URLSearchParams()); loadEvents(); });
  $("#quick").addEventListener("input", () => { state.quick = $("#quick").value; render(); });
  for (const th of document.querySelectorAll("#events th")) {
    th.addEventListener("click", () => {
      state.sort = { key: th.dataset.key, dir: state.sort.key === th.dataset.key ? -state.sort.dir : 1 };
      renderTable(visible());
    });
  }
  for (const r of document.querySelectorAll("input[name=bin]")) r.addEventListener("change", () => timeline.setBin(r.value));
  $("#clear-selection").addEventListener("click", () => { state.period = null; timeline.picked = null; $("#clear-selection").hidden = true; render(); timeline.draw(); });
  $("#map-fit").addEventListener("click", () => map.fit());
  $("#map-world").addEventListener("click", () => map.setView([-180, -90, 360, 180]));
  $("#event-close").addEventListener("click", () => { state.current = null; $("#event").hidden = true; loadEvents(); });
  $("#accept").addEventListener("click", () => review("accept"));
  $("#reject").addEventListener("click", () => review("reject"));
  $("#merge").addEventListener("click", () => {
    const other = $("#merge-other").value.trim();
    if (!other) return;
    $("#merge-other").value = "";
    act(() => call("POST", `/api/events/${encodeURIComponent(state.current)}/merge`, { other_id: other, by: "analyst" }));
  });
  $("#show-queue").addEventListener("click", showQueue);
  $("#show-audit").addEventListener("click", showAuditAll);
  for (const id of ["#queue-close", "#audit-close"]) $(id).addEventListener("click", () => { $(id).closest("section").hidden = true; });
  window.addEventListener("resize", () => { map.redraw(); timeline.draw(); });

  const hash = readHash();
  fillForm(hash);
  fetch("/api/world.geojson").then((r) => r.json()).then((w) => map.setWorld(w)).catch(() => showError("world map not loaded"));
  await loadEvents();
  if (hash.get("event")) await openEvent(hash.get("event"));
  document.body.dataset.ready = "1";
}

start().catch((err) => showError(err.message));
