// The lab's page. It computes nothing about the network: every prediction,
// activation and mistake comes from the kit's server (lib/lab/server.ts),
// which runs the kit's own forward code. Served by the kit; no CDN.

const $ = (id) => document.getElementById(id);
const state = {
  runs: [],
  run: null,
  drawVersion: 0,
  inFlight: false,
  weights: null,
  mistakes: null,
  cell: null,
};
const SEND_SIDE = 84; // the drawing is sent at 84x84 grey; the server does the MNIST preprocessing

async function getJson(url, options) {
  const response = await fetch(url, options);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `${response.status}`);
  return body;
}

// ---- views -----------------------------------------------------------------

function showView(name) {
  for (const button of document.querySelectorAll("nav button")) {
    button.classList.toggle("active", button.dataset.view === name);
  }
  for (const view of document.querySelectorAll(".view")) {
    view.hidden = view.id !== `view-${name}`;
  }
  if (name === "mistakes") loadMistakes();
  if (name === "inside") loadWeights();
  if (name === "runs") drawRunCurves();
}

for (const button of document.querySelectorAll("nav button")) {
  button.addEventListener("click", () => showView(button.dataset.view));
}

// ---- runs --------------------------------------------------------------------

function runLabel(run) {
  const accuracy = run.test_accuracy === null
    ? "training"
    : `${(run.test_accuracy * 100).toFixed(2)}%`;
  return `${run.id} (${run.impl}, ${accuracy})`;
}

async function loadRuns() {
  const info = await getJson("/api/runs");
  state.runs = info.runs;
  for (const select of [$("run"), $("run-a"), $("run-b")]) {
    const keep = select.value;
    select.replaceChildren(
      ...state.runs.map((run) => new Option(runLabel(run), run.id)),
    );
    if (keep && state.runs.some((r) => r.id === keep)) select.value = keep;
  }
  if (state.runs.length > 1 && !$("run-b").dataset.chosen) {
    $("run-b").value = state.runs[1].id;
  }
  selectRun($("run").value);
  return info;
}

function selectRun(id) {
  state.run = state.runs.find((r) => r.id === id) ?? null;
  state.weights = null;
  state.mistakes = null;
  $("run-info").textContent = state.run ? state.run.dir : "no run folder yet";
}

$("run").addEventListener("change", () => {
  selectRun($("run").value);
  const active = document.querySelector("nav button.active").dataset.view;
  showView(active);
  predictNow();
});
for (const id of ["run-a", "run-b"]) {
  $(id).addEventListener("change", () => {
    $(id).dataset.chosen = "yes";
    drawRunCurves();
  });
}

// ---- charts ------------------------------------------------------------------

const SVG = "http://www.w3.org/2000/svg";

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) {
    element.setAttribute(key, value);
  }
  return element;
}

