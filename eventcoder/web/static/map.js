// The offline map: Natural Earth countries and the events, drawn as SVG in an
// equirectangular projection (x = longitude, y = -latitude). No tiles, nothing from the internet.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";

// One colour per PLOVER type (violent ones warm, cooperative ones cool).
const TYPE_COLORS = {
  ASSAULT: "#d62728", COERCE: "#ff7f0e", PROTEST: "#e6ab02", THREATEN: "#8c564b",
  MOBILIZE: "#bc80bd", SANCTION: "#7f7f7f", ACCUSE: "#e377c2", REJECT: "#9467bd",
  REQUEST: "#17becf", RETREAT: "#b5cf6b", AID: "#2ca02c", COOPERATE: "#1f77b4",
  CONCEDE: "#9edae5", SUPPORT: "#98df8a", CONSULT: "#aec7e8", AGREE: "#393b79",
};

function typeColor(type) { return TYPE_COLORS[type] || "#555"; }

function svgEl(tag, attrs) {
  const node = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  return node;
}

function ringPath(ring) {
  let d = "";
  ring.forEach(([lon, lat], i) => { d += (i ? "L" : "M") + lon + "," + (-lat); });
  return d + "Z";
}

function geometryPath(geom) {
  const polys = geom.type === "Polygon" ? [geom.coordinates] : geom.type === "MultiPolygon" ? geom.coordinates : [];
  return polys.map((poly) => poly.map(ringPath).join("")).join("");
}

class EventMap {
  constructor(svg, onSelect) {
    this.svg = svg;
    this.onSelect = onSelect;
    this.world = svgEl("g", { class: "countries" });
    this.dots = svgEl("g", { class: "dots" });
    svg.append(this.world, this.dots);
    this.view = [-180, -90, 360, 180];
    this.events = [];
    this.setView(this.view);
  }

  setWorld(geojson) {
    for (const f of geojson.features) {
      const path = svgEl("path", { d: geometryPath(f.geometry), class: "country" });
      const title = svgEl("title");
      title.textContent = f.properties.name;
      path.append(title);
      this.world.append(path);
    }
  }

  setView(box) {
    this.view = box;
    this.svg.setAttribute("viewBox", box.join(" "));
    this.svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    this.redraw();
  }

  // Zoom to the events shown (at least 8 degrees across so a single place keeps context).
  fit() {
    const pts = this.events.filter((e) => e.lat != null && e.lon != null);
    if (!pts.length) return this.setView([-180, -90, 360, 180]);
    let w = Math.min(...pts.map((e) => e.lon)), e_ = Math.max(...pts.map((e) => e.lon));
    let s = Math.min(...pts.map((e) => e.lat)), n = Math.max(...pts.map((e) => e.lat));
    const pad = Math.max(4, (e_ - w) * 0.15, (n - s) * 0.15);
    w -= pad; e_ += pad; s -= pad; n += pad;
    this.setView([w, -n, e_ - w, n - s]);
  }

  setEvents(events) {
    this.events = events;
    this.redraw();
  }

  // Circle radius in pixels grows with the square root of fatalities; converted to map units.
  redraw() {
    const px = this.view[2] / Math.max(this.svg.clientWidth || 600, 1);
    this.dots.replaceChildren();
    const sorted = [...this.events].sort((a, b) => (b.fatalities || 0) - (a.fatalities || 0));
    for (const ev of sorted) {
      if (ev.lat == null || ev.lon == null) continue;
      const r = (3 + 2.5 * Math.sqrt(ev.fatalities || 0)) * px;
      const c = svgEl("circle", {
        cx: ev.lon, cy: -ev.lat, r, fill: typeColor(ev.type), class: "dot", "data-id": ev.id,
        "data-type": ev.type, "stroke-width": px,
      });
      const title = svgEl("title");
      title.textContent = `${ev.date || "?"} ${ev.type}: ${ev.source || "?"} -> ${ev.target || "?"}, ` +
        `${ev.place || "?"}` + (ev.fatalities != null ? `, ${ev.fatalities} dead` : "");
      c.append(title);
      c.addEventListener("click", () => this.onSelect(ev.id));
      this.dots.append(c);
    }
  }

  highlight(id) {
    for (const c of this.dots.querySelectorAll("circle.selected")) c.classList.remove("selected");
    if (!id) return;
    const c = this.dots.querySelector(`circle[data-id="${CSS.escape(id)}"]`);
    if (c) { c.classList.add("selected"); this.dots.append(c); }
  }
}
