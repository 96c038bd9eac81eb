// The dashboard: every panel is drawn from its metric's Vega-Lite spec (`format=vega`) with
// vega-embed, the KPI tiles from /kpi/summary's JSON. A new date range re-queries them all.
// The page (server-rendered) says what to ask for: data-path, data-query (the panel's own
// parameters) and data-window (whether the metric takes start and end).

// The chart libraries (<html data-bundle>, preloaded by the page) are imported while the specs
// are fetched, so the API's work and the browser's parsing of the bundle overlap.
const charts = import(document.documentElement.dataset.bundle).then(() => window.vegaEmbed);
const form = document.getElementById("range");
const rangeError = document.querySelector("[data-range-error]");
const tiles = document.querySelector("[data-tiles]");
const panels = [...document.querySelectorAll("[data-panel]")];
const views = new Map();
let generation = 0;

function chosenWindow() {
  const values = Object.fromEntries(new FormData(form));
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value));
}

function urlOf(path, own, windowed, range, format) {
  const query = new URLSearchParams({ ...own, ...(windowed ? range : {}) });
  if (format) query.set("format", format);
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

async function answer(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new Error(body?.error_message ?? `${response.status} ${response.statusText}`);
  }
  return body;
}

function show(element, state, message) {
  element.dataset.state = state;
  element.setAttribute("aria-busy", String(state === "loading"));
  const text = element.querySelector("[data-message]");
  text.textContent = message ?? "";
  text.hidden = !message;
  element.querySelector("[data-retry]").hidden = state !== "error";
}

function formatted(value, kind) {
  if (value === null || value === undefined) return "–";
  const digits = kind === "int" ? 0 : 2;
  const number = value.toLocaleString("en", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return kind === "pct" ? `${number} %` : number;
}

async function drawTiles(range, turn) {
  show(tiles, "loading", "Loading…");
  try {
    const body = await answer(urlOf(tiles.dataset.path, {}, true, range));
    if (turn !== generation) return;
    const row = body.data[0] ?? {};
    for (const tile of tiles.querySelectorAll("[data-field]")) {
      const value = row[tile.dataset.field];
      const output = tile.querySelector("output");
      output.value = formatted(value, tile.dataset.kind);
      output.dataset.value = value ?? "";
    }
    document.querySelector("[data-snapshot-id]").textContent = body.snapshot_id;
    document.querySelector("[data-as-of]").textContent = body.as_of;
    show(tiles, "ready");
  } catch (error) {
    if (turn === generation) show(tiles, "error", `Could not load the key figures: ${error.message}`);
  }
}

async function drawPanel(panel, range, turn) {
  const own = JSON.parse(panel.dataset.query);
  const windowed = panel.dataset.window === "true";
  for (const link of panel.querySelectorAll("a[data-format]")) {
    link.href = urlOf(panel.dataset.path, own, windowed, range, link.dataset.format);
  }
  show(panel, "loading", "Loading…");
  try {
    const spec = await answer(urlOf(panel.dataset.path, own, windowed, range, "vega"));
    if (turn !== generation) return;
    // The chart's title is drawn by the page, where it wraps on a phone (in the SVG a long one
    // is cut at both ends), and only when it says more than the panel's heading.
    const heading = typeof spec.title === "object" ? spec.title : { text: spec.title };
    delete spec.title;
    const text = [heading.text ?? ""].flat().join(" ");
    const said = panel.querySelector("h3").textContent.startsWith(text);
    const title = panel.querySelector("[data-chart-title]");
    title.textContent = [said ? "" : text, heading.subtitle ?? ""].filter(Boolean).join(" · ");
    title.hidden = !title.textContent;
    // The spec's fixed width becomes the panel's, so one chart fits a phone and a desktop.
    spec.width = "container";
    spec.autosize = { type: "fit-x", contains: "padding" };
    const vegaEmbed = await charts;
    if (turn !== generation) return;
    views.get(panel)?.finalize();
    views.set(panel, await vegaEmbed(panel.querySelector("[data-view]"), spec, {
      actions: false,
      renderer: "svg",
    }));
    if (turn === generation) show(panel, "ready");
  } catch (error) {
    if (turn === generation) show(panel, "error", `Could not draw this chart: ${error.message}`);
  }
}

async function drawAll() {
  const turn = ++generation;
  const range = chosenWindow();
  const started = performance.now();
  document.documentElement.dataset.dashboard = "loading";
  await Promise.all([
    ...(tiles ? [drawTiles(range, turn)] : []),
    ...panels.map((panel) => drawPanel(panel, range, turn)),
  ]);
  if (turn !== generation) return;
  document.documentElement.dataset.dashboard = "drawn";
  // Read by bench/dashboard.py: when the last panel of this range was drawn.
  performance.measure("c360:dashboard", { start: turn === 1 ? 0 : started });
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const range = chosenWindow();
  if (range.start && range.end && range.start > range.end) {
    rangeError.textContent = "The first day must not be after the last day.";
    rangeError.hidden = false;
    return;
  }
  rangeError.hidden = true;
  const query = new URLSearchParams(range).toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
  drawAll();
});

for (const retry of document.querySelectorAll("[data-retry]")) {
  retry.addEventListener("click", () => {
    const owner = retry.closest("[data-state]");
    const range = chosenWindow();
    if (owner === tiles) drawTiles(range, generation);
    else drawPanel(owner, range, generation);
  });
}

// A download menu closes on Escape and on a click elsewhere.
document.addEventListener("click", (event) => {
  for (const menu of document.querySelectorAll("details.menu[open]")) {
    if (!menu.contains(event.target)) menu.open = false;
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const menu = event.target.closest?.("details.menu[open]");
  if (menu) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});

drawAll();