/** Draws series of [x, y] points into an SVG, axes from 0 to xMax and yMin to yMax. */
function lineChart(svg, series, { xMax, yMin, yMax, label }) {
  const [width, height] = svg.getAttribute("viewBox").split(" ").slice(2).map(
    Number,
  );
  const pad = { left: 44, right: 10, top: 10, bottom: 24 };
  const x = (v) =>
    pad.left + (v / Math.max(xMax, 1e-9)) * (width - pad.left - pad.right);
  const y = (v) =>
    height - pad.bottom -
    ((v - yMin) / (yMax - yMin || 1)) * (height - pad.top - pad.bottom);
  svg.replaceChildren();
  svg.append(
    svgElement("line", {
      x1: pad.left,
      y1: y(yMin),
      x2: width - pad.right,
      y2: y(yMin),
      stroke: "#999",
    }),
  );
  svg.append(
    svgElement("line", {
      x1: pad.left,
      y1: y(yMin),
      x2: pad.left,
      y2: pad.top,
      stroke: "#999",
    }),
  );
  for (const v of [yMin, (yMin + yMax) / 2, yMax]) {
    const text = svgElement("text", { x: 4, y: y(v) + 4 });
    text.textContent = label(v);
    svg.append(text);
  }
  for (const { name, points, color, dots } of series) {
    if (dots) {
      for (const [px, py] of points) {
        svg.append(
          svgElement("circle", { cx: x(px), cy: y(py), r: 3, fill: color }),
        );
      }
      continue;
    }
    const d = points.map(([px, py], i) =>
      `${i ? "L" : "M"}${x(px).toFixed(1)},${
        y(Math.max(yMin, Math.min(yMax, py))).toFixed(1)
      }`
    ).join("");
    svg.append(
      svgElement("path", {
        d,
        fill: "none",
        stroke: color,
        "stroke-width": 1.5,
        // What the line shows, for tests and for anyone reading the SVG.
        "data-series": name ?? "",
        "data-values": points.map((p) => p[1]).join(","),
      }),
    );
    if (points.length > 40) continue;
    for (const [px, py] of points) {
      const cy = y(Math.max(yMin, Math.min(yMax, py)));
      svg.append(svgElement("circle", { cx: x(px), cy, r: 2.5, fill: color }));
    }
  }
  let legendX = pad.left + 8;
  for (const { name, color } of series) {
    if (!name) continue;
    const text = svgElement("text", {
      x: legendX,
      y: pad.top + 12,
      style: `fill:${color}`,
    });
    text.textContent = name;
    svg.append(text);
    legendX += 12 + name.length * 6.5;
  }
}

async function drawRunCurves() {
  const ids = [$("run-a").value, $("run-b").value].filter((id, i, all) =>
    id && all.indexOf(id) === i
  );
  const colors = ["#1e88e5", "#e53935"];
  const metrics = await Promise.all(
    ids.map((id) =>
      getJson(`/api/runs/${encodeURIComponent(id)}`).catch(() => null)
    ),
  );
  const series = (key) =>
    metrics.map((m, i) =>
      m && {
        name: ids[i],
        color: colors[i],
        points: (m.epochs ?? []).map((e) => [e.epoch, e[key]]),
      }
    ).filter(Boolean);
  const epochs = Math.max(1, ...metrics.map((m) => m?.epochs?.length ?? 0));
  const accuracy = series("val_accuracy");
  const lowest = Math.min(
    0.9,
    ...accuracy.flatMap((s) => s.points.map((p) => p[1])),
  );
  lineChart($("runs-accuracy"), accuracy, {
    xMax: epochs,
    yMin: Math.floor(lowest * 20) / 20,
    yMax: 1,
    label: (v) => `${(v * 100).toFixed(0)}%`,
  });
  const loss = series("train_loss");
  const highest = Math.max(
    0.1,
    ...loss.flatMap((s) => s.points.map((p) => p[1])),
  );
  lineChart($("runs-loss"), loss, {
    xMax: epochs,
    yMin: 0,
    yMax: highest,
    label: (v) => v.toFixed(2),
  });
}

// ---- draw --------------------------------------------------------------------

const pad = $("pad");
const pen = pad.getContext("2d");

function clearPad() {
  pen.fillStyle = "#fff";
  pen.fillRect(0, 0, pad.width, pad.height);
  state.drawVersion++;
  state.hasInk = false;
  $("prediction").textContent = "?";
  $("prediction").dataset.settled = "true";
  showProbabilities(null);
}

// Pointer events cover mouse, touch and pen alike; one pointer draws at a
// time, so a second finger (or a palm) does not join its stroke to the first.
let last = null;
let drawing = null;
pad.addEventListener("pointerdown", (event) => {
  if (drawing !== null) return;
  drawing = event.pointerId;
  pad.setPointerCapture(event.pointerId);
  last = point(event);
  stroke(last, last);
});
pad.addEventListener("pointermove", (event) => {
  if (event.pointerId !== drawing) return;
  const next = point(event);
  stroke(last, next);
  last = next;
});
for (const type of ["pointerup", "pointercancel"]) {
  pad.addEventListener(type, (event) => {
    if (event.pointerId !== drawing) return;
    drawing = null;
    last = null;
    predictNow();
  });
}
$("clear").addEventListener("click", clearPad);

