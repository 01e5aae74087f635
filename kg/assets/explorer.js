/* kg network explorer. Document text is data: every element is built with textContent. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var meta = data.meta;
  var evidence = data.evidence.map(function (r) {
    return { text: r[0], document: r[1], section: r[2], task: r[3], role: r[4] };
  });
  var FALLBACK = { color: "#999999", dashes: false, width: 1, arrows: true };
  // vis edges: style from the relation, plain-text tooltip from the first evidence sentences
  var visEdges = data.edges.map(function (e) {
    var s = data.edgeStyles[e.rel] || FALLBACK;
    var v = { id: e.id, from: e.from, to: e.to, label: e.label, color: s.color, width: s.width };
    if (s.dashes) v.dashes = s.dashes;
    if (s.arrows) v.arrows = "to";
    if (e.smooth) v.smooth = e.smooth;
    if (e.ev.length) {
      v.title = e.label + "\n" + e.ev.slice(0, 3).map(function (k) {
        var t = evidence[k].text;
        return "“" + (t.length > 80 ? t.slice(0, 79) + "…" : t) + "”";
      }).join("\n");
    }
    return v;
  });
  var ROLE_TEXT = { leads: "牵头 leads", supports: "参与 supports", mentions: "提及 mentions" };

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  document.getElementById("kg-title").textContent = data.title;

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(visEdges);
  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  var kg = { network: network, nodes: nodes, edges: edges, data: data, ready: false, drawnAt: null };
  window.kg = kg;
  network.once("afterDrawing", function () {
    kg.ready = true;
    kg.drawnAt = performance.now();
  });

  // adjacency (for the panel's list of connections)
  var out = [], inc = [];
  for (var i = 0; i < meta.length; i++) { out.push([]); inc.push([]); }
  data.edges.forEach(function (e) { out[e.from].push(e.id); inc[e.to].push(e.id); });

  // ------------------------------------------------------------------ legend + type filter
  var legend = document.getElementById("kg-legend");
  var shownTypes = {};
  legend.appendChild(el("h4", "类型 type (点击筛选 click to filter)"));
  data.types.forEach(function (t) {
    shownTypes[t.type] = true;
    var lab = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.dataset.type = t.type;
    box.addEventListener("change", function () { shownTypes[t.type] = box.checked; applyFilters(); });
    var sym = el("span", t.symbol, "kg-sym");
    sym.style.color = t.color;
    lab.appendChild(box);
    lab.appendChild(sym);
    lab.appendChild(document.createTextNode(" " + t.text));
    legend.appendChild(lab);
  });
  var rels = data.relationOrder;
  if (rels.length) legend.appendChild(el("h4", "关系 relation"));
  var shownRels = {};
  rels.map(function (k) { return data.edgeStyles[k]; }).forEach(function (r) {
    shownRels[r.relation] = true;
    var row = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.dataset.relation = r.relation;
    box.addEventListener("change", function () { shownRels[r.relation] = box.checked; applyFilters(); });
    var line = el("span", null, "kg-line");
    line.style.borderTopColor = r.color;
    line.style.borderTopStyle = r.style;
    row.appendChild(box);
    row.appendChild(line);
    row.appendChild(document.createTextNode(r.text));
    legend.appendChild(row);
  });

  // ------------------------------------------------------------------ document / year filters
  var docSel = document.getElementById("kg-doc"), yearSel = document.getElementById("kg-year");
  data.documents.forEach(function (d) { var o = el("option", d); o.value = d; docSel.appendChild(o); });
  data.years.forEach(function (y) { var o = el("option", y); o.value = String(y); yearSel.appendChild(o); });
  docSel.addEventListener("change", applyFilters);
  yearSel.addEventListener("change", applyFilters);
  var hidden = new Array(meta.length).fill(false);
  var edgeHidden = new Array(data.edges.length).fill(false);
  var status = document.getElementById("kg-status");

  function visible(i) {
    var m = meta[i];
    if (!shownTypes[m.type]) return false;
    if (docSel.value && m.documents.indexOf(docSel.value) < 0) return false;
    if (yearSel.value && m.years.indexOf(Number(yearSel.value)) < 0) return false;
    return true;
  }
  function applyFilters() {
    var nodeChanges = [], edgeChanges = [], shown = 0, shownEdges = 0;
    for (var i = 0; i < meta.length; i++) {
      var h = !visible(i);
      if (h !== hidden[i]) { hidden[i] = h; nodeChanges.push({ id: i, hidden: h }); }
      if (!h) shown++;
    }
    data.edges.forEach(function (e) {
      var h = hidden[e.from] || hidden[e.to] || !shownRels[e.rel];
      if (h !== edgeHidden[e.id]) { edgeHidden[e.id] = h; edgeChanges.push({ id: e.id, hidden: h }); }
      if (!h) shownEdges++;
    });
    if (nodeChanges.length) nodes.update(nodeChanges);
    if (edgeChanges.length) edges.update(edgeChanges);
    status.textContent = shown + " / " + meta.length + " 节点 nodes · " + shownEdges + " / " + data.edges.length + " 连线 edges";
  }
  kg.applyFilters = applyFilters;
  applyFilters();

  // ------------------------------------------------------------------ side panel
  var panel = document.getElementById("kg-panel");
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function kv(k, v) { var p = el("p", null, "kg-kv"); p.appendChild(el("b", k + ": ")); p.appendChild(document.createTextNode(v)); return p; }
  function evidenceBlock(ev, parent) {
    var q = el("blockquote", ev.text, ev.role || "");
    parent.appendChild(q);
    var src = [ev.document, ev.section].filter(Boolean).join(" › ");
    parent.appendChild(el("div", "— " + src + (ev.task ? "  ·  任务 task: " + ev.task : ""), "kg-src"));
  }
  function link(text, onclick) {
    var b = el("button", text, "kg-link");
    b.type = "button";
    b.addEventListener("click", onclick);
    return b;
  }
  function showNode(i) {
    var m = meta[i];
    clear(panel);
    panel.appendChild(el("h2", m.name));
    panel.appendChild(kv("类型 type", m.type + (m.collective ? " (collective)" : "")));
    if (m.aliases.length) panel.appendChild(kv("别名 aliases", m.aliases.join("、")));
    if (m.type === "department") panel.appendChild(kv("牵头任务 tasks led", String(m.n_led)));
    if (m.documents.length) panel.appendChild(kv("文件 documents", m.documents.join("；")));
    if (m.years.length) panel.appendChild(kv("年份 years", m.years.join(", ")));
    panel.appendChild(kv("IRI", m.iri));
    // evidence grouped by role
    var groups = {};
    m.evidence.map(function (k) { return evidence[k]; }).forEach(function (ev) { (groups[ev.role || "mentions"] = groups[ev.role || "mentions"] || []).push(ev); });
    var roles = ["leads", "supports", "mentions"].concat(Object.keys(groups).filter(function (r) { return ["leads", "supports", "mentions"].indexOf(r) < 0; }).sort());
    roles.forEach(function (r) {
      if (!groups[r]) return;
      var sec = el("section");
      sec.className = "kg-evidence";
      sec.dataset.role = r;
      sec.appendChild(el("h3", "出处 evidence — " + (ROLE_TEXT[r] || r) + " (" + groups[r].length + ")"));
      groups[r].forEach(function (ev) { evidenceBlock(ev, sec); });
      panel.appendChild(sec);
    });
    // connections: click through to each edge's sentence
    var conn = out[i].map(function (j) { return [j, "→", data.edges[j].to]; })
      .concat(inc[i].map(function (j) { return [j, "←", data.edges[j].from]; }));
    if (conn.length) {
      var order = { leads: 0, supports: 1, part_of: 2, located_in: 3, mentions: 4, in_document: 5 };
      conn.sort(function (a, b) {
        var ra = order[data.edges[a[0]].rel], rb = order[data.edges[b[0]].rel];
        return (ra === undefined ? 9 : ra) - (rb === undefined ? 9 : rb) || a[0] - b[0];
      });
      var sec2 = el("section");
      sec2.appendChild(el("h3", "连接 connections (" + conn.length + ")"));
      var ul = el("ul");
      conn.slice(0, 300).forEach(function (c) {
        var li = el("li");
        li.appendChild(link(data.edges[c[0]].label + " " + c[1] + " " + meta[c[2]].name +
          (data.edges[c[0]].ev.length ? " ¶" : ""), function () { selectEdge(c[0]); }));
        ul.appendChild(li);
      });
      if (conn.length > 300) ul.appendChild(el("li", "… +" + (conn.length - 300)));
      sec2.appendChild(ul);
      panel.appendChild(sec2);
    }
    if (!m.evidence.length && !conn.length) panel.appendChild(el("p", "无出处 no evidence recorded.", "kg-hint"));
  }
  function showEdge(j) {
    var e = data.edges[j];
    var em = { label: e.label, relation: e.rel, evidence: e.ev.map(function (k) { return evidence[k]; }) };
    clear(panel);
    panel.appendChild(el("h2", em.label || em.relation));
    var p = el("p", null, "kg-kv");
    p.appendChild(link(meta[e.from].name, function () { selectNode(e.from); }));
    p.appendChild(document.createTextNode("  →  "));
    p.appendChild(link(meta[e.to].name, function () { selectNode(e.to); }));
    panel.appendChild(p);
    panel.appendChild(kv("关系 relation", em.relation));
    var sec = el("section");
    sec.className = "kg-evidence";
    sec.dataset.role = em.relation;
    sec.appendChild(el("h3", "出处 evidence (" + em.evidence.length + ")"));
    em.evidence.forEach(function (ev) { evidenceBlock(ev, sec); });
    if (!em.evidence.length) sec.appendChild(el("p", "无出处 no evidence recorded for this link.", "kg-hint"));
    panel.appendChild(sec);
  }
  function selectNode(i) {
    if (hidden[i]) { shownTypes[meta[i].type] = true; docSel.value = ""; yearSel.value = "";
      legend.querySelectorAll("input[data-type]").forEach(function (b) { b.checked = shownTypes[b.dataset.type]; }); applyFilters(); }
    network.selectNodes([i]);
    network.focus(i, { scale: Math.max(network.getScale(), 1.0), animation: false });
    showNode(i);
  }
  function selectEdge(j) {
    network.selectEdges([j]);
    showEdge(j);
  }
  kg.selectNode = selectNode;
  kg.selectEdge = selectEdge;
  network.on("click", function (p) {
    if (p.nodes.length) showNode(p.nodes[0]);
    else if (p.edges.length) showEdge(p.edges[0]);
  });
  document.getElementById("kg-fit").addEventListener("click", function () { network.fit({ animation: false }); });

  // ------------------------------------------------------------------ search (name or any alias)
  function norm(s) { return String(s).normalize("NFKC").toLowerCase().replace(/\s+/g, ""); }
  var keys = meta.map(function (m) { return [m.name].concat(m.aliases).map(norm); });
  function search(q) {
    q = norm(q);
    if (!q) return [];
    var hits = [];
    for (var i = 0; i < keys.length; i++) {
      var best = 9;
      for (var k = 0; k < keys[i].length; k++) {
        var s = keys[i][k];
        var r = s === q ? 0 : s.indexOf(q) === 0 ? 1 : s.indexOf(q) > 0 ? 2 : 9;
        if (r < best) best = r;
      }
      if (best < 9) hits.push([best, meta[i].type === "department" ? 0 : 1, keys[i][0].length, i]);
    }
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]; });
    return hits.slice(0, 30).map(function (h) { return h[3]; });
  }
  kg.search = search;
  var box = document.getElementById("kg-search"), results = document.getElementById("kg-results");
  function pick(i) { results.hidden = true; selectNode(i); }
  function showResults() {
    var hits = search(box.value);
    clear(results);
    hits.forEach(function (i, n) {
      var li = el("li", meta[i].name);
      if (n === 0) li.className = "active";
      var extra = meta[i].type + (meta[i].aliases.length ? " · " + meta[i].aliases.slice(0, 4).join("、") : "");
      li.appendChild(el("span", extra, "kg-sub"));
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(i); });
      results.appendChild(li);
    });
    if (!hits.length && box.value.trim()) results.appendChild(el("li", "无匹配 no match"));
    results.hidden = !box.value.trim();
    return hits;
  }
  box.addEventListener("input", showResults);
  box.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { var hits = showResults(); if (hits.length) pick(hits[0]); }
    else if (ev.key === "Escape") results.hidden = true;
  });
  box.addEventListener("blur", function () { results.hidden = true; });

  if (data.focus !== null && data.focus !== undefined) {  // trace view: open on its centre
    network.selectNodes([data.focus]);
    showNode(data.focus);
  }
})();
