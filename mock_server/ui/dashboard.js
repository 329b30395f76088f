// The retry mock's dashboard. It talks only to the mock that served it: the control API
// under /__mock/ (JSON bodies, the control token as Authorization: Bearer when the mock
// asks for one) and the retry route for "Try it". Every request carries
// X-Mock-Client: dashboard, which the journal records as the entry's `client`.
import {
  cell, countByStatus, el, faultReach, numberOf, pretty, shortId, shortTime, timeOfDay,
} from "./render.js";

// The control API's enums (mock_server/control-openapi.yaml; a test keeps them equal).
export const SCENARIOS = ["healthy", "all-failing", "partial", "empty", "large", "external-down", "canned"];
export const FAULT_KINDS = ["latency", "http-500", "envelope-failure", "drop-connection", "malformed-body"];
export const SWITCHES = ["MediKredit", "MediSwitch", "Healthbridge Switch"];
const STATUSES = ["Failed", "Sent", "Abandoned"];
let ROUTE = "/api/v1/billing/invoices/retryallfailed"; // the mock names it in settings.json
const CLIENT = { "X-Mock-Client": "dashboard" };
const POLL_MS = 1000;
const INVOICES_EVERY_MS = 5000; // without new journal entries, the invoices are read this often
const ROWS_SHOWN = 1000;
const JOURNAL_KEPT = 500;
const TOKEN_KEY = "retry-mock-control-token";

const $ = (id) => document.getElementById(id);
const view = {
  token: sessionStorage.getItem(TOKEN_KEY),
  needsToken: false,
  invoices: [],
  invoicesText: "",
  invoicesRead: 0,
  journal: [],
  bodies: new Map(), // journal sequence -> a "Try it" response this page received
  shownResponse: null,
  bodyView: "pretty",
  scenarioSet: false,
};

class Unauthorized extends Error {}

/** A control API call: the parsed JSON answer, or an Error naming the mock's message. */
async function control(method, path, body) {
  const headers = { ...CLIENT, Accept: "application/json" };
  if (view.token) headers.Authorization = `Bearer ${view.token}`;
  const init = { method, headers, cache: "no-store" };
  if (method !== "GET") headers["Content-Type"] = "application/json"; // the guard's rule
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(`/__mock${path}`, init);
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (response.status === 401) {
    askForToken(view.token ? "The mock refused this token." : "");
    throw new Unauthorized(data?.error || "the control API needs a token");
  }
  if (!response.ok) throw new Error(`${response.status}: ${data?.error || text}`);
  return data;
}

// -- messages, connection, token ----------------------------------------------------------

function say(text, { ok = false } = {}) {
  const box = $("message");
  box.textContent = text;
  box.classList.toggle("ok", ok);
  box.hidden = !text;
}

function askForToken(why) {
  view.needsToken = true;
  const form = $("token-form");
  if (form.hidden) {
    form.hidden = false;
    $("token").focus();
  }
  $("connection").textContent = `The control API needs a token. ${why}`.trim();
}

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  view.token = $("token").value.trim();
  sessionStorage.setItem(TOKEN_KEY, view.token);
  view.needsToken = false;
  $("token-form").hidden = true;
  refresh({ invoices: true });
});

// -- reading the mock ---------------------------------------------------------------------

let queue = Promise.resolve();

/** Read the mock (one read at a time); `invoices` forces reading the invoices too. */
function refresh({ invoices = false } = {}) {
  queue = queue.then(() => readAll(invoices)).catch(showReadError);
  return queue;
}

async function readAll(forceInvoices) {
  if (view.needsToken) return;
  const [scenario, faults, fresh] = await Promise.all([
    control("GET", "/scenario"), control("GET", "/faults"), readJournal(),
  ]);
  showScenario(scenario);
  showFaults(faults.faults);
  const stale = Date.now() - view.invoicesRead > INVOICES_EVERY_MS;
  if (forceInvoices || fresh || stale) showInvoices(await control("GET", "/invoices"));
  $("connection").textContent = `Connected to ${location.host} · read ${new Date().toLocaleTimeString()}`;
}

function showReadError(error) {
  if (error instanceof Unauthorized) return;
  $("connection").textContent = `The mock does not answer: ${error.message}`;
}

