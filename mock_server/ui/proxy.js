// The validating proxy's journal page. It reads only GET /__mock/journal of the proxy
// that served it (never forwarded upstream, never journaled) and shows each answer the
// proxy passed on, newest first, with the rules it broke.
import { cell, el, timeOfDay } from "./render.js";

const POLL_MS = 1000;
const ROWS_SHOWN = 500;

const $ = (id) => document.getElementById(id);
const view = { entries: [] };

/** The journal after the `since`-th entry: { upstream, count, entries }. */
async function readJournal(since) {
  const response = await fetch(`/__mock/journal?since=${since}`, {
    headers: { Accept: "application/json" }, cache: "no-store",
  });
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
  return response.json();
}

async function refresh() {
  const last = view.entries.length ? view.entries[view.entries.length - 1].sequence : 0;
  let journal = await readJournal(last);
  if (journal.count < last) {
    // The proxy restarted: its sequence numbers started again at 1.
    view.entries = [];
    journal = await readJournal(0);
  }
  $("upstream").textContent = journal.upstream;
  const added = journal.entries.filter((entry) => entry.sequence > last);
  view.entries = view.entries.concat(added);
  if (added.length || last === 0) show(added.length);
  $("connection").textContent = `Connected to ${location.host} · read ${new Date().toLocaleTimeString()}`;
}

function show(added) {
  const violating = view.entries.filter((entry) => entry.violations.length > 0).length;
  count("violating", violating);
  count("clean", view.entries.length - violating);
  count("total", view.entries.length);
  const only = $("only-violations").checked;
  const freshFrom = view.entries.length - added;
  const shown = view.entries
    .map((entry, index) => ({ entry, fresh: index >= freshFrom }))
    .filter(({ entry }) => !only || entry.violations.length > 0)
    .reverse();
  $("journal-rows").replaceChildren(...shown.slice(0, ROWS_SHOWN).map(({ entry, fresh }) => row(entry, fresh)));
  const kind = only ? "answers with violations" : "answers";
  const first = shown.length > ROWS_SHOWN ? `the newest ${ROWS_SHOWN} of ` : "";
  $("journal-shown").textContent = view.entries.length
    ? `Showing ${first}${shown.length} ${kind} (${view.entries.length} in the journal).`
    : "No answer yet: send a request through the proxy.";
}

function count(verdict, value) {
  document.querySelector(`#counts li[data-verdict="${verdict}"] strong`).textContent = String(value);
}

function row(entry, fresh) {
  const bad = entry.violations.length > 0;
  const classes = [bad ? "violating" : "clean", fresh ? "fresh" : ""].join(" ").trim();
  const status = entry.status ?? "no answer";
  return el("tr", { "data-sequence": entry.sequence, class: classes },
    cell(entry.sequence, { class: "num" }),
    cell(timeOfDay(entry.time), { class: "nowrap", title: entry.time }),
    cell(entry.method, { class: "nowrap" }),
    cell(entry.path, { class: "mono path" }),
    cell(status, { class: `num status ${entry.status && entry.status < 400 ? "ok-status" : "bad-status"}` }),
    cell(entry.forwarded ? "yes" : "no (refused)", { class: "nowrap forwarded" }),
    cell(entry.contentType, { class: "mono" }),
    cell(entry.milliseconds, { class: "num" }),
    el("td", { class: "verdict" }, bad ? violationList(entry) : el("span", { class: "badge clean", text: "clean" })),
  );
}

function violationList(entry) {
  const n = entry.violations.length;
  return el("div", {},
    el("span", { class: "badge fault", text: `${n} violation${n === 1 ? "" : "s"}` }),
    el("ul", { class: "violations", "aria-label": `Violations of answer ${entry.sequence}` },
      ...entry.violations.map((violation) => el("li", { class: "violation" },
        el("code", { class: "rule", text: violation.rule }),
        " at ",
        el("code", { class: "location", text: violation.location || "response" }),
        el("dl", {},
          el("dt", { text: "expected" }), el("dd", { class: "expected", text: violation.expected }),
          el("dt", { text: "received" }), el("dd", { class: "received", text: violation.received }),
        ),
      )),
    ),
  );
}

function showReadError(error) {
  $("connection").textContent = `The proxy does not answer: ${error.message}`;
}

$("only-violations").addEventListener("change", () => show(0));

function poll() {
  const next = () => setTimeout(poll, POLL_MS);
  if ($("live").checked) refresh().catch(showReadError).then(next);
  else next();
}

refresh().catch(showReadError).then(() => setTimeout(poll, POLL_MS));