function point(event) {
  const box = pad.getBoundingClientRect();
  return [
    (event.clientX - box.left) * pad.width / box.width,
    (event.clientY - box.top) * pad.height / box.height,
  ];
}

function stroke(from, to) {
  pen.strokeStyle = "#000";
  pen.lineWidth = 18;
  pen.lineCap = "round";
  pen.lineJoin = "round";
  pen.beginPath();
  pen.moveTo(...from);
  pen.lineTo(...to);
  pen.stroke();
  state.hasInk = true;
  state.drawVersion++;
  $("prediction").dataset.settled = "false";
  predictSoon();
}

function predictSoon() {
  if (!state.inFlight) predictNow();
}

/** Sends the drawing (84x84 grey) and shows the answer; resends if it changed meanwhile. */
async function predictNow() {
  if (!state.run || !state.hasInk) return;
  if (state.inFlight) return;
  state.inFlight = true;
  const version = state.drawVersion;
  const small = document.createElement("canvas");
  small.width = small.height = SEND_SIDE;
  const context = small.getContext("2d");
  context.drawImage(pad, 0, 0, SEND_SIDE, SEND_SIDE);
  const rgba = context.getImageData(0, 0, SEND_SIDE, SEND_SIDE).data;
  const pixels = new Array(SEND_SIDE * SEND_SIDE);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rgba[i * 4];
  try {
    const answer = await getJson(
      `/api/runs/${encodeURIComponent(state.run.id)}/predict`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ width: SEND_SIDE, height: SEND_SIDE, pixels }),
      },
    );
    if (version === state.drawVersion) showAnswer(answer);
  } finally {
    state.inFlight = false;
  }
  if (version !== state.drawVersion) predictNow();
  else $("prediction").dataset.settled = "true";
}

function showAnswer(answer) {
  state.answer = answer;
  $("prediction").textContent = answer.digit === null ? "?" : `${answer.digit}`;
  showProbabilities(answer.digit === null ? null : answer.probabilities);
  if (answer.digit === null) return;
  drawDigit($("input"), answer.input);
  showInside(answer);
}

function showProbabilities(probabilities) {
  const bars = [];
  for (let digit = 0; digit < 10; digit++) {
    const p = probabilities ? probabilities[digit] : 0;
    const bar = document.createElement("div");
    const best = probabilities && p === Math.max(...probabilities);
    bar.className = best ? "bar win" : "bar";
    bar.dataset.digit = `${digit}`;
    bar.dataset.probability = `${p}`;
    bar.innerHTML = `<span>${digit}</span><span class="fill" style="width:${
      (p * 200).toFixed(1)
    }px"></span><span>${(p * 100).toFixed(1)}%</span>`;
    bars.push(bar);
  }
  $("probabilities").replaceChildren(...bars);
}

/** Paints 784 bytes (0 paper, 255 ink) white on black into a 28x28 canvas. */
function drawDigit(canvas, bytes) {
  const context = canvas.getContext("2d");
  const image = context.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    image.data.set([bytes[i], bytes[i], bytes[i], 255], i * 4);
  }
  context.putImageData(image, 0, 0);
}

// ---- inside ------------------------------------------------------------------

function showInside(answer) {
  const layers = answer.hidden.map((activations, i) => {
    const row = document.createElement("div");
    row.className = "layer";
    row.title = `hidden layer ${i + 1}: ${activations.length} units`;
    const top = Math.max(1e-9, ...activations);
    for (const a of activations) {
      const unit = document.createElement("span");
      unit.className = "unit";
      unit.style.background = `rgba(239,108,0,${
        Math.max(0, a / top).toFixed(3)
      })`;
      row.append(unit);
    }
    return row;
  });
  $("hidden").replaceChildren(...layers);
  $("winner").textContent = `${answer.digit}`;
  const pushes = answer.pushes.map(({ unit, push }) => {
    const cell = document.createElement("div");
    cell.textContent = `unit ${unit}: +${push.toFixed(2)}`;
    if (answer.hidden.length === 1 && state.weights) {
      cell.prepend(weightTile(unit), document.createElement("br"));
    }
    return cell;
  });
  $("pushes").replaceChildren(...pushes);
  highlightUnits(answer.hidden[0]);
}