/** New journal entries since the last read; true when there were any (or it restarted). */
async function readJournal() {
  const last = view.journal.length ? view.journal[view.journal.length - 1].sequence : 0;
  const query = last ? `?since=${last}` : `?limit=${JOURNAL_KEPT}`;
  let entries = (await control("GET", `/journal${query}`)).journal;
  if (last && entries.length === 0) {
    // Emptied or reset since: sequence numbers started again at 1.
    const newest = (await control("GET", "/journal?limit=1")).journal;
    if (newest.length && newest[0].sequence >= last) return false;
    view.journal = [];
    view.bodies.clear();
    entries = (await control("GET", `/journal?limit=${JOURNAL_KEPT}`)).journal;
    showJournal(entries.length);
    return true;
  }
  // Only what the view lacks: a "Try it" call may have trimmed or refilled it meanwhile.
  const shown = view.journal.length ? view.journal[view.journal.length - 1].sequence : 0;
  entries = entries.filter((entry) => entry.sequence > shown);
  if (entries.length === 0) return false;
  view.journal = view.journal.concat(entries).slice(-JOURNAL_KEPT);
  showJournal(entries.length);
  return true;
}

// -- state --------------------------------------------------------------------------------

function showInvoices(data) {
  view.invoicesRead = Date.now();
  const text = JSON.stringify(data.invoices);
  if (text === view.invoicesText) return;
  const before = new Map(view.invoices.map((i) => [i.InvoiceId, `${i.Status}/${i.SendingAttempts}`]));
  view.invoicesText = text;
  view.invoices = data.invoices;
  fillFilter($("filter-status"), STATUSES, data.invoices.map((i) => i.Status));
  fillFilter($("filter-switch"), SWITCHES, data.invoices.map((i) => i.System));
  const counts = countByStatus(data.invoices);
  const list = $("counts");
  list.replaceChildren(
    ...[...new Set([...STATUSES, ...counts.keys()])].map((status) =>
      el("li", { "data-status": status }, `${status} `, el("strong", { text: counts.get(status) || 0 })),
    ),
    el("li", { "data-status": "total" }, "Total ", el("strong", { text: data.count })),
  );
  renderInvoices(before.size ? before : null);
}

function fillFilter(select, known, seen) {
  const values = [...new Set([...known, ...seen.filter((v) => v !== null)])];
  const have = Array.from(select.options, (o) => o.value).slice(1);
  if (have.join("\n") === values.join("\n")) return;
  const chosen = select.value;
  select.replaceChildren(el("option", { value: "", text: "all" }), ...values.map((v) => el("option", { value: v, text: v })));
  select.value = values.includes(chosen) ? chosen : "";
}

function renderInvoices(before = null) {
  const status = $("filter-status").value;
  const system = $("filter-switch").value;
  const matching = view.invoices.filter(
    (i) => (!status || i.Status === status) && (!system || i.System === system),
  );
  const rows = matching.slice(0, ROWS_SHOWN).map((invoice) => invoiceRow(invoice, before));
  $("invoice-rows").replaceChildren(...rows);
  const shown = rows.length < matching.length ? `the first ${rows.length} of ` : "";
  $("invoices-shown").textContent =
    `Showing ${shown}${matching.length} of ${view.invoices.length} invoices.`;
}

function invoiceRow(invoice, before) {
  const changed = before && before.get(invoice.InvoiceId) !== `${invoice.Status}/${invoice.SendingAttempts}`;
  const script = el("button", {
    type: "button", class: "link mono", text: shortId(invoice.InvoiceId), title: invoice.InvoiceId,
    "aria-label": `Script outcomes for invoice ${invoice.InvoiceId}`,
    onclick: () => addOutcome(invoice.InvoiceId),
  });
  return el("tr", { "data-invoice": invoice.InvoiceId, class: changed ? "fresh" : null },
    el("td", {}, script),
    cell(shortId(invoice.PracticeId), { class: "mono", title: invoice.PracticeId }),
    cell(invoice.System, { class: "nowrap" }),
    cell(invoice.SendingType, { class: "nowrap" }),
    cell(invoice.Status, { class: `status-${invoice.Status}` }),
    cell(invoice.Reason),
    cell(invoice.SendingAttempts, { class: "num" }),
    cell(shortTime(invoice.SendingTime), { class: "nowrap", title: invoice.SendingTime }),
  );
}

function addOutcome(invoiceId) {
  const box = $("scenario-outcomes");
  let outcomes = {};
  try {
    outcomes = box.value.trim() ? JSON.parse(box.value) : {};
  } catch {
    say("Scripted outcomes: the text is not JSON; fix it before adding an invoice.");
    return;
  }
  outcomes[invoiceId] = outcomes[invoiceId] || ["failure", "success"];
  box.value = JSON.stringify(outcomes);
  box.focus();
}

$("filter-status").addEventListener("change", () => renderInvoices());
$("filter-switch").addEventListener("change", () => renderInvoices());

// -- scenario -----------------------------------------------------------------------------

