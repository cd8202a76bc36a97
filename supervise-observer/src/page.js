"use strict";
(() => {
  const FLASH_MS = 2500;
  const token = new URLSearchParams(location.search).get("token");
  const api = (path) => (token ? `${path}?token=${encodeURIComponent(token)}` : path);

  let current = null;            // the last TreeView
  let selected = null;           // the selected node's key
  const collapsed = new Set();   // keys of collapsed supervisors
  const lastPid = new Map();     // key -> pid in the previous view
  const flashUntil = new Map();  // key -> time its highlight ends

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

  function ago(ms) {
    if (ms == null) return null;
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 60) return `${s} s ago`;
    if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s ago`;
    return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min ago`;
  }
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

  function intensityBar(i, cls) {
    const frac = i.max_restarts > 0 ? Math.min(1, i.recent / i.max_restarts) : 1;
    const level = i.recent >= i.max_restarts ? "full" : frac >= 0.5 ? "mid" : "";
    return h("span", { class: `bar ${level} ${cls || ""}`, title: `${i.recent} of ${i.max_restarts} restarts allowed in ${window_(i.within_ms)}` },
      h("i", { style: `width:${(frac * 100).toFixed(1)}%` }));
  }

  function infoCell(n) {
    const info = h("span", { class: "info" });
    if (n.status !== "running") info.append(h("span", { class: `status-${n.status}` }, n.status));
    const s = n.supervisor;
    if (s) {
      if (s.intensity) {
        info.append(intensityBar(s.intensity));
        info.append(h("span", { class: "restarts" }, `${s.intensity.recent}/${s.intensity.max_restarts} in ${window_(s.intensity.within_ms)}`));
      }
      info.append(h("span", { class: `restarts sup-restarts ${s.restarts ? "some" : ""}`, title: "restarts this supervisor made while observed" },
        `${s.restarts} restart${s.restarts === 1 ? "" : "s"}`));
    } else if (n.restarts) {
      info.append(h("span", { class: "restarts some", title: "times this child got a new pid while observed" }, `restarted ${n.restarts}×`));
      if (n.last_exit) info.append(h("span", { class: "exit", title: `last exit: ${n.last_exit}` }, `last exit: ${n.last_exit}`));
    }
    if (n.error) info.append(h("span", { class: "status-undefined", title: n.error }, "not answering"));
    return info;
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
      infoCell(n),
      h("span", { class: "acts" }, actionButtons(n, parent)));
    const out = [row];
    if (hasKids && !isCollapsed) for (const c of n.children) out.push(...renderNode(c, depth + 1, n));
    return out;
  }

  function stat(value, label, cls) {
    return h("div", { class: `stat ${cls || ""}` }, h("b", {}, value), h("span", {}, label));
  }

  function render() {
    if (!current) return;
    let processes = 0, sups = 0, restarts = 0;
    walk(current.root, (n) => {
      if (n.pid) processes++;
      if (n.supervisor) { sups++; restarts += n.supervisor.restarts; }
    });
    $("title").textContent = current.title;
    document.title = `${current.title} · supervise observer`;
    $("stats").replaceChildren(
      stat(processes, "processes"),
      stat(sups, "supervisors"),
      stat(restarts, "restarts seen"),
      stat(current.actions ? "on" : "off", "actions", current.actions ? "actions-on" : ""));
    $("tree").replaceChildren(...renderNode(current.root, 0, null));
    renderDetails();
    $("source").textContent = `Data: ${current.source}.`;
  }

  function renderDetails() {
    const box = $("details");
    const hit = selected !== null ? find(selected) : null;
    if (!hit) { box.replaceChildren(h("p", { class: "empty" }, "Click a process to see its details.")); return; }
    const n = hit.node, s = n.supervisor;
    const rows = [];
    const field = (label, value, cls, since) => {
      const missing = value === null || value === undefined;
      rows.push(h("dt", {}, label), h("dd", { class: missing ? "na" : cls || "", "data-since": since }, missing ? "not available yet" : value));
    };
    field("pid", n.pid ?? `— (${n.status})`, "mono");
    field("id", n.id ?? (n.key === "" ? "root" : "— (dynamic child)"), "mono");
    field("kind", kindName[n.kind]);
    field("status", n.status);
    field("worker type", n.worker_type, "mono");
    field("restarts", `${n.restarts}`);
    if (n.last_restart_unix_ms) field("last restart", ago(n.last_restart_unix_ms), "", n.last_restart_unix_ms);
    if (n.last_exit) field("last exit", n.last_exit, "mono");
    field("current pid seen", ago(n.seen_since_unix_ms), "", n.seen_since_unix_ms);
    field("started", n.started_unix_ms == null ? null : ago(n.started_unix_ms), "", n.started_unix_ms);
    field("mailbox", n.mailbox_len);
    field("messages handled", n.messages_handled);
    if (s) {
      field("strategy", s.strategy);
      field("children", s.count ? `${s.count.active} running of ${s.count.specs} (${s.count.supervisors} supervisors, ${s.count.workers} workers)` : null);
      field("restarts made", `${s.restarts}`);
      if (s.intensity) {
        const i = s.intensity;
        rows.push(h("dt", {}, "intensity"), h("dd", {}, intensityBar(i), `${i.recent} of ${i.max_restarts} in ${window_(i.within_ms)}`));
      } else field("intensity", null);
      if (s.max_children != null) field("max children", `${s.max_children}`);
    }
    if (n.error) field("error", n.error);
    box.replaceChildren(
      h("h3", {}, `${nameOf(n)}${n.id == null && n.key !== "" ? " " + slotOf(n.key) : ""}`),
      h("div", { class: "subtitle" }, n.key === "" ? "the root supervisor" : n.key),
      h("dl", {}, rows),
      h("div", { class: "detail-acts" }, actionButtons(n, hit.parent)));
  }

  function update(view) {
    const now = Date.now();
    walk(view.root, (n) => {
      const before = lastPid.get(n.key);
      if (n.pid && before && before !== n.pid) flashUntil.set(n.key, now + FLASH_MS);
      if (n.pid) lastPid.set(n.key, n.pid);
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
    for (const dd of document.querySelectorAll("#details [data-since]")) {
      dd.textContent = ago(Number(dd.dataset.since));
    }
  }, 1000);

  connect();
})();
