// The review page: the plan per scene, a contact sheet of keyframes, one shot in detail, live progress.
// Plain JavaScript over the REST API (/openapi.json); no build step, nothing fetched from outside.
"use strict";

const $ = (id) => document.getElementById(id);
let plan = null;          // the last GET /api/plan
let selected = null;      // the shot id shown in detail
let estimateTimer = null;

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail));
  return data;
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const child of children) node.append(child);
  return node;
}

function showError(error) {
  setStatus("error", error.message);
}

function setStatus(state, text) {
  $("status").dataset.state = state;
  $("status").textContent = text;
}

function showStatus(status) {
  if (status.error) setStatus("error", "The run stopped: " + status.error);
  else if (status.running) setStatus("running", "Rendering…");
  else if (status.waiting === "plan") setStatus("waiting-plan", "Review the plan: each scene's shots with their dialogue as written. Approve it to record and shoot.");
  else if (status.waiting === "shots") setStatus("waiting-shots", `Review the shots: ${status.pending.length} wait for approval. Click a shot to play it; approve, reshoot or lock it.`);
  else if (status.film) setStatus("delivered", "The film is delivered.");
  else setStatus("idle", plan && plan.approved ? "Render to shoot the film." : "Review the plan, then approve it.");
  $("progress").hidden = !status.running;
  $("render").disabled = !!status.running;
  if (status.film_url || status.film) showFilm();
}

async function showFilm() {
  const status = await api("GET", "/api/status");
  if (!status.film_url) return;
  $("film-section").hidden = false;
  if ($("film").dataset.src !== status.film_url) {
    $("film").dataset.src = status.film_url;
    $("film").src = status.film_url + "&v=" + Date.now();
  }
}

async function load() {
  plan = await api("GET", "/api/plan");
  $("title").textContent = plan.title;
  document.title = plan.title + " — shotgraph review";
  $("approve-plan").disabled = plan.approved;
  $("approve-plan").textContent = plan.approved ? "Plan approved" : "Approve plan";
  $("notes").replaceChildren(...plan.notes.map((note) => el("li", { textContent: note })));
  fillChoices($("d-size"), plan.sizes);
  fillChoices($("d-move"), plan.moves);
  renderScenes();
  showStatus(plan.status);
  api("GET", "/api/estimate").then((e) => { $("next-run").textContent = "Next run: " + e.summary; });
  if (selected) showDetail(selected);
}

function fillChoices(select, values) {
  if (select.options.length) return;
  select.append(...values.map((v) => el("option", { value: v, textContent: v })));
}

function renderScenes() {
  const scenes = plan.scenes.map((scene) => {
    const cards = scene.shots.map((shot) => {
      const picture = shot.keyframe
        ? el("img", { src: shot.keyframe, alt: `keyframe of ${shot.id}`, loading: "lazy" })
        : el("div", { className: "empty", textContent: shot.pending ? "reshoot pending" : "not rendered yet" });
      const lines = shot.lines.map((line) => el("p", { className: "line", textContent: `${line.character}: ${line.text}` }));
      const card = el("div", { className: "card" + (shot.id === selected ? " selected" : ""), tabIndex: 0 },
        picture,
        el("p", {}, el("strong", { textContent: shot.id + " " }), el("span", { className: "badge " + shot.status, textContent: shot.status })),
        el("p", { className: "what", textContent: `${shot.size}, ${shot.move} — ${shot.description}` }),
        ...lines);
      card.dataset.shot = shot.id;
      card.addEventListener("click", () => showDetail(shot.id));
      return card;
    });
    return el("section", { className: "scene" }, el("h2", { textContent: scene.heading || "Opening" }),
      el("div", { className: "sheet" }, ...cards));
  });
  $("scenes").replaceChildren(...scenes);
}

function findShot(id) {
  for (const scene of plan.scenes) for (const shot of scene.shots) if (shot.id === id) return shot;
  return null;
}

function showDetail(id) {
  const shot = findShot(id);
  if (!shot) return;
  selected = id;
  document.querySelectorAll(".card").forEach((c) => c.classList.toggle("selected", c.dataset.shot === id));
  $("detail").hidden = false;
  $("d-id").textContent = shot.id;
  $("d-status").textContent = shot.status;
  $("d-status").className = "badge " + shot.status;
  if (shot.clip) { if ($("d-clip").dataset.src !== shot.clip) { $("d-clip").dataset.src = shot.clip; $("d-clip").src = shot.clip; } }
  else { $("d-clip").removeAttribute("src"); $("d-clip").dataset.src = ""; }
  $("d-lines").replaceChildren(...shot.lines.map((line) => el("li", {},
    el("strong", { textContent: line.character + " " }), line.text,
    line.audio ? el("audio", { src: line.audio, controls: true, preload: "none", className: "line-audio" }) : "")));
  $("d-failure").hidden = !shot.failure;
  $("d-failure").textContent = shot.failure || "";
  $("d-prompt").value = shot.prompt;
  $("d-seed").value = shot.seed;
  $("d-size").value = shot.size;
  $("d-move").value = shot.move;
  $("d-duration").value = shot.min_duration.toFixed(1);
  $("d-estimate").textContent = shot.pending ? "Reshoot decided; render to see it." : "";
  $("d-lock").textContent = shot.status === "locked" ? "Unlock" : "Lock";
  $("d-approve").disabled = shot.status === "approved" || shot.status === "locked";
  $("d-characters").replaceChildren(...plan.characters.map((c) => el("label", { className: "inline" },
    el("input", { type: "checkbox", value: c.id, checked: shot.characters.includes(c.id) }), " " + c.name)));
  $("d-split-at").replaceChildren(...shot.lines.slice(0, -1).map((line, i) =>
    el("option", { value: i + 1, textContent: `${i + 1}: ${line.text.slice(0, 30)}` })));
  $("d-split-label").hidden = shot.lines.length < 2;
  $("d-made").textContent = "Made by " + Object.entries(shot.made_by).map(([s, b]) => `${s}: ${b}`).join(", ")
    + (shot.seconds ? `; ${shot.seconds.toFixed(2)} s in the cut` : "");
  $("d-history").replaceChildren(...shot.history.map((h) => el("li", { textContent: `${h.at} ${h.action} ${JSON.stringify(h.detail)}` })));
}