function showScenario(scenario) {
  const rates = Object.entries(scenario.success_rates).map(([k, v]) => `${k} ${v}`).join(", ");
  const facts = [
    ["Name", scenario.name], ["Seed", scenario.seed], ["Failed", scenario.failed ?? "scenario's default"],
    ["Success rate", scenario.default_success_rate], ["Per switch", rates || "—"],
    ["Max attempts", scenario.max_attempts ?? "none"],
    ["Scripted", `${Object.keys(scenario.outcomes).length} invoices`],
    ["Envelope", scenario.envelope ? "canned" : "—"],
  ];
  $("scenario-now").replaceChildren(
    ...facts.flatMap(([term, value]) => [el("dt", { text: term }), el("dd", { text: value, "data-fact": term })]),
  );
  if (!view.scenarioSet) {
    view.scenarioSet = true;
    $("scenario-name").value = scenario.name;
    syncScenarioForm();
  }
}

function scenarioRequest() {
  const body = { name: $("scenario-name").value };
  const numbers = { failed: "scenario-failed", seed: "scenario-seed", success_rate: "scenario-rate", max_attempts: "scenario-max" };
  for (const [key, id] of Object.entries(numbers)) body[key] = numberOf($(id));
  const rates = {};
  for (const name of SWITCHES) {
    const rate = numberOf($(`rate-${name}`));
    if (rate !== undefined) rates[name] = rate;
  }
  if (Object.keys(rates).length) body.success_rates = rates;
  if ($("scenario-reseed").value) body.reseed = $("scenario-reseed").value === "true";
  for (const [key, id] of [["outcomes", "scenario-outcomes"], ["envelope", "scenario-envelope"]]) {
    const text = $(id).disabled ? "" : $(id).value.trim();
    if (!text) continue;
    try {
      body[key] = JSON.parse(text);
    } catch (error) {
      throw new Error(`${key} is not JSON: ${error.message}`);
    }
  }
  return body;
}

function syncScenarioForm() {
  $("scenario-envelope").disabled = $("scenario-name").value !== "canned";
}

$("scenario-name").addEventListener("change", syncScenarioForm);
onSubmit("scenario-form", async () => {
  const scenario = await control("PUT", "/scenario", scenarioRequest());
  return `Scenario ${scenario.name} in force (seed ${scenario.seed}).`;
});
onSubmit("seed-form", async () => {
  const done = await control("POST", "/seed", { count: numberOf($("seed-count")), seed: numberOf($("seed-seed")) });
  return `Reseeded: ${done.count} invoices from seed ${done.seed}.`;
});
onClick("reset", async () => {
  const done = await control("POST", "/reset", {});
  view.scenarioSet = false;
  return `Reset: scenario ${done.scenario.name}, ${done.count} failed invoices, no faults, empty journal.`;
});

// -- faults -------------------------------------------------------------------------------

function showFaults(faults) {
  $("no-faults").hidden = faults.length > 0;
  $("fault-rows").replaceChildren(...faults.map((fault) => el("tr", { "data-fault": fault.id },
    cell(fault.id, { class: "num" }), cell(fault.kind), cell(faultReach(fault)),
    cell(fault.latency_ms === undefined ? null : `${fault.latency_ms} ms`),
    el("td", {}, el("button", {
      type: "button", text: "Remove", "aria-label": `Remove fault ${fault.id} (${fault.kind})`,
      onclick: (event) => act(event.currentTarget, async () => {
        await control("DELETE", `/faults/${fault.id}`);
        return `Fault ${fault.id} (${fault.kind}) removed.`;
      }),
    })),
  )));
}

function syncFaultForm() {
  const byShare = $("fault-mode").value === "share";
  $("fault-calls").disabled = byShare;
  $("fault-share").disabled = !byShare;
  $("fault-latency").disabled = $("fault-kind").value !== "latency";
}

$("fault-kind").append(...FAULT_KINDS.map((kind) => el("option", { value: kind, text: kind })));
$("fault-kind").value = "http-500";
$("fault-kind").addEventListener("change", syncFaultForm);
$("fault-mode").addEventListener("change", syncFaultForm);
onSubmit("fault-form", async () => {
  const body = { kind: $("fault-kind").value };
  if ($("fault-mode").value === "share") body.share = numberOf($("fault-share"));
  else body.calls = numberOf($("fault-calls"));
  if (body.kind === "latency") body.latency_ms = numberOf($("fault-latency"));
  const fault = await control("POST", "/faults", body);
  return `Fault ${fault.id} (${fault.kind}) added.`;
});
onClick("faults-clear", async () => {
  await control("DELETE", "/faults");
  return "Every fault removed.";
});

// -- journal ------------------------------------------------------------------------------

