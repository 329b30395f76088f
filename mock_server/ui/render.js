// Pure helpers of the dashboard: building elements (text only, never markup from the
// mock) and making response bodies readable. No state, no requests.

/** An element with text and attributes; `children` are nodes or strings. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** A cell of text (an em dash for null or empty). */
export function cell(value, attributes = {}) {
  const text = value === null || value === undefined || value === "" ? "—" : String(value);
  return el("td", { ...attributes, text });
}

/** The start of a GUID, for narrow columns (the whole one is in the title). */
export function shortId(id) {
  return String(id).slice(0, 8);
}

/** A .NET round-trip time as "2025-12-14 19:20:43" (to the second). */
export function shortTime(roundTrip) {
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)/.exec(roundTrip || "");
  return match ? `${match[1]} ${match[2]}` : roundTrip || "";
}

/** The time of day to the millisecond, "19:20:43.199" (the whole time is in the title). */
export function timeOfDay(roundTrip) {
  const match = /T(\d\d:\d\d:\d\d(?:\.\d{1,3})?)/.exec(roundTrip || "");
  return match ? match[1] : roundTrip || "";
}

/** How many invoices have each status, in the order first seen. */
export function countByStatus(invoices) {
  const counts = new Map();
  for (const invoice of invoices) {
    const status = invoice.Status ?? "(null)";
    counts.set(status, (counts.get(status) || 0) + 1);
  }
  return counts;
}

/** The body indented for reading by its media type; the raw text when it does not parse. */
export function pretty(text, mediaType) {
  if (/json/i.test(mediaType || "")) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  }
  if (/xml/i.test(mediaType || "")) return prettyXml(text);
  return text;
}

/** XML indented two spaces a level: one element a line, a text-only element on its line. */
export function prettyXml(text) {
  const parsed = new DOMParser().parseFromString(text, "application/xml");
  if (parsed.getElementsByTagName("parsererror").length > 0) return text;
  const declaration = /^\s*<\?xml[^>]*\?>/.exec(text);
  const lines = declaration ? [declaration[0].trim()] : [];
  writeNode(parsed.documentElement, 0, lines);
  return lines.join("\n");
}

function writeNode(node, depth, lines) {
  const pad = "  ".repeat(depth);
  const attributes = Array.from(node.attributes, (a) => ` ${a.name}="${escapeXml(a.value, true)}"`).join("");
  const children = Array.from(node.childNodes).filter(
    (child) => child.nodeType !== Node.TEXT_NODE || child.nodeValue.trim() !== "",
  );
  if (children.length === 0) {
    lines.push(`${pad}<${node.nodeName}${attributes} />`);
  } else if (children.every((child) => child.nodeType === Node.TEXT_NODE)) {
    const inner = children.map((child) => escapeXml(child.nodeValue, false)).join("");
    lines.push(`${pad}<${node.nodeName}${attributes}>${inner}</${node.nodeName}>`);
  } else {
    lines.push(`${pad}<${node.nodeName}${attributes}>`);
    for (const child of children) {
      if (child.nodeType === Node.ELEMENT_NODE) writeNode(child, depth + 1, lines);
      else if (child.nodeType === Node.TEXT_NODE) lines.push(pad + "  " + escapeXml(child.nodeValue.trim(), false));
    }
    lines.push(`${pad}</${node.nodeName}>`);
  }
}

function escapeXml(text, attribute) {
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return attribute ? escaped.replace(/"/g, "&quot;") : escaped;
}

/** A number typed in a field, or undefined when the field is empty. */
export function numberOf(input) {
  const value = input.value.trim();
  return value === "" ? undefined : Number(value);
}

/** The fault's remaining reach: "2 calls left" or "50 % of calls". */
export function faultReach(fault) {
  if (fault.share !== undefined) return `${Math.round(fault.share * 1000) / 10} % of calls`;
  if (fault.calls !== undefined) return `${fault.calls} call${fault.calls === 1 ? "" : "s"} left`;
  return "";
}