function changes() {
  const shot = findShot(selected);
  const body = {};
  if ($("d-prompt").value !== shot.prompt) body.prompt = $("d-prompt").value;
  if (Number($("d-seed").value) !== shot.seed) body.seed = Number($("d-seed").value);
  if ($("d-size").value !== shot.size) body.size = $("d-size").value;
  if ($("d-move").value !== shot.move) body.move = $("d-move").value;
  if (Math.abs(Number($("d-duration").value) - shot.min_duration) > 0.05) body.duration = Number($("d-duration").value);
  return body;
}

function estimateChanges() {
  clearTimeout(estimateTimer);
  estimateTimer = setTimeout(async () => {
    const body = changes();
    if (!Object.keys(body).length) { $("d-estimate").textContent = ""; return; }
    try {
      const estimate = await api("POST", `/api/shots/${selected}/estimate`, body);
      $("d-estimate").textContent = "This reshoot " + estimate.summary;
    } catch (error) { $("d-estimate").textContent = error.message; }
  }, 250);
}

async function act(work) {
  try { await work(); await load(); } catch (error) { showError(error); }
}

async function render() {
  await api("POST", "/api/render");  // the run's own Status events say when it starts and where it stops
}

function playWithDialogue() {
  const video = $("d-clip");
  const audios = [...document.querySelectorAll("#d-lines audio")];
  video.currentTime = 0;
  video.play();
  let next = 0;
  const playNext = () => { if (next < audios.length) { const a = audios[next++]; a.currentTime = 0; a.onended = playNext; a.play(); } };
  setTimeout(playNext, 300);  // the lines start after the shot's lead-in, as in the cut
}

function listen() {
  const events = new EventSource("/api/events");
  events.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.kind === "StageStarted") {
      $("stage").textContent = `${event.stage} 0/${event.total}`;
      $("bar").max = event.total; $("bar").value = 0;
      $("progress").hidden = false;
    } else if (event.kind === "ItemDone") {
      $("stage").textContent = `${event.stage} ${event.done}/${event.total}`;
      $("bar").max = event.total; $("bar").value = event.done;
    } else if (event.kind === "ItemFailed") {
      $("notes").append(el("li", { textContent: `${event.item} failed: ${event.reason}` }));
    } else if (event.kind === "Status") {
      showStatus(event);
      if (!event.running) load().catch(showError);
    }
  };
}

$("approve-plan").addEventListener("click", () => act(async () => { await api("POST", "/api/plan/approve"); await render(); }));
$("render").addEventListener("click", () => act(render));
$("approve-all").addEventListener("click", () => act(async () => { await api("POST", "/api/approve-all"); await render(); }));
$("d-approve").addEventListener("click", () => act(() => api("POST", `/api/shots/${selected}/approve`)));
$("d-new-seed").addEventListener("click", () => act(async () => { await api("POST", `/api/shots/${selected}/reshoot`, {}); await render(); }));
$("d-reshoot").addEventListener("click", () => act(async () => { await api("POST", `/api/shots/${selected}/reshoot`, changes()); await render(); }));
$("d-lock").addEventListener("click", () => act(() => api("POST", `/api/shots/${selected}/${findShot(selected).status === "locked" ? "unlock" : "lock"}`)));
function editPlan(body) {
  return act(async () => {
    const edited = await api("POST", "/api/plan/edit", { shot: selected, ...body });
    $("next-run").textContent = "Next run: " + edited.estimate.summary;
  });
}

$("d-set-characters").addEventListener("click", () => editPlan({ op: "characters",
  characters: [...document.querySelectorAll("#d-characters input:checked")].map((i) => i.value) }));
$("d-merge").addEventListener("click", () => editPlan({ op: "merge" }));
$("d-split").addEventListener("click", () => editPlan({ op: "split", after_line: Number($("d-split-at").value) }));
$("d-play").addEventListener("click", playWithDialogue);
$("d-form").addEventListener("input", estimateChanges);

load().then(listen).catch(showError);