function showJournal(added) {
  const newest = view.journal.length - added;
  $("journal-rows").replaceChildren(...view.journal.map((entry, index) => {
    const mine = entry.client === "dashboard";
    const body = view.bodies.get(entry.sequence);
    return el("tr", { "data-sequence": entry.sequence, class: [index >= newest ? "fresh" : "", mine ? "mine" : ""].join(" ").trim() || null },
      cell(entry.sequence, { class: "num" }),
      cell(timeOfDay(entry.time), { class: "nowrap", title: entry.time }),
      cell(entry.method), cell(entry.status ?? "dropped", { class: "num status" }),
      cell(entry.accept), cell(entry.media_type),
      el("td", { class: "fault" }, entry.fault ? el("span", { class: "badge fault", text: entry.fault }) : "—"),
      el("td", { class: "client" }, entry.client ? el("span", { class: "badge", text: entry.client }) : "—"),
      el("td", {}, body ? el("button", {
        type: "button", text: "Show", "aria-label": `Show the body of journal entry ${entry.sequence}`,
        onclick: () => showResponse(body),
      }) : "—"),
      cell(entry.path, { class: "mono path" }),
    );
  }).reverse());
}

// -- try it -------------------------------------------------------------------------------

onSubmit("try-form", async () => {
  const accept = $("try-accept").value.trim();
  const before = (await control("GET", "/journal?limit=1")).journal;
  const after = before.length ? before[0].sequence : 0;
  const headers = { ...CLIENT };
  if (accept) headers.Accept = accept;
  const started = performance.now();
  let response;
  try {
    response = await fetch(ROUTE, { method: "POST", headers, cache: "no-store" });
  } catch (error) {
    throw new Error(`No response: the connection was closed (${error.message}).`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const result = {
    status: response.status, statusText: response.statusText, accept: accept || "(browser's */*)",
    elapsed: Math.round(performance.now() - started), size: bytes.length,
    headers: [...response.headers].map(([name, value]) => `${name}: ${value}`).join("\n"),
    mediaType: response.headers.get("content-type") || "",
    text: new TextDecoder("utf-8").decode(bytes),
  };
  showResponse(result);
  // The call's own journal entry (written before the answer): its body is on demand there.
  const mine = (await control("GET", `/journal?since=${after}`)).journal.filter(
    (e) => e.client === "dashboard" && e.method === "POST" && e.path === ROUTE,
  );
  if (mine.length === 1) view.bodies.set(mine[0].sequence, result);
  view.journal = view.journal.filter((e) => e.sequence <= after);
  return "";
});

function showResponse(result) {
  view.shownResponse = result;
  $("try-result").hidden = false;
  const status = $("try-status");
  status.textContent = `${result.status} ${result.statusText}`;
  status.className = result.status < 400 ? "ok-status" : "bad-status";
  $("try-meta").textContent = `Accept ${result.accept} · ${result.size} bytes · ${result.elapsed} ms`;
  $("try-headers").textContent = result.headers;
  showBody();
}

function showBody() {
  const result = view.shownResponse;
  if (!result) return;
  const raw = view.bodyView === "raw";
  $("view-pretty").setAttribute("aria-pressed", String(!raw));
  $("view-raw").setAttribute("aria-pressed", String(raw));
  $("try-body").textContent = raw ? result.text : pretty(result.text, result.mediaType);
}

for (const [id, mode] of [["view-pretty", "pretty"], ["view-raw", "raw"]]) {
  $(id).addEventListener("click", () => {
    view.bodyView = mode;
    showBody();
  });
}

// -- actions ------------------------------------------------------------------------------

/** Run `action` with `button` disabled; say what it did (or why not), then read the mock. */
async function act(button, action) {
  button.disabled = true;
  try {
    const done = await action();
    say(done || "", { ok: true });
  } catch (error) {
    if (!(error instanceof Unauthorized)) say(error.message);
  } finally {
    button.disabled = false;
  }
  await refresh({ invoices: true });
}

function onSubmit(formId, action) {
  $(formId).addEventListener("submit", (event) => {
    event.preventDefault();
    act(event.submitter || $(formId).querySelector("button[type=submit]"), action);
  });
}

function onClick(buttonId, action) {
  $(buttonId).addEventListener("click", (event) => act(event.currentTarget, action));
}

// -- start --------------------------------------------------------------------------------

$("scenario-name").append(...SCENARIOS.map((name) => el("option", { value: name, text: name })));
$("scenario-rates").append(...SWITCHES.flatMap((name) => [
  el("label", { for: `rate-${name}`, text: name }),
  el("input", { id: `rate-${name}`, type: "number", min: 0, max: 1, step: 0.05, placeholder: "default" }),
]));
syncFaultForm();

function poll() {
  const next = () => setTimeout(poll, POLL_MS);
  if ($("live").checked) refresh().then(next);
  else next();
}

async function start() {
  // Whether the control API needs a token, asked before any control request (a 401 would
  // tell too, and the browser would log it as an error).
  const settings = await (await fetch("ui/settings.json", { headers: CLIENT, cache: "no-store" })).json();
  ROUTE = settings.route;
  if (settings.control_token_required && !view.token) askForToken("");
  await refresh({ invoices: true });
  setTimeout(poll, POLL_MS);
}
start().catch(showReadError);