async function loadWeights() {
  if (!state.run || state.weights) return;
  const run = state.run;
  const weights = await getJson(
    `/api/runs/${encodeURIComponent(run.id)}/weights`,
  );
  if (run !== state.run) return;
  state.weights = weights;
  const tiles = [];
  for (let unit = 0; unit < weights.units; unit++) {
    const tile = weightTile(unit);
    tile.title = `unit ${unit}`;
    tiles.push(tile);
  }
  $("weights").replaceChildren(...tiles);
  if (state.answer?.digit !== null && state.answer) showInside(state.answer);
}

/** A unit's incoming weights as a 28x28 red/blue image. */
function weightTile(unit) {
  const { units, weights } = state.weights;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 28;
  let top = 1e-9;
  for (let p = 0; p < 784; p++) {
    top = Math.max(top, Math.abs(weights[p * units + unit]));
  }
  const context = canvas.getContext("2d");
  const image = context.createImageData(28, 28);
  for (let p = 0; p < 784; p++) {
    const w = weights[p * units + unit] / top;
    const fade = Math.round(255 * (1 - Math.abs(w)));
    image.data.set(
      w >= 0 ? [255, fade, fade, 255] : [fade, fade, 255, 255],
      p * 4,
    );
  }
  context.putImageData(image, 0, 0);
  return canvas;
}

function highlightUnits(activations) {
  const tiles = $("weights").children;
  if (!activations || tiles.length !== activations.length) return;
  const hot = new Set(
    activations.map((a, i) => [a, i]).sort((a, b) => b[0] - a[0]).slice(0, 8)
      .map(([, i]) => i),
  );
  for (let i = 0; i < tiles.length; i++) {
    tiles[i].classList.toggle("hot", hot.has(i));
  }
}

// ---- mistakes ----------------------------------------------------------------

async function loadMistakes() {
  if (!state.run) return;
  const run = state.run;
  $("mistake-summary").textContent =
    "classifying the validation and test sets…";
  state.mistakes ??= await getJson(
    `/api/runs/${encodeURIComponent(run.id)}/mistakes`,
  );
  if (run !== state.run) return;
  state.cell = null;
  showMistakes();
}

$("mistake-set").addEventListener("change", () => {
  state.cell = null;
  showMistakes();
});

function showMistakes() {
  const set = state.mistakes.find((s) => s.set === $("mistake-set").value);
  $("mistake-summary").textContent =
    `${set.missed.length} of ${set.total} ${set.set} digits missed`;
  const header = document.createElement("tr");
  header.innerHTML = "<th></th>" +
    [...Array(10).keys()].map((d) => `<th>${d}</th>`).join("");
  const rows = set.confusion.map((counts, label) => {
    const row = document.createElement("tr");
    row.innerHTML = `<th>${label}</th>`;
    counts.forEach((count, predicted) => {
      const cell = document.createElement("td");
      cell.textContent = `${count}`;
      cell.dataset.true = `${label}`;
      cell.dataset.predicted = `${predicted}`;
      if (label === predicted) cell.className = "diagonal";
      else if (count > 0) {
        cell.style.background = `rgba(239,108,0,${
          Math.min(1, 0.15 + count / 20).toFixed(2)
        })`;
      }
      if (
        state.cell && state.cell[0] === label && state.cell[1] === predicted
      ) cell.classList.add("selected");
      cell.addEventListener("click", () => {
        state.cell =
          state.cell && state.cell[0] === label && state.cell[1] === predicted
            ? null
            : [label, predicted];
        showMistakes();
      });
      row.append(cell);
    });
    return row;
  });
  $("confusion").replaceChildren(header, ...rows);
  const shown = state.cell
    ? set.missed.filter((m) =>
      m.label === state.cell[0] && m.predicted === state.cell[1]
    )
    : set.missed;
  $("missed-title").textContent = state.cell
    ? `Missed digits: true ${state.cell[0]}, read as ${
      state.cell[1]
    } (${shown.length})`
    : `Missed digits, most confident first (${shown.length})`;
  $("missed").replaceChildren(...shown.map(missCell));
}

