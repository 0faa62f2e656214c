// The timeline: events per day or per ISO week (per month over long spans), stacked by type.
// Recalled history (historical events) is left out when current events exist: one event of 1948
// would otherwise squeeze this month's news into a sliver. Clicking a bar selects that period;
// the table and the map then show only it.
"use strict";

function isoDay(d) { return d.toISOString().slice(0, 10); }

function binStart(dateStr, bin) {
  const d = new Date(dateStr + "T00:00:00Z");
  if (bin === "week") d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7)); // back to Monday
  if (bin === "month") d.setUTCDate(1);
  return isoDay(d);
}

function nextBin(dateStr, bin) {
  const d = new Date(dateStr + "T00:00:00Z");
  if (bin === "month") d.setUTCMonth(d.getUTCMonth() + 1);
  else d.setUTCDate(d.getUTCDate() + (bin === "week" ? 7 : 1));
  return isoDay(d);
}

class Timeline {
  constructor(svg, onPick) {
    this.svg = svg;
    this.onPick = onPick;
    this.bin = "day";
    this.events = [];
    this.picked = null;
  }

  setEvents(events) { this.events = events; this.draw(); }
  setBin(bin) { this.bin = bin; this.picked = null; this.draw(); }

  // Bins from the first to the last dated event; past 800 bars, weeks then months are forced.
  bins() {
    const all = this.events.filter((e) => e.date);
    const current = all.filter((e) => !e.historical);
    const dated = current.length ? current : all;
    this.leftOut = all.length - dated.length;
    if (!dated.length) return [];
    const days = dated.map((e) => e.date).sort();
    let bin = this.bin;
    const spanDays = (new Date(days[days.length - 1]) - new Date(days[0])) / 864e5;
    if (bin === "day" && spanDays > 800) bin = "week";
    if (bin === "week" && spanDays > 800 * 7) bin = "month";
    this.effectiveBin = bin;
    const counts = new Map();
    for (let b = binStart(days[0], bin), last = binStart(days[days.length - 1], bin); b <= last; b = nextBin(b, bin)) {
      counts.set(b, {});
    }
    for (const e of dated) {
      const b = counts.get(binStart(e.date, bin));
      b[e.type] = (b[e.type] || 0) + 1;
    }
    return [...counts.entries()].map(([start, byType]) => ({ start, end: nextBin(start, bin), byType }));
  }

  draw() {
    const W = Math.max(this.svg.clientWidth || 1000, 300), H = 160, top = 10, bottom = 22;
    this.svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    this.svg.replaceChildren();
    const bins = this.bins();
    if (!bins.length) {
      const t = svgEl("text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "empty" });
      t.textContent = "no dated events";
      this.svg.append(t);
      return;
    }
    const max = Math.max(...bins.map((b) => Object.values(b.byType).reduce((a, c) => a + c, 0)), 1);
    const bw = W / bins.length;
    bins.forEach((b, i) => {
      const g = svgEl("g", { class: "bin" + (this.picked === b.start ? " picked" : ""), "data-start": b.start });
      let y = H - bottom;
      for (const type of Object.keys(TYPE_COLORS)) {
        const n = b.byType[type];
        if (!n) continue;
        const h = (n / max) * (H - top - bottom);
        y -= h;
        g.append(svgEl("rect", { x: i * bw + bw * 0.1, y, width: Math.max(bw * 0.8, 0.5), height: h,
          fill: typeColor(type), "data-type": type }));
      }
      // A transparent full-height hit area: thin bars stay clickable.
      const hit = svgEl("rect", { x: i * bw, y: 0, width: bw, height: H, class: "hit" });
      const title = svgEl("title");
      const total = Object.values(b.byType).reduce((a, c) => a + c, 0);
      title.textContent = `${this.effectiveBin} of ${b.start}: ${total} event(s)` +
        Object.entries(b.byType).map(([t, n]) => `\n${t}: ${n}`).join("");
      hit.append(title);
      hit.addEventListener("click", () => {
        this.picked = this.picked === b.start ? null : b.start;
        this.onPick(this.picked ? { start: b.start, end: b.end } : null);
        this.draw();
      });
      g.append(hit);
      this.svg.append(g);
    });
    if (this.leftOut) {
      const note = svgEl("text", { x: 4, y: 12, class: "tick" });
      note.textContent = `${this.leftOut} historical event(s) not drawn`;
      this.svg.append(note);
    }
    const step = Math.max(1, Math.ceil(bins.length / 8));
    bins.forEach((b, i) => {
      if (i % step) return;
      const t = svgEl("text", { x: i * bw + 2, y: H - 6, class: "tick" });
      t.textContent = b.start;
      this.svg.append(t);
    });
  }
}
