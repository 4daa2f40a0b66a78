// Copyright 2026 The eventlet-cpp Authors.
#include "sim/timeline.h"

#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nlohmann/json.hpp"

namespace eventlet::sim {
namespace {

// Everything after the first line.
std::string body_after_first_line(const std::string& s) {
  const auto nl = s.find('\n');
  return nl == std::string::npos ? std::string() : s.substr(nl + 1);
}

// "timers at #13 (t=0.000000): 1 queued; ..." -> "timers: 1 queued; ..."
std::string without_position(const std::string& s, const std::string& name) {
  const auto colon = s.find("): ");
  const auto nl = s.find('\n');
  if (colon == std::string::npos || (nl != std::string::npos && colon > nl)) {
    const auto c2 = s.find(": ");
    if (c2 == std::string::npos) return s;
    return name + s.substr(c2);
  }
  return name + ": " + s.substr(colon + 3);
}

// JSON for a <script> element: no "</script>", no "<!--".
std::string script_safe(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (char c : json) {
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else {
      out += c;
    }
  }
  return out;
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

constexpr const char* kCss = R"CSS(
:root { --lane-h: 34px; }
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.35 system-ui, -apple-system, "Segoe UI", sans-serif;
       color: #1d2330; background: #fafbfc; }
header { padding: 10px 16px 6px; background: #20283a; color: #e8ecf4; }
header h1 { margin: 0 0 2px; font-size: 16px; font-weight: 600; }
header .sub { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; color: #b7c0d4; }
#controls { display: flex; align-items: center; gap: 10px; padding: 8px 16px;
            background: #eef1f6; border-bottom: 1px solid #d5dbe6; position: sticky; top: 0; z-index: 2; }
#controls button { font: inherit; padding: 3px 10px; border: 1px solid #9aa6bd; border-radius: 4px;
                   background: #fff; cursor: pointer; }
#controls button:hover { background: #e3e9f5; }
#scrub { flex: 1; }
#pos { font: 12px ui-monospace, "DejaVu Sans Mono", monospace; min-width: 90px; text-align: right; }
#banner { padding: 6px 16px; font: 12px ui-monospace, "DejaVu Sans Mono", monospace; background: #fff;
          border-bottom: 1px solid #e1e5ec; white-space: pre; overflow-x: auto; }
#lanes { display: flex; border-bottom: 1px solid #d5dbe6; background: #fff; }
#labels { flex: none; width: 150px; border-right: 1px solid #d5dbe6; background: #f5f7fa; }
#chart { flex: 1; overflow-x: auto; overflow-y: hidden; }
svg text { font: 11px ui-monospace, "DejaVu Sans Mono", monospace; }
.lane-label { font: 12px system-ui, sans-serif; font-weight: 600; fill: #2b3447; }
.lane-sub { font-size: 10px; fill: #6a7489; }
.lane-line { stroke: #e6e9ef; }
.band-prepare { fill: #efe8fb; }
.band-fire { fill: #ffffff; }
.band-poll { fill: #e8f0fb; }
.band-start { fill: #f3f6ee; }
.band-stall { fill: #fde8e8; }
.band-label { fill: #8a93a6; font-size: 10px; }
.ruler { fill: #566076; font-size: 10px; }
.seqno { fill: #98a1b3; font-size: 9px; text-anchor: middle; }
.tick { stroke: #c4cad6; }
.run { fill: #cfe0fb; stroke: #7fa6e6; stroke-width: .5; }
.wait { stroke: #d9a0a0; stroke-dasharray: 3 3; stroke-width: 1.5; }
.wait-label { fill: #b05454; font-size: 10px; }
.tspan { stroke: #7cc2cb; stroke-width: 3; opacity: .6; }
.tspan.cancelled { stroke: #b9c3cc; }
.handoff { stroke: #1565c0; stroke-width: 1; opacity: .35; }
.ev { cursor: pointer; stroke: #fff; stroke-width: 1.5; }
.ev-glyph { pointer-events: none; fill: #fff; font-size: 9px; font-weight: 700; text-anchor: middle; }
.arrow { fill: none; stroke: #8892a6; stroke-width: 1; opacity: .28; }
.arrow.hot-in { stroke: #e65100; stroke-width: 2.2; opacity: 1; marker-end: url(#aho); }
.arrow.hot-out { stroke: #2e7d32; stroke-width: 1.8; opacity: .95; marker-end: url(#ahe); }
.ev.current { stroke: #111; stroke-width: 3; }
.ev.cause { stroke: #e65100; stroke-width: 3; }
.ev.effect { stroke: #2e7d32; stroke-width: 2.5; }
#cursor { fill: #ffd54f; opacity: .35; }
#details { display: grid; grid-template-columns: minmax(380px, 1fr) minmax(380px, 1fr); gap: 12px; padding: 12px 16px; }
#details section { background: #fff; border: 1px solid #e1e5ec; border-radius: 6px; padding: 8px 12px; min-width: 0; }
#details h2 { margin: 0 0 6px; font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: #6a7489; }
#details pre { margin: 0; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre-wrap; word-break: break-all; }
#evline { font-weight: 600; }
#causes a, #effects a { color: #1565c0; cursor: pointer; text-decoration: underline; }
#legend { padding: 0 16px 16px; display: flex; flex-wrap: wrap; gap: 6px 14px; font-size: 12px; color: #4a5266; }
#legend span i { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; vertical-align: -1px; }
#status { display: none; }
)CSS";

constexpr const char* kJs = R"JS(
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('trace-data').textContent);
  var E = D.events, N = E.length;
  var COLW = 26, X0 = 16, LANEH = 34, TOP = 44;
  var lanes = D.lanes;
  var H = TOP + lanes.length * LANEH + 8;
  var W = 0, XS = [], byTime = false;
  // Column centres: one column per event; spread by virtual time, a gap
  // (log scale) wherever time moves.
  function layout() {
    var minDt = Infinity, maxDt = 0, i, dt;
    for (i = 1; i < N; i++) {
      dt = E[i].t - E[i - 1].t;
      if (dt > 0) { minDt = Math.min(minDt, dt); maxDt = Math.max(maxDt, dt); }
    }
    XS = [];
    var x = X0 + COLW / 2;
    for (i = 0; i < N; i++) {
      if (i > 0) {
        x += COLW;
        dt = E[i].t - E[i - 1].t;
        if (byTime && dt > 0) x += 10 + 150 * Math.log(1 + dt / minDt) / Math.log(1 + maxDt / minDt);
      }
      XS.push(x);
    }
    W = (N ? XS[N - 1] : X0) + COLW / 2 + X0;
  }
  var COLORS = {
    spawn: '#2e7d32', exit: '#546e7a', 'switch': '#1565c0', block: '#c62828', ready: '#f9a825',
    exception: '#d500f9', timer_add: '#00838f', timer_fire: '#00acc1', timer_cancel: '#90a4ae',
    listen_add: '#6d4c41', listen_fire: '#a1887f', listen_remove: '#bcaaa4', pass: '#7e57c2',
    poll: '#3949ab', poll_done: '#7986cb', choose: '#ff7043', stall: '#000000',
    net_send: '#00897b', net_deliver: '#43a047', net_drop: '#e53935'
  };
  var GLYPH = {
    spawn: '+', exit: 'x', 'switch': '>', block: '|', ready: 'r', exception: '!', timer_add: 'T',
    timer_fire: 'F', timer_cancel: 'C', listen_add: 'L', listen_fire: 'R', listen_remove: '-',
    pass: 'P', poll: 'W', poll_done: 'w', choose: '?', stall: 'S',
    net_send: 'N', net_deliver: 'D', net_drop: 'X'
  };
  function esc(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }
  function cx(i) { return XS[i]; }
  // The left edge of event i's column (i == N: the right end).
  function lx(i) { return i >= N ? XS[N - 1] + COLW / 2 : XS[i] - COLW / 2; }
  function cy(lane) { return TOP + lane * LANEH + LANEH / 2; }
  var laneOfGt = {};
  lanes.forEach(function (l, i) { if (l.gt !== undefined) laneOfGt[l.gt] = i; });

  // Effects: who names each event as its cause.
  var effects = E.map(function () { return []; });
  E.forEach(function (e, i) { if (e.cause) effects[e.cause - 1].push(i); });

  // ---- the SVG, built as markup (the HTML parser puts it in the SVG namespace).
  function render() {
  var s = [];
  s.push('<svg id="tl" width="' + W + '" height="' + H + '" viewBox="0 0 ' + W + ' ' + H + '">');
  s.push('<defs><marker id="ahg" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto">' +
         '<path d="M0,0 L8,4 L0,8 z" fill="#8892a6"/></marker>' +
         '<marker id="aho" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto">' +
         '<path d="M0,0 L8,4 L0,8 z" fill="#e65100"/></marker>' +
         '<marker id="ahe" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto">' +
         '<path d="M0,0 L8,4 L0,8 z" fill="#2e7d32"/></marker></defs>');
  // Phase bands.
  var bandClass = { 'start': 'band-start', 'prepare timers': 'band-prepare', 'fire timers': 'band-fire',
                    'poll': 'band-poll', 'stall': 'band-stall' };
  var i0 = 0;
  for (var i = 1; i <= N; i++) {
    if (i === N || E[i].phase !== E[i0].phase) {
      var ph = E[i0].phase;
      s.push('<rect class="' + (bandClass[ph] || 'band-fire') + '" x="' + lx(i0) + '" y="' + (TOP - 12) +
             '" width="' + (lx(i) - lx(i0)) + '" height="' + (H - TOP + 4) + '"><title>' + esc(ph) + '</title></rect>');
      if (lx(i) - lx(i0) >= 40) {
        s.push('<text class="band-label" x="' + (lx(i0) + 3) + '" y="' + (TOP - 3) + '">' + esc(ph) + '</text>');
      }
      i0 = i;
    }
  }
  // Lane separators.
  for (var l = 0; l <= lanes.length; l++) {
    var y = TOP + l * LANEH;
    s.push('<line class="lane-line" x1="0" x2="' + W + '" y1="' + y + '" y2="' + y + '"/>');
  }
  // Time ruler: a tick where virtual time moves.
  var lastT = null, lastLabelX = -1e9;
  E.forEach(function (e, i) {
    if (e.t !== lastT) {
      var x = lx(i);
      s.push('<line class="tick" x1="' + x + '" x2="' + x + '" y1="0" y2="' + (TOP - 14) + '"/>');
      if (x - lastLabelX > 70) {
        s.push('<text class="ruler" x="' + (x + 2) + '" y="10">t=' + esc(e.ts) + '</text>');
        lastLabelX = x;
      }
      lastT = e.t;
    }
    if ((i + 1) % 5 === 0 || i === 0) {
      s.push('<text class="seqno" x="' + cx(i) + '" y="24">' + (i + 1) + '</text>');
    }
  });
  // Who runs when (from the switches), and waits (block .. next run).
  var running = laneOfGt[0] !== undefined ? 0 : null, runFrom = 0;
  var waitFrom = {};
  function bar(gt, a, b) {
    var x2 = b === 'end' ? lx(N) : cx(b);
    if (laneOfGt[gt] === undefined || x2 <= cx(a)) return;
    var y = cy(laneOfGt[gt]);
    s.push('<rect class="run" x="' + cx(a) + '" y="' + (y - 6) + '" width="' + (x2 - cx(a)) +
           '" height="12" rx="3"><title>gt ' + esc(gt === -1 ? 'hub' : gt) + ' runs</title></rect>');
  }
  function waitLine(gt, a, b) {
    var w = waitFrom[gt];
    if (!w || laneOfGt[gt] === undefined) return;
    var y = cy(laneOfGt[gt]);
    s.push('<line class="wait" x1="' + cx(w.i) + '" x2="' + (b === null ? W - X0 : cx(b)) + '" y1="' + y + '" y2="' + y + '"/>');
    s.push('<text class="wait-label" x="' + (cx(w.i) + 9) + '" y="' + (y - 8) + '">' + esc(w.on) + '</text>');
    delete waitFrom[gt];
  }
  E.forEach(function (e, i) {
    if (e.kind === 'switch') {
      if (running !== null) bar(running, runFrom, i);
      waitLine(e.gt, null, i);
      running = e.gt; runFrom = i;
    } else if (e.kind === 'block') {
      waitFrom[e.gt] = { i: i, on: e.on };
    } else if (e.kind === 'exit') {
      delete waitFrom[e.gt];
    }
  });
  if (running !== null && N) bar(running, runFrom, 'end');
  Object.keys(waitFrom).forEach(function (gt) { waitLine(Number(gt), null, null); });
  // Timer lifetimes: add .. fire/cancel.
  var timerLane = D.timer_lane;
  if (timerLane >= 0) {
    var added = {};
    E.forEach(function (e, i) {
      if (e.kind === 'timer_add') added[e.timer] = i;
      if ((e.kind === 'timer_fire' || e.kind === 'timer_cancel') && added[e.timer] !== undefined) {
        var y = cy(timerLane);
        s.push('<line class="tspan' + (e.kind === 'timer_cancel' ? ' cancelled' : '') + '" x1="' + cx(added[e.timer]) +
               '" x2="' + cx(i) + '" y1="' + y + '" y2="' + y + '"/>');
        delete added[e.timer];
      }
    });
  }
  // CPU handoffs: a thin vertical line at each switch, from lane to lane.
  E.forEach(function (e, i) {
    if (e.kind === 'switch' && laneOfGt[e.from] !== undefined && laneOfGt[e.gt] !== undefined) {
      s.push('<line class="handoff" x1="' + cx(i) + '" x2="' + cx(i) + '" y1="' + cy(laneOfGt[e.from]) + '" y2="' + cy(e.lane) + '"/>');
    }
  });
  // Cause arrows.
  E.forEach(function (e, i) {
    if (!e.cause) return;
    var c = E[e.cause - 1];
    var x1 = cx(e.cause - 1), y1 = cy(c.lane), x2 = cx(i), y2 = cy(e.lane);
    var dx = x2 - x1, lift = Math.min(60, 12 + dx * 0.15);
    var mx = (x1 + x2) / 2, my = Math.min(y1, y2) - lift;
    if (y1 === y2) my = y1 - lift;
    s.push('<path id="a' + (i + 1) + '" class="arrow" marker-end="url(#ahg)" d="M' + (x1 + 6) + ',' + (y1 - 4) + ' Q' + mx + ',' + my +
           ' ' + (x2 - 6) + ',' + (y2 - 5) + '"/>');
  });
  // Cursor column, then the events on top.
  s.push('<rect id="cursor" x="0" y="' + (TOP - 12) + '" width="' + COLW + '" height="' + (H - TOP + 4) + '"/>');
  E.forEach(function (e, i) {
    var x = cx(i), y = cy(e.lane);
    s.push('<g data-i="' + i + '"><circle id="e' + (i + 1) + '" class="ev" cx="' + x + '" cy="' + y + '" r="8" fill="' +
           (COLORS[e.kind] || '#333') + '"><title>' + esc(e.text) + '</title></circle>' +
           '<text class="ev-glyph" x="' + x + '" y="' + (y + 3) + '">' + esc(GLYPH[e.kind] || '?') + '</text></g>');
  });
  s.push('</svg>');
  document.getElementById('chart').innerHTML = s.join('');

  // Lane labels.
  var ls = ['<svg width="150" height="' + H + '">'];
  ls.push('<text class="lane-sub" x="8" y="12">virtual time</text>');
  ls.push('<text class="lane-sub" x="8" y="25">event (seq)</text>');
  ls.push('<text class="lane-sub" x="8" y="' + (TOP - 3) + '">hub phase</text>');
  lanes.forEach(function (l, i) {
    var y = cy(i);
    ls.push('<text class="lane-label" x="8" y="' + (y + 1) + '">' + esc(l.label) + '</text>');
    if (l.sub) ls.push('<text class="lane-sub" x="8" y="' + (y + 12) + '">' + esc(l.sub) + '</text>');
  });
  for (var k = 0; k <= lanes.length; k++) {
    var yy = TOP + k * LANEH;
    ls.push('<line class="lane-line" x1="0" x2="150" y1="' + yy + '" y2="' + yy + '"/>');
  }
  ls.push('</svg>');
  document.getElementById('labels').innerHTML = ls.join('');
  }
  layout();
  render();

  // Legend.
  var lg = [];
  Object.keys(COLORS).forEach(function (kind) {
    if (D.kinds.indexOf(kind) >= 0) lg.push('<span><i style="background:' + COLORS[kind] + '"></i>' + esc(GLYPH[kind]) + ' ' + esc(kind) + '</span>');
  });
  lg.push('<span>bars: who holds the CPU; dashed: waiting (on what); curves: cause &#8594; event</span>');
  document.getElementById('legend').innerHTML = lg.join('');

  // ---- the scrubber
  var scrub = document.getElementById('scrub');
  scrub.max = String(N);
  var cur = 0;
  var hot = [];
  function link(j) {
    return '<a data-go="' + (j + 1) + '">#' + (j + 1) + '</a> ' + esc(E[j].kind) + ' ' + esc(E[j].desc);
  }
  function show(n) {
    n = Math.max(0, Math.min(N, n | 0));
    cur = n;
    hot.forEach(function (h) { var el = document.getElementById(h[0]); if (el) el.classList.remove(h[1]); });
    hot = [];
    function mark(id, cls) { var el = document.getElementById(id); if (el) { el.classList.add(cls); hot.push([id, cls]); } }
    scrub.value = String(n);
    document.getElementById('pos').textContent = '#' + n + ' / ' + N;
    var cursor = document.getElementById('cursor');
    var chart = document.getElementById('chart');
    if (n === 0) {
      cursor.setAttribute('x', '-100');
      document.getElementById('banner').textContent = 'at the start, before #1 (' + N + ' events)';
      document.getElementById('evline').textContent = '(no event yet: use the slider, the buttons or the arrow keys)';
      document.getElementById('evjson').textContent = '';
      document.getElementById('causes').innerHTML = '';
      document.getElementById('effects').innerHTML = '';
      document.getElementById('state').textContent = D.states[0] || '';
    } else {
      var e = E[n - 1];
      cursor.setAttribute('x', String(lx(n - 1)));
      mark('e' + n, 'current');
      document.getElementById('banner').textContent = D.banners[e.banner];
      document.getElementById('evline').textContent = e.text;
      document.getElementById('evjson').textContent = e.json;
      // The cause chain, nearest first.
      var chain = [], c = e.cause;
      while (c) { chain.push(c - 1); c = E[c - 1].cause; }
      if (e.cause) { mark('e' + e.cause, 'cause'); mark('a' + n, 'hot-in'); }
      document.getElementById('causes').innerHTML = chain.length
        ? chain.map(function (j) { return '&#8592; ' + link(j); }).join('<br>') : '(none recorded)';
      var ef = effects[n - 1];
      ef.forEach(function (j) { mark('e' + (j + 1), 'effect'); mark('a' + (j + 1), 'hot-out'); });
      document.getElementById('effects').innerHTML = ef.length
        ? ef.map(function (j) { return '&#8594; ' + link(j); }).join('<br>') : '(none)';
      document.getElementById('state').textContent = D.states[e.state];
      var x = lx(n - 1);
      if (x < chart.scrollLeft + 40 || x > chart.scrollLeft + chart.clientWidth - 60) {
        chart.scrollLeft = Math.max(0, x - chart.clientWidth / 2);
      }
      // Many lanes: keep the current event's lane on screen too.
      var box = document.getElementById('e' + n).getBoundingClientRect();
      var top = document.getElementById('controls').getBoundingClientRect().bottom;
      if (box.top < top + 10 || box.bottom > window.innerHeight - 10) {
        window.scrollBy(0, box.top - (top + window.innerHeight) / 2);
      }
    }
    document.body.setAttribute('data-current', String(n));
    document.body.setAttribute('data-layout', byTime ? 'time' : 'seq');
    document.body.setAttribute('data-width', String(Math.round(W)));
    document.getElementById('status').textContent =
      'current=' + n + (n ? ' kind=' + E[n - 1].kind + ' gt=' + (E[n - 1].gt === -1 ? 'hub' : E[n - 1].gt) : '');
  }
  scrub.addEventListener('input', function () { show(Number(scrub.value)); });
  document.getElementById('bytime').addEventListener('change', function (ev) {
    byTime = ev.target.checked;
    layout();
    render();
    show(cur);
  });
  document.getElementById('prev').addEventListener('click', function () { show(cur - 1); });
  document.getElementById('next').addEventListener('click', function () { show(cur + 1); });
  document.getElementById('chart').addEventListener('click', function (ev) {
    var g = ev.target.closest ? ev.target.closest('g[data-i]') : null;
    if (g) show(Number(g.getAttribute('data-i')) + 1);
  });
  document.getElementById('details').addEventListener('click', function (ev) {
    var go = ev.target.getAttribute && ev.target.getAttribute('data-go');
    if (go) show(Number(go));
  });
  function onKey(ev) {
    if (ev.target === scrub && (ev.key === 'ArrowLeft' || ev.key === 'ArrowRight')) return;  // the slider moves itself
    var k = ev.key;
    if (k === 'ArrowRight' || k === 'n') show(cur + 1);
    else if (k === 'ArrowLeft' || k === 'p') show(cur - 1);
    else if (k === 'Home') show(0);
    else if (k === 'End') show(N);
    else return;
    ev.preventDefault();
  }
  document.addEventListener('keydown', onKey);

  // #step=N&keys=ArrowRight,ArrowLeft (links, headless tests).
  var start = 0, keys = [];
  location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
    var p = kv.split('=');
    if (p[0] === 'step') start = Number(p[1]) || 0;
    if (p[0] === 'keys' && p[1]) keys = p[1].split(',');
    if (p[0] === 'time' && p[1] === '1') byTime = true;
  });
  if (byTime) {
    document.getElementById('bytime').checked = true;
    layout();
    render();
  }
  show(start);
  keys.forEach(function (k) { document.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true })); });
  document.body.setAttribute('data-events', String(N));
  document.body.setAttribute('data-markers', String(document.querySelectorAll('#tl circle.ev').length));
  document.body.setAttribute('data-arrows', String(document.querySelectorAll('#tl path.arrow').length));
  document.body.setAttribute('data-ready', 'yes');
})();
)JS";

// Lines of state views (events x (greenthreads + timers)) a page may embed.
constexpr std::size_t kStateLineBudget = 150'000;

}  // namespace

std::string timeline_html(const StepTrace& trace, const std::string& title) {
  using nlohmann::json;
  // Lanes: the hub, main, the greenthreads in id order, timers, I/O.
  std::set<std::int64_t> gts = {kHubGt, 0};
  bool has_timers = false, has_io = false;
  std::set<std::string> kinds;
  for (const StepEvent& e : trace.events) {
    gts.insert(e.gt);
    if (e.kind == "switch") gts.insert(e.from);
    if (e.kind.rfind("timer_", 0) == 0) has_timers = true;
    if (e.kind.rfind("listen_", 0) == 0 || e.kind == "poll" ||
        e.kind == "poll_done" || e.kind.rfind("net_", 0) == 0) {
      has_io = true;
    }
    kinds.insert(e.kind);
  }
  json lanes = json::array();
  std::map<std::int64_t, int> lane_of;
  std::map<std::int64_t, std::string> created;
  for (const StepEvent& e : trace.events) {
    if (e.kind == "spawn" && !created.count(e.gt)) {
      created[e.gt] =
          "spawned by " + gt_name(e.by) + " at #" + std::to_string(e.seq);
    }
  }
  for (std::int64_t g : gts) {
    json l;
    l["gt"] = g;
    l["label"] = g == kHubGt ? "hub" : g == 0 ? "main (0)" : "gt " + gt_name(g);
    if (g == kHubGt) {
      l["sub"] = "loop: pass, poll";
    } else if (created.count(g)) {
      l["sub"] = created[g];
    }
    lane_of[g] = static_cast<int>(lanes.size());
    lanes.push_back(l);
  }
  int timer_lane = -1, io_lane = -1;
  if (has_timers) {
    timer_lane = static_cast<int>(lanes.size());
    lanes.push_back({{"label", "timers"}, {"sub", "add, fire, cancel"}});
  }
  if (has_io) {
    io_lane = static_cast<int>(lanes.size());
    lanes.push_back(
        {{"label", "I/O (network)"}, {"sub", "fds, polls, packets"}});
  }

  // Per event: its lane, text, banner and the reconstructed state (both
  // deduplicated: consecutive events often share them).
  Stepper stepper(trace);
  int sw = 0, tw = 0;
  for (const StepEvent& e : trace.events) {
    sw = std::max<int>(sw, 1 + static_cast<int>(std::to_string(e.seq).size()));
    tw = std::max<int>(tw, 2 + static_cast<int>(format_time(e.t).size()));
  }
  std::vector<std::string> banners, states;
  std::unordered_map<std::string, int> banner_ids, state_ids;
  auto intern = [](std::vector<std::string>& table,
                   std::unordered_map<std::string, int>& ids,
                   const std::string& s) {
    auto it = ids.find(s);
    if (it != ids.end()) return it->second;
    const int id = static_cast<int>(table.size());
    table.push_back(s);
    ids.emplace(s, id);
    return id;
  };
  auto state_text = [&]() {
    std::string s =
        "greenthreads:\n" + body_after_first_line(stepper.gts_view());
    s += "\n" + without_position(stepper.timers_view(), "timers");
    s += "\n" + without_position(stepper.listeners_view(), "listeners");
    return s;
  };
  // The state views cost about (greenthreads + timers) lines per event: past
  // a budget the page leaves them out and says so (the stepper shows them).
  std::size_t max_gts = gts.size(), max_timers = 0, live_timers = 0;
  for (const StepEvent& e : trace.events) {
    if (e.kind == "timer_add") max_timers = std::max(max_timers, ++live_timers);
    if ((e.kind == "timer_fire" || e.kind == "timer_cancel") && live_timers) {
      --live_timers;
    }
  }
  const bool with_state =
      trace.events.size() * (max_gts + max_timers + 4) <= kStateLineBudget;
  if (with_state) {
    intern(states, state_ids, state_text());  // position 0
  } else {
    states.push_back(
        "(the hub state is left out of pages for traces this large: " +
        std::to_string(trace.events.size()) + " events, up to " +
        std::to_string(max_gts) +
        " greenthreads. Step through it with ./bazelw run //sim:step -- "
        "TRACE, whose gts, timers and listeners commands show it at any "
        "event.)");
  }
  json events = json::array();
  for (const StepEvent& e : trace.events) {
    stepper.go_to(e.seq);
    int lane = lane_of[e.gt];
    if (e.kind.rfind("timer_", 0) == 0) {
      lane = timer_lane;
    } else if (e.kind.rfind("listen_", 0) == 0 || e.kind == "poll" ||
               e.kind == "poll_done" || e.kind.rfind("net_", 0) == 0) {
      // Packets too: a delivery's cause arrow runs from its send.
      lane = io_lane;
    } else if (e.kind == "pass" || e.kind == "choose" || e.kind == "stall") {
      lane = lane_of[kHubGt];
    }
    json j;
    j["seq"] = e.seq;
    j["t"] = e.t;
    j["ts"] = format_time(e.t);
    j["gt"] = e.gt;
    j["kind"] = e.kind;
    j["lane"] = lane;
    j["desc"] = describe_event(e);
    j["text"] = format_event_line(e, sw, tw);
    j["json"] = e.line;
    if (e.cause) j["cause"] = e.cause;
    if (e.kind == "switch") j["from"] = e.from;
    if (e.kind == "block") j["on"] = e.on;
    if (e.kind.rfind("timer_", 0) == 0) j["timer"] = e.timer;
    j["phase"] = phase_name(stepper.state().phase);
    j["banner"] = intern(banners, banner_ids, stepper.banner());
    j["state"] = with_state ? intern(states, state_ids, state_text()) : 0;
    events.push_back(std::move(j));
  }
  json data;
  data["title"] = title;
  data["header"] = format_header_line(trace);
  data["lanes"] = lanes;
  data["timer_lane"] = timer_lane;
  data["io_lane"] = io_lane;
  data["kinds"] = kinds;
  data["events"] = events;
  data["banners"] = banners;
  data["states"] = states;

  std::string html;
  html +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html +=
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\">\n";
  html += "<title>" + html_escape(title) +
          " - eventlet-cpp trace timeline</title>\n";
  html += "<style>" + std::string(kCss) + "</style>\n</head>\n<body>\n";
  html += "<header><h1>" + html_escape(title) + "</h1><div class=\"sub\">" +
          html_escape(format_header_line(trace)) + "</div></header>\n";
  html +=
      "<div id=\"controls\"><button id=\"prev\" title=\"previous event "
      "(left arrow)\">&#9664; prev</button>"
      "<input id=\"scrub\" type=\"range\" min=\"0\" max=\"0\" value=\"0\" "
      "aria-label=\"event\">"
      "<button id=\"next\" title=\"next event (right arrow)\">next "
      "&#9654;</button><span id=\"pos\"></span>"
      "<label title=\"columns by seq; checked: a gap wherever virtual time "
      "moves (log scale)\"><input id=\"bytime\" type=\"checkbox\"> spread "
      "by time</label></div>\n";
  html += "<div id=\"banner\"></div>\n";
  html +=
      "<div id=\"lanes\"><div id=\"labels\"></div><div "
      "id=\"chart\"></div></div>\n";
  html +=
      "<div id=\"details\">"
      "<section><h2>Event</h2><pre id=\"evline\"></pre><pre id=\"evjson\" "
      "style=\"color:#5a6478;margin-top:4px\"></pre>"
      "<h2 style=\"margin-top:10px\">Caused by</h2><div id=\"causes\"></div>"
      "<h2 style=\"margin-top:10px\">Made possible</h2><div "
      "id=\"effects\"></div></section>"
      "<section><h2>Hub state after this event</h2><pre "
      "id=\"state\"></pre></section></div>\n";
  html += "<div id=\"legend\"></div>\n<div id=\"status\"></div>\n";
  html += "<script type=\"application/json\" id=\"trace-data\">" +
          script_safe(data.dump()) + "</script>\n";
  html += "<script>" + std::string(kJs) + "</script>\n</body>\n</html>\n";
  return html;
}

}  // namespace eventlet::sim