function missCell(miss) {
  const cell = document.createElement("div");
  cell.className = "digit";
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 28;
  drawDigit(canvas, Uint8Array.from(atob(miss.pixels), (c) => c.charCodeAt(0)));
  const top = miss.probabilities.map((p, d) => [p, d]).sort((a, b) =>
    b[0] - a[0]
  ).slice(0, 2);
  cell.title = `image ${miss.index}: true ${miss.label}; ` +
    miss.probabilities.map((p, d) => `${d}: ${(p * 100).toFixed(1)}%`).join(
      ", ",
    );
  cell.append(
    canvas,
    `${miss.label} → ${miss.predicted}`,
    document.createElement("br"),
    top.map(([p, d]) => `${d} ${(p * 100).toFixed(0)}%`).join(" "),
  );
  return cell;
}

// ---- live --------------------------------------------------------------------

function startLive() {
  const live = { steps: [], epochs: [], totalSteps: 1 };
  const chart = $("live-chart");
  let drawn = 0;
  const redraw = () => {
    if (
      drawn === live.steps.length &&
      chart.dataset.epochs === `${live.epochs.length}`
    ) return;
    drawn = live.steps.length;
    const stride = Math.max(1, Math.ceil(live.steps.length / 1500));
    const every = live.steps.filter((_, i) =>
      i % stride === 0 || i === live.steps.length - 1
    );
    const maxLoss = Math.max(2.5, ...every.map((s) => s[1]));
    lineChart(chart, [
      {
        name: "loss",
        color: "#ef6c00",
        points: every.map(([step, loss]) => [step, loss / maxLoss]),
      },
      {
        name: "accuracy",
        color: "#1e88e5",
        points: every.map(([step, , accuracy]) => [step, accuracy]),
      },
      {
        name: "validation",
        color: "#43a047",
        dots: true,
        points: live.epochs.map((e) => [e.step, e.valAccuracy]),
      },
    ], {
      xMax: live.totalSteps,
      yMin: 0,
      yMax: 1,
      label: (v) => `${(v * 100).toFixed(0)}%`,
    });
    chart.dataset.points = `${live.steps.length}`;
    chart.dataset.epochs = `${live.epochs.length}`;
  };
  const source = new EventSource("/api/live");
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "start") {
      live.totalSteps = event.totalSteps;
      $("live-status").textContent =
        `training ${event.run}: ${event.epochs} epochs, ${event.totalSteps} steps`;
    } else if (event.type === "steps") {
      live.steps.push(...event.steps);
      const [step, loss, accuracy] = event.steps.at(-1);
      $("live-status").textContent =
        `step ${step} of ${live.totalSteps}: loss ${
          loss.toFixed(3)
        }, batch accuracy ${(accuracy * 100).toFixed(1)}%`;
    } else if (event.type === "epoch") {
      live.epochs.push({ ...event, step: live.steps.at(-1)?.[0] ?? 0 });
    } else if (event.type === "done") {
      source.close();
      $("live-status").textContent = `finished: validation ${
        (event.valAccuracy * 100).toFixed(2)
      }%`;
      $("live-final").innerHTML = `test accuracy <b>${
        (event.testAccuracy * 100).toFixed(2)
      }%</b>: <a href="/runs/${
        encodeURIComponent(event.run)
      }/report.html" target="_blank">the run's report</a>`;
      loadRuns();
    } else if (event.type === "failed") {
      source.close();
      $("live-status").textContent = `training stopped: ${event.message}`;
    }
  };
  setInterval(redraw, 100);
}

// ---- start -------------------------------------------------------------------

clearPad();
const info = await loadRuns();
if (info.live) {
  startLive();
  showView("live");
}
document.body.dataset.ready = "true";
