"use strict";
(() => {
  const FLASH_MS = 2500;
  const token = new URLSearchParams(location.search).get("token");
  const api = (path) => (token ? `${path}?token=${encodeURIComponent(token)}` : path);

  let current = null;            // the last TreeView
  let selected = null;           // the selected node's key
  const collapsed = new Set();   // keys of collapsed supervisors
  const lastRestarts = new Map(); // key -> its restart count in the previous view
  const flashUntil = new Map();  // key -> time its highlight ends
  // The selected process's state: { pid, text, error, loading }.
  let state = null;

  const $ = (id) => document.getElementById(id);

  /** Creates an element: attributes (class, data-*, ...) and children (text or nodes). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  const shortType = (t) => {
    const generic = t.indexOf("<");
    const head = generic < 0 ? t : t.slice(0, generic);
    const tail = generic < 0 ? "" : t.slice(generic);
    const last = head.split("::").pop();
    return last + tail.replace(/[\w]+::/g, "");
  };
  const kindLabel = { supervisor: "SUP", dynamic_supervisor: "DYN", worker: "W" };
  const kindName = { supervisor: "supervisor", dynamic_supervisor: "dynamic supervisor", worker: "worker" };
  const slotOf = (key) => (key.split("/").pop() || "");
  const nameOf = (n) => n.id ?? (n.key === "" ? "root" : shortType(n.worker_type));

  function span(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return `${s} s`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
    if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
    return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
  }
  const ago = (ms) => (ms == null ? null : `${span(Date.now() - ms)} ago`);
  const upFor = (ms) => (ms == null ? null : span(Date.now() - ms));
  const window_ = (ms) => (ms % 60000 === 0 ? `${ms / 60000} min` : ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

  function walk(node, f, depth = 0, parent = null) {
    f(node, depth, parent);
    for (const c of node.children) walk(c, f, depth + 1, node);
  }

  function find(key) {
    let found = null;
    if (current) walk(current.root, (n, d, p) => { if (n.key === key) found = { node: n, parent: p }; });
    return found;
  }

  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

  function intensityBar(i, cls) {
    const frac = i.max_restarts > 0 ? Math.min(1, i.recent / i.max_restarts) : 1;
    const level = i.recent >= i.max_restarts ? "full" : frac >= 0.5 ? "mid" : "";
    return h("span", { class: `bar ${level} ${cls || ""}`, title: `${i.recent} of ${i.max_restarts} restarts allowed in ${window_(i.within_ms)}` },
      h("i", { style: `width:${(frac * 100).toFixed(1)}%` }));
  }

  function infoCell(n) {
    const info = h("span", { class: "info" });
    if (n.status !== "running") info.append(h("span", { class: `status-${n.status}`, title: n.error || n.status }, n.status));
    const s = n.supervisor;
    if (s) {
      const i = s.intensity;
      info.append(intensityBar(i));
      info.append(h("span", { class: "restarts", title: `restart intensity: ${i.recent} of the ${i.max_restarts} restarts allowed in ${window_(i.within_ms)} used` },
        `${i.recent}/${i.max_restarts} in ${window_(i.within_ms)}`));
      info.append(h("span", { class: `restarts sup-restarts ${s.restarts ? "some" : ""}`, title: "restarts of its current children, as this supervisor counts them" },
        plural(s.restarts, "restart")));
    } else if (n.restarts) {
      info.append(h("span", { class: "restarts some", title: "times its supervisor restarted it" }, `restarted ${n.restarts}×`));
    }
    if (!s && n.last_exit) {
      info.append(h("span", { class: "exit", title: `last exit (${n.last_exit_pid}): ${n.last_exit}` }, `last exit: ${n.last_exit}`));
    }
    return info;
  }

  function numCell(value, cls, title) {
    return h("span", { class: `num ${cls}`, title }, value == null ? "—" : String(value));
  }

  function actionButtons(n, parent) {
    if (!current.actions || !parent) return [];
    const out = [];
    const staticChild = parent.kind === "supervisor" && n.id != null;
    if (n.pid) out.push(h("button", { class: "act-kill", title: "send the untrappable kill signal", onclick: (e) => { e.stopPropagation(); act("kill", n.pid); } }, "kill"));
    if (n.pid) out.push(h("button", { class: "act-terminate", title: "terminate_child through its supervisor", onclick: (e) => { e.stopPropagation(); act("terminate", n.pid); } }, "terminate"));
    if (staticChild) {
      const target = n.pid ?? n.key;
      out.push(h("button", { class: "act-restart", title: n.pid ? "terminate, then restart_child" : "restart_child", onclick: (e) => { e.stopPropagation(); act("restart", target); } }, "restart"));
    }
    return out;
  }

  function renderNode(n, depth, parent) {
    const hasKids = n.children.length > 0;
    const isCollapsed = collapsed.has(n.key);
    const flashing = (flashUntil.get(n.key) || 0) > Date.now();
    const row = h("div", {
      class: `row${selected === n.key ? " selected" : ""}${flashing ? " flash" : ""}${n.status !== "running" ? " down" : ""}`,
      role: "treeitem",
      "aria-expanded": hasKids ? String(!isCollapsed) : null,
      "data-key": n.key,
      "data-pid": n.pid ?? "",
      "data-kind": n.kind,
      "data-restarts": n.restarts,
      "data-status": n.status,
      "data-sup-restarts": n.supervisor ? n.supervisor.restarts : null,
      onclick: () => { selected = n.key; render(); },
    },
      h("span", { class: "lead", style: `padding-left:${8 + depth * 22}px` },
        h("button", { class: "caret", disabled: !hasKids, title: isCollapsed ? "expand" : "collapse", "aria-label": isCollapsed ? "expand" : "collapse",
          onclick: (e) => { e.stopPropagation(); if (isCollapsed) collapsed.delete(n.key); else collapsed.add(n.key); render(); } },
          hasKids ? (isCollapsed ? "▶" : "▼") : ""),
        h("span", { class: `kind k-${n.kind}`, title: kindName[n.kind] }, kindLabel[n.kind]),
        h("span", { class: "name", title: n.key || "root" }, nameOf(n),
          n.id == null && n.key !== "" ? h("span", { class: "slot" }, ` ${slotOf(n.key)}`) : null)),
      h("span", { class: "pid" }, n.pid ?? "—"),
      n.supervisor && n.supervisor.strategy
        ? h("span", { class: "type" }, h("span", { class: "chip", title: `${shortType(n.worker_type)}, strategy ${n.supervisor.strategy}` }, n.supervisor.strategy))
        : h("span", { class: "type", title: n.worker_type }, shortType(n.worker_type)),
      numCell(n.mailbox_len, `mailbox${n.mailbox_len ? " busy" : ""}`, n.pid && n.mailbox_len == null ? "busy in a callback: it did not tell" : "messages waiting in its mailbox"),
      numCell(n.messages_handled, "handled", "messages it handled since it started"),
      infoCell(n),
      h("span", { class: "acts" }, actionButtons(n, parent)));
    const out = [row];
    if (hasKids && !isCollapsed) for (const c of n.children) out.push(...renderNode(c, depth + 1, n));
    return out;
  }

  function header() {
    return h("div", { class: "row head", "aria-hidden": "true" },
      h("span", { class: "lead" }, "process"), h("span", {}, "pid"), h("span", {}, "type"),
      h("span", { class: "num", title: "messages waiting in the mailbox" }, "mailbox"),
      h("span", { class: "num", title: "messages handled since it started" }, "handled"),
      h("span", { title: "a supervisor's restart intensity used and its children's restarts; a worker's restarts and last exit" }, "restarts"),
      h("span", {}, ""));
  }

  function stat(value, label, cls) {
    return h("div", { class: `stat ${cls || ""}` }, h("b", {}, value), h("span", {}, label));
  }

  function render() {
    if (!current) return;
    let processes = 0, sups = 0, restarts = 0, queued = 0;
    walk(current.root, (n) => {
      if (n.pid) processes++;
      queued += n.mailbox_len || 0;
      if (n.supervisor) { sups++; restarts += n.supervisor.restarts; }
    });
    $("title").textContent = current.title;
    document.title = `${current.title} · supervise observer`;
    $("stats").replaceChildren(
      stat(processes, "processes"),
      stat(sups, "supervisors"),
      stat(restarts, "restarts"),
      stat(queued, "queued"),
      stat(current.actions ? "on" : "off", "actions", current.actions ? "actions-on" : ""));
    $("tree").replaceChildren(header(), ...renderNode(current.root, 0, null));
    renderDetails();
    $("source").textContent = `Data: ${current.source}.`;
  }

  function renderDetails() {
    const box = $("details");
    const hit = selected !== null ? find(selected) : null;
    if (!hit) { box.replaceChildren(h("p", { class: "empty" }, "Click a process to see its details.")); return; }
    const n = hit.node, s = n.supervisor;
    const rows = [];
    const field = (label, value, cls, since, fmt) => {
      if (value === null || value === undefined) return;
      rows.push(h("dt", {}, label), h("dd", { class: cls || "", "data-since": since, "data-fmt": fmt }, value));
    };
    field("pid", n.pid ?? `— (${n.status})`, "mono");
    field("id", n.id ?? (n.key === "" ? "root" : "— (dynamic child)"), "mono");
    field("registered as", n.name, "mono");
    field("kind", kindName[n.kind]);
    field("status", n.error ? `${n.status}: ${n.error}` : n.status, n.status === "running" ? "" : `status-${n.status}`);
    field("worker type", n.worker_type, "mono");
    if (n.restart) field("restart", n.restart);
    if (n.started_unix_ms != null) field("up for", upFor(n.started_unix_ms), "", n.started_unix_ms, "up");
    field("mailbox", n.pid ? (n.mailbox_len ?? "? (busy in a callback)") : null);
    field("messages handled", n.messages_handled);
    if (n.key !== "") field("restarts", `${n.restarts}`);
    if (n.last_restart_unix_ms) field("last restart", ago(n.last_restart_unix_ms), "", n.last_restart_unix_ms);
    if (n.last_exit) {
      rows.push(h("dt", {}, "last exit"), h("dd", {},
        h("span", { class: "mono" }, n.last_exit),
        h("div", { class: "muted" }, `${n.last_exit_pid}, `, h("span", { "data-since": n.last_exit_unix_ms }, ago(n.last_exit_unix_ms)))));
    }
    if (s) {
      const i = s.intensity;
      field("strategy", s.strategy, "mono");
      field("children", `${s.count.active} running of ${s.count.specs} (${plural(s.count.supervisors, "supervisor")}, ${plural(s.count.workers, "worker")})`);
      rows.push(h("dt", {}, "intensity"), h("dd", {}, intensityBar(i), `${i.recent} of ${i.max_restarts} in ${window_(i.within_ms)}`));
      field("children's restarts", `${s.restarts}`);
      if (s.max_children != null) field("max children", `${s.max_children}`);
    }
    box.replaceChildren(
      h("h3", {}, `${nameOf(n)}${n.id == null && n.key !== "" ? " " + slotOf(n.key) : ""}`),
      h("div", { class: "subtitle" }, n.key === "" ? "the root supervisor" : n.key),
      h("dl", {}, rows),
      stateBox(n),
      h("div", { class: "detail-acts" }, actionButtons(n, hit.parent)));
  }

  /** The selected process's state, fetched when it is selected (and again on request). */
  function stateBox(n) {
    if (!n.pid) return h("div", { class: "state-box" }, h("h4", {}, "State"), h("p", { class: "muted" }, "no process"));
    if (!state || state.pid !== n.pid) loadState(n.pid);
    const body = state.loading
      ? h("pre", { class: "state loading" }, "asking the process…")
      : state.error
        ? h("pre", { class: "state error", "data-loaded": "" }, state.error)
        : h("pre", { class: "state", "data-loaded": "" }, state.text);
    return h("div", { class: "state-box" },
      h("h4", {}, "State",
        h("button", { class: "refresh", title: "ask the process again", onclick: (e) => { e.stopPropagation(); loadState(n.pid); } }, "refresh")),
      body);
  }

  async function loadState(pid) {
    state = { pid, loading: true };
    const mine = state;
    try {
      const res = await fetch(api(`/api/state/${encodeURIComponent(pid)}`));
      const body = await res.json().catch(() => ({}));
      if (res.ok) Object.assign(mine, { loading: false, text: body.state });
      else Object.assign(mine, { loading: false, error: body.error || res.statusText });
    } catch (e) {
      Object.assign(mine, { loading: false, error: String(e) });
    }
    if (state === mine) renderDetails();
  }

  function update(view) {
    const now = Date.now();
    walk(view.root, (n) => {
      // A restart, as its supervisor counts them.
      const before = lastRestarts.get(n.key);
      if (before !== undefined && n.restarts > before) flashUntil.set(n.key, now + FLASH_MS);
      lastRestarts.set(n.key, n.restarts);
    });
    current = view;
    render();
  }

  let toastTimer = null;
  function toast(text, isError) {
    const t = $("toast");
    t.textContent = text;
    t.className = `toast${isError ? " error" : ""}`;
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.hidden = true; }, 4000);
  }

  async function act(what, target) {
    try {
      const res = await fetch(api(`/api/${what}/${encodeURIComponent(target)}`), { method: "POST" });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) toast(`${what} ${target}: ${body.error || res.statusText}`, true);
      else toast(`${body.done} ${body.pid || body.key || target}${body.new_pid ? ` → ${body.new_pid}` : ""}`);
    } catch (e) {
      toast(`${what} ${target}: ${e}`, true);
    }
  }

  function connect() {
    const live = $("live");
    const events = new EventSource(api("/api/events"));
    events.addEventListener("tree", (e) => {
      live.className = "live on"; live.textContent = "live";
      try { update(JSON.parse(e.data)); } catch (err) { toast(`bad update: ${err}`, true); }
    });
    events.onerror = () => { live.className = "live off"; live.textContent = "reconnecting"; };
  }

  // Highlights end and "ago" texts move on without a new view.
  setInterval(() => {
    const now = Date.now();
    for (const row of document.querySelectorAll(".row.flash")) {
      if ((flashUntil.get(row.dataset.key) || 0) <= now) row.classList.remove("flash");
    }
    for (const el of document.querySelectorAll("#details [data-since]")) {
      const since = Number(el.dataset.since);
      el.textContent = el.dataset.fmt === "up" ? upFor(since) : ago(since);
    }
  }, 1000);

  connect();
})();
