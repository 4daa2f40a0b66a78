// The timeline page's script (docs/trace-format.md describes the page).
// Reads the trace from the JSON element #trace-data (sim/timeline.cc writes it:
// one compact row per event) and draws only what is on screen on a canvas.
(function () {
  'use strict';
  var T0 = performance.now();
  var D = JSON.parse(document.getElementById('trace-data').textContent);
  var ROWS = D.ev, N = ROWS.length, LANES = D.lanes, NL = LANES.length;
  // Row fields (sim/timeline.cc): [t, gt, kind, lane, cause, phase, banner,
  // state, words, fields?]; words: the stepper's description (describe_event).
  function evT(i) { return ROWS[i][0]; }
  function evGt(i) { return ROWS[i][1]; }
  function evKind(i) { return D.kinds[ROWS[i][2]]; }
  function evLane(i) { return ROWS[i][3]; }
  function evCause(i) { return ROWS[i][4] ? ROWS[i][4] - 1 : -1; }  // index
  function evPhase(i) { return ROWS[i][5]; }
  // The stepper's --print line (format_event_line in sim/step.cc, whose
  // columns this follows; sim/timeline_browser_test.sh compares the two).
  function pad(str, w) { return str.length >= w ? str : str + ' '.repeat(w - str.length); }
  function evText(i) {
    var s = pad('#' + (i + 1), D.sw) + '  ' + pad('t=' + seconds(evT(i)), D.tw) + '  ' +
            pad('gt=' + (evGt(i) === -1 ? 'hub' : evGt(i)), 6) + '  ' + pad(evKind(i), 13);
    s += ROWS[i][4] ? '  ' + pad(ROWS[i][8], 30) + '  (cause #' + ROWS[i][4] + ')' : '  ' + ROWS[i][8];
    return s.replace(/ +$/, '');
  }
  function evFields(i) { return ROWS[i][9] || {}; }

  // Label column and ruler sizes, lane height (px); zoom limits in px per
  // event column: down to 1 (or less, as far as the whole run fitting needs),
  // up to 60.
  var LABELW = 170, TOP = 40, LANEH = 28, MIN_PPU = 1, MAX_PPU = 60;
  var COLORS = {
    spawn: '#2e7d32', exit: '#546e7a', 'switch': '#1565c0', block: '#c62828', ready: '#f9a825',
    exception: '#d500f9', timer_add: '#00838f', timer_fire: '#00acc1', timer_cancel: '#90a4ae',
    listen_add: '#6d4c41', listen_fire: '#a1887f', listen_remove: '#bcaaa4', pass: '#7e57c2',
    poll: '#3949ab', poll_done: '#7986cb', choose: '#ff7043', stall: '#000000',
    net_send: '#00897b', net_deliver: '#43a047', net_drop: '#e53935', outcome: '#37474f',
    prepare_timers: '#b39ddb', event_send: '#ef6c00', queue_put: '#8e24aa', queue_get: '#ab47bc',
    queue_task_done: '#ce93d8', sem_release: '#6a1b9a',
    host_start: '#2e7d32', host_crash: '#b71c1c', host_restart: '#558b2f', clock_read: '#0277bd'
  };
  var GLYPH = {
    spawn: '+', exit: 'x', 'switch': '>', block: '|', ready: 'r', exception: '!', timer_add: 'T',
    timer_fire: 'F', timer_cancel: 'C', listen_add: 'L', listen_fire: 'R', listen_remove: '-',
    pass: 'P', poll: 'W', poll_done: 'w', choose: '?', stall: 'S',
    net_send: 'N', net_deliver: 'D', net_drop: 'X', outcome: '=',
    // Wake-ups (who woke whom): their `ready` events name them as cause.
    prepare_timers: 'H', event_send: 'E', queue_put: 'Q', queue_get: 'G', queue_task_done: 'K',
    sem_release: 'V',
    // Simulated hosts (sim/host.h): up, down, up again; a clock reading.
    host_start: 'U', host_crash: '#', host_restart: 'u', clock_read: 'c'
  };
  var BANDS = { 'start': '#f3f6ee', 'prepare timers': '#efe8fb', 'fire timers': '#ffffff',
                'poll': '#e8f0fb', 'stall': '#fde8e8' };
  // A kind this page does not know (a newer trace) still gets a stable
  // colour and its first letter.
  function color(kind) {
    if (COLORS[kind]) return COLORS[kind];
    var h = 0;
    for (var k = 0; k < kind.length; k++) h = (h * 31 + kind.charCodeAt(k)) % 360;
    return COLORS[kind] = 'hsl(' + h + ',55%,42%)';
  }
  function glyph(kind) { return GLYPH[kind] || kind.charAt(0).toUpperCase(); }
  function esc(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }
  function seconds(ns) {  // as the stepper writes times (format_time)
    var frac = String(ns % 1e9).padStart(9, '0');
    return Math.floor(ns / 1e9) + '.' + (ns % 1000 === 0 ? frac.slice(0, 6) : frac);
  }
  function $(id) { return document.getElementById(id); }

  // ---- Derived tables, O(events).
  var effects = [], laneEv = [], laneKinds = [], i, l;
  for (l = 0; l < NL; l++) { laneEv.push([]); laneKinds.push({}); }
  for (i = 0; i < N; i++) {
    effects.push(null);
    laneEv[evLane(i)].push(i);
    laneKinds[evLane(i)][evKind(i)] = true;
  }
  for (i = 0; i < N; i++) {
    var c = evCause(i);
    if (c >= 0) (effects[c] || (effects[c] = [])).push(i);
  }
  var laneOfGt = {};
  LANES.forEach(function (ln, k) { if (ln.gt !== undefined) laneOfGt[ln.gt] = k; });
  // Spans per lane, sorted and disjoint: who holds the CPU (between
  // switches), waits (block .. the switch back) and timer lives.
  var spans = LANES.map(function () { return []; });
  (function () {
    var running = laneOfGt[0] !== undefined ? 0 : null, from = 0, waiting = {};
    function close(gt, to) {
      if (running !== null && laneOfGt[gt] !== undefined && to > from) {
        spans[laneOfGt[gt]].push({ a: from, b: to, type: 'run' });
      }
    }
    for (var j = 0; j < N; j++) {
      var kind = evKind(j), gt = evGt(j);
      if (kind === 'switch') {
        close(running, j);
        var w = waiting[gt];
        if (w && laneOfGt[gt] !== undefined) spans[laneOfGt[gt]].push({ a: w.i, b: j, type: 'wait', on: w.on });
        delete waiting[gt];
        running = gt; from = j;
      } else if (kind === 'block') {
        var bf = evFields(j);  // "Event::wait (obj 1)": which object, as in --print
        waiting[gt] = { i: j, on: (bf.on || '') + (bf.obj ? ' (obj ' + bf.obj + ')' : '') };
      } else if (kind === 'exit') {
        delete waiting[gt];
      }
    }
    if (running !== null && N) close(running, N - 1);
    Object.keys(waiting).forEach(function (gt) {
      var w = waiting[gt];
      if (laneOfGt[gt] !== undefined) spans[laneOfGt[gt]].push({ a: w.i, b: N - 1, type: 'wait', on: w.on });
    });
    D.timers.forEach(function (s) { spans[s[2]].push({ a: s[0], b: s[1], type: s[3] ? 'cancelled' : 'timer' }); });
    spans.forEach(function (list) { list.sort(function (x, y) { return x.a - y.a; }); });
  })();
  // Phase bands: runs of events in one hub phase.
  var bands = [];
  for (i = 0; i < N; i++) {
    if (!bands.length || D.phases[evPhase(i)] !== bands[bands.length - 1].phase) {
      bands.push({ a: i, b: i, phase: D.phases[evPhase(i)] });
    } else {
      bands[bands.length - 1].b = i;
    }
  }

  // ---- Horizontal layout: event i's column starts at unit pos[i] (one unit
  // per event; spread by time adds a gap, log scale, where time moves).
  var byTime = false, pos = new Float64Array(N + 1), UNITS = 0;
  function layout() {
    var minDt = Infinity, maxDt = 0, dt, j;
    for (j = 1; j < N; j++) {
      dt = evT(j) - evT(j - 1);
      if (dt > 0) { minDt = Math.min(minDt, dt); maxDt = Math.max(maxDt, dt); }
    }
    var u = 0;
    for (j = 0; j < N; j++) {
      if (j > 0) {
        u += 1;
        dt = evT(j) - evT(j - 1);
        if (byTime && dt > 0) u += 0.4 + 5.8 * Math.log(1 + dt / minDt) / Math.log(1 + maxDt / minDt);
      }
      pos[j] = u;
    }
    pos[N] = N ? u + 1 : 0;
    UNITS = pos[N];
  }
  // The first event whose column ends after unit u.
  function eventAt(u) {
    var lo = 0, hi = N;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (pos[mid] + 1 <= u) lo = mid + 1; else hi = mid; }
    return lo;
  }
  // In a sorted index list, the first entry >= v.
  function lowerBound(list, v) {
    var lo = 0, hi = list.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (list[mid] < v) lo = mid + 1; else hi = mid; }
    return lo;
  }
  function firstSpanEndingAfter(list, a) {
    var lo = 0, hi = list.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (list[mid].b < a) lo = mid + 1; else hi = mid; }
    return lo;
  }

  // ---- View state.
  var view = { u: 0, ppu: 22 };  // left edge (units), pixels per unit
  var cur = 0;                   // events shown: 1..N, 0 = before the first
  var shown = [], rowOfLane = new Int32Array(NL);  // lanes passing the filters
  var filterText = '', filterKind = '', causal = false, laneArrows = false;
  var scroller = $('scroller'), spacer = $('spacer'), chart = $('chart'), ctx = chart.getContext('2d');
  var overview = $('overview'), octx = overview.getContext('2d');
  var W = 0, H = 0, DPR = window.devicePixelRatio || 1, stats = {};

  function chartW() { return Math.max(50, W - LABELW); }
  function minPpu() { return Math.min(MIN_PPU, chartW() / Math.max(1, UNITS)); }
  function clampView() {
    view.ppu = Math.max(minPpu(), Math.min(MAX_PPU, view.ppu));
    var span = chartW() / view.ppu;
    view.u = Math.max(0, Math.min(view.u, UNITS - span));
    if (UNITS <= span) view.u = 0;
  }
  function xOf(j) { return LABELW + (pos[j] + 0.5 - view.u) * view.ppu; }
  function yOf(row) { return TOP + row * LANEH + LANEH / 2 - scroller.scrollTop; }

  // The lanes of the current event, its cause chain and its effects.
  function causalLanes() {
    var set = {};
    if (!cur) return set;
    var j = cur - 1;
    set[evLane(j)] = true;
    for (var c2 = evCause(j); c2 >= 0; c2 = evCause(c2)) set[evLane(c2)] = true;
    (effects[j] || []).forEach(function (k) { set[evLane(k)] = true; });
    return set;
  }
  // Terms: greenthread ids, 'hub', 'io', or words of a lane's label; a term
  // with a leading '-' (-timers, -5) hides what it matches.
  function termMatches(ln, t) {
    if (/^\d+$/.test(t)) return ln.gt === Number(t);
    if (t === 'hub') return ln.gt === -1;
    if (t === 'io') return ln.group === 'io';
    return (ln.label + ' ' + ln.sub).toLowerCase().indexOf(t) >= 0;
  }
  function laneMatches(ln, terms) {
    var wanted = terms.filter(function (t) { return t.charAt(0) !== '-'; });
    var unwanted = terms.filter(function (t) { return t.length > 1 && t.charAt(0) === '-'; });
    return (!wanted.length || wanted.some(function (t) { return termMatches(ln, t); })) &&
           !unwanted.some(function (t) { return termMatches(ln, t.slice(1)); });
  }
  // Applies the filters; the current event's lane always stays.
  function applyFilters() {
    var terms = filterText.toLowerCase().split(/[\s,]+/).filter(Boolean);
    var keep = causal ? causalLanes() : null;
    var curLane = cur ? evLane(cur - 1) : -1;
    shown = [];
    for (var k = 0; k < NL; k++) {
      var ok = laneMatches(LANES[k], terms) && (!filterKind || laneKinds[k][filterKind]) &&
               (!keep || keep[k]);
      rowOfLane[k] = -1;
      if (ok || k === curLane) { rowOfLane[k] = shown.length; shown.push(k); }
    }
    spacer.style.height = (TOP + shown.length * LANEH + 8) + 'px';
    $('lanecount').textContent = shown.length + ' of ' + NL + ' lanes';
  }

  function resize() {
    W = scroller.clientWidth; H = scroller.clientHeight;
    chart.width = Math.round(W * DPR); chart.height = Math.round(H * DPR);
    chart.style.width = W + 'px'; chart.style.height = H + 'px';
    var ow = overview.clientWidth, oh = overview.clientHeight;
    overview.width = Math.round(ow * DPR); overview.height = Math.round(oh * DPR);
    clampView();
  }

  // ---- Drawing.
  function arrow(x1, y1, x2, y2, col, width) {
    var dx = Math.abs(x2 - x1), lift = Math.min(60, 12 + dx * 0.15);
    var mx = (x1 + x2) / 2, my = Math.min(y1, y2) - lift;
    ctx.strokeStyle = col; ctx.lineWidth = width;
    ctx.beginPath(); ctx.moveTo(x1, y1 - 4); ctx.quadraticCurveTo(mx, my, x2, y2 - 6); ctx.stroke();
    var ang = Math.atan2(y2 - 6 - my, x2 - mx);
    ctx.fillStyle = col; ctx.beginPath();
    ctx.moveTo(x2, y2 - 6);
    ctx.lineTo(x2 - 8 * Math.cos(ang - 0.4), y2 - 6 - 8 * Math.sin(ang - 0.4));
    ctx.lineTo(x2 - 8 * Math.cos(ang + 0.4), y2 - 6 - 8 * Math.sin(ang + 0.4));
    ctx.fill();
    stats.arrows++;
  }
  // An arrow from cause c to event e, if both lanes are shown.
  function causeArrow(c2, e, col, width) {
    var r1 = rowOfLane[evLane(c2)], r2 = rowOfLane[evLane(e)];
    if (r1 < 0 || r2 < 0) return;
    arrow(xOf(c2), yOf(r1), xOf(e), yOf(r2), col, width);
  }
  function draw() {
    stats = { drawn: 0, arrows: 0 };
    ctx.setTransform(DPR, 0, 0, DPR, 0, 0);
    ctx.clearRect(0, 0, W, H);
    var i0 = eventAt(view.u), i1 = Math.min(N - 1, eventAt(view.u + chartW() / view.ppu));
    stats.i0 = i0; stats.i1 = i1;
    var row0 = Math.max(0, Math.floor((scroller.scrollTop) / LANEH) - 1);
    var row1 = Math.min(shown.length - 1, Math.ceil((scroller.scrollTop + H - TOP) / LANEH));
    stats.row0 = row0; stats.row1 = row1;
    ctx.save();
    ctx.beginPath(); ctx.rect(LABELW, 0, chartW(), H); ctx.clip();
    // Phase bands (labelled in the strip above the lanes) and the current
    // event's column.
    var b0 = firstSpanEndingAfter(bands, i0), b;
    for (b = b0; b < bands.length && bands[b].a <= i1; b++) {
      var bx0 = LABELW + (pos[bands[b].a] - view.u) * view.ppu;
      var bx1 = LABELW + (pos[bands[b].b] + 1 - view.u) * view.ppu;
      ctx.fillStyle = BANDS[bands[b].phase] || '#ffffff';
      ctx.fillRect(bx0, TOP - 12, bx1 - bx0, H);
    }
    if (cur) {
      ctx.fillStyle = 'rgba(255,213,79,.45)';
      ctx.fillRect(LABELW + (pos[cur - 1] - view.u) * view.ppu, TOP - 12, Math.max(2, view.ppu), H);
    }
    ctx.save();
    ctx.beginPath(); ctx.rect(LABELW, TOP - 1, chartW(), H); ctx.clip();
    ctx.font = '10px ui-monospace, monospace';
    // Lanes: separators, spans, events.
    var r = Math.min(8, view.ppu * 0.42), big = r >= 5;
    for (var row = row0; row <= row1; row++) {
      var lane = shown[row], y = yOf(row);
      ctx.strokeStyle = '#eceff4'; ctx.beginPath();
      ctx.moveTo(LABELW, y + LANEH / 2 + 0.5); ctx.lineTo(W, y + LANEH / 2 + 0.5); ctx.stroke();
      var list = spans[lane];
      for (var s = firstSpanEndingAfter(list, i0); s < list.length && list[s].a <= i1; s++) {
        var sp = list[s], sx0 = xOf(sp.a), sx1 = xOf(sp.b);
        if (sp.type === 'run') {
          ctx.fillStyle = '#cfe0fb'; ctx.fillRect(sx0, y - 5, Math.max(1, sx1 - sx0), 10);
        } else if (sp.type === 'wait') {
          ctx.strokeStyle = '#d9a0a0'; ctx.setLineDash([3, 3]); ctx.lineWidth = 1.5;
          ctx.beginPath(); ctx.moveTo(sx0, y); ctx.lineTo(sx1, y); ctx.stroke();
          ctx.setLineDash([]); ctx.lineWidth = 1;
          var wx = Math.max(sx0, LABELW) + 9;
          if (sp.on && wx + ctx.measureText(sp.on).width < sx1) { ctx.fillStyle = '#b05454'; ctx.fillText(sp.on, wx, y - 6); }
        } else {
          ctx.fillStyle = sp.type === 'timer' ? 'rgba(124,194,203,.7)' : 'rgba(185,195,204,.7)';
          ctx.fillRect(sx0, y - 2, Math.max(1, sx1 - sx0), 4);
        }
      }
      var evs = laneEv[lane], lastPx = -1;
      for (var k = lowerBound(evs, i0); k < evs.length && evs[k] <= i1; k++) {
        var e = evs[k], x = xOf(e), kind = evKind(e);
        var dim = filterKind && kind !== filterKind;
        if (big) {
          ctx.globalAlpha = dim ? 0.25 : 1;
          ctx.fillStyle = color(kind); ctx.beginPath(); ctx.arc(x, y, r, 0, 6.2832); ctx.fill();
          ctx.fillStyle = '#fff'; ctx.textAlign = 'center'; ctx.font = 'bold 9px sans-serif';
          ctx.fillText(glyph(kind), x, y + 3); ctx.textAlign = 'left'; ctx.font = '10px ui-monospace, monospace';
          ctx.globalAlpha = 1;
        } else {
          var px = Math.round(x);
          if (px === lastPx) continue;  // one mark per pixel column
          lastPx = px;
          ctx.globalAlpha = dim ? 0.25 : 1;
          ctx.fillStyle = color(kind); ctx.fillRect(px - 1, y - 6, 2, 12);
          ctx.globalAlpha = 1;
        }
        stats.drawn++;
      }
    }
    // Cause arrows: into and out of the current event; on demand into every
    // visible event of its lane.
    if (cur) {
      var ce = cur - 1;
      if (laneArrows) {
        var le = laneEv[evLane(ce)];
        for (k = lowerBound(le, i0); k < le.length && le[k] <= i1; k++) {
          if (evCause(le[k]) >= 0 && le[k] !== ce) causeArrow(evCause(le[k]), le[k], 'rgba(120,130,150,.6)', 1);
        }
      }
      (effects[ce] || []).forEach(function (f) { causeArrow(ce, f, '#2e7d32', 1.8); });
      if (evCause(ce) >= 0) causeArrow(evCause(ce), ce, '#e65100', 2.2);
      var cr = rowOfLane[evLane(ce)];
      if (cr >= 0) {
        ctx.strokeStyle = '#111'; ctx.lineWidth = 3; ctx.beginPath();
        ctx.arc(xOf(ce), yOf(cr), Math.max(r, 4) + 2, 0, 6.2832); ctx.stroke(); ctx.lineWidth = 1;
        if (evCause(ce) >= 0 && rowOfLane[evLane(evCause(ce))] >= 0) {
          ctx.strokeStyle = '#e65100'; ctx.lineWidth = 2.5; ctx.beginPath();
          ctx.arc(xOf(evCause(ce)), yOf(rowOfLane[evLane(evCause(ce))]), Math.max(r, 4) + 2, 0, 6.2832);
          ctx.stroke(); ctx.lineWidth = 1;
        }
      }
    }
    ctx.restore();  // the lanes' clip
    // Ruler: a tick where virtual time moves, a label when there is room;
    // seq numbers; the phase names.
    ctx.fillStyle = '#fafbfc'; ctx.fillRect(LABELW, 0, chartW(), TOP - 12);
    ctx.font = '10px ui-monospace, monospace';
    ctx.fillStyle = '#566076'; ctx.strokeStyle = '#c4cad6'; ctx.lineWidth = 1;
    var lastLabel = -1e9, lastTickX = -1e9, j;
    for (j = i0; j <= i1; j++) {
      if (j > i0 && evT(j) === evT(j - 1)) continue;
      var tx = Math.max(LABELW, LABELW + (pos[j] - view.u) * view.ppu);
      if (tx - lastTickX >= 3) {
        ctx.beginPath(); ctx.moveTo(tx + 0.5, 0); ctx.lineTo(tx + 0.5, 14); ctx.stroke();
        lastTickX = tx;
      }
      if (tx - lastLabel > 90) { ctx.fillText('t=' + seconds(evT(j)), tx + 2, 10); lastLabel = tx; }
    }
    if (view.ppu >= 14) {
      ctx.fillStyle = '#98a1b3'; ctx.textAlign = 'center';
      for (j = i0; j <= i1; j++) if ((j + 1) % 5 === 0 || j === 0) ctx.fillText(String(j + 1), xOf(j), 24);
      ctx.textAlign = 'left';
    }
    ctx.fillStyle = '#8a93a6';
    for (b = b0; b < bands.length && bands[b].a <= i1; b++) {
      var lx0 = LABELW + (pos[bands[b].a] - view.u) * view.ppu;
      var lx1 = LABELW + (pos[bands[b].b] + 1 - view.u) * view.ppu;
      if (Math.min(lx1, W) - Math.max(lx0, LABELW) > 70) ctx.fillText(bands[b].phase, Math.max(lx0, LABELW) + 3, TOP - 3);
    }
    ctx.restore();  // the chart's clip
    // Labels column and the ruler's caption, over everything.
    ctx.fillStyle = '#f5f7fa'; ctx.fillRect(0, 0, LABELW, H);
    ctx.strokeStyle = '#d5dbe6'; ctx.beginPath(); ctx.moveTo(LABELW + 0.5, 0); ctx.lineTo(LABELW + 0.5, H); ctx.stroke();
    for (row = row0; row <= row1; row++) {
      var ln = LANES[shown[row]], ly = yOf(row);
      if (ly < TOP - 4) continue;
      var isCur = cur && shown[row] === evLane(cur - 1);
      ctx.fillStyle = isCur ? '#1565c0' : '#2b3447'; ctx.font = '600 11.5px system-ui, sans-serif';
      ctx.fillText(ln.label, 8, ly + (ln.sub ? -2 : 4));
      if (ln.sub) { ctx.fillStyle = '#6a7489'; ctx.font = '9.5px system-ui, sans-serif'; ctx.fillText(ln.sub, 8, ly + 10); }
    }
    ctx.fillStyle = '#fafbfc'; ctx.fillRect(0, 0, LABELW, TOP - 12);
    ctx.fillStyle = '#6a7489'; ctx.font = '10px system-ui, sans-serif';
    ctx.fillText('virtual time', 8, 11); ctx.fillText('event (seq) / hub phase', 8, 24);
    drawOverview();
    report();
  }
  // The whole run: the hub phase per pixel column, virtual time as a line
  // (flat where many events share one time), the window and the cursor.
  function drawOverview() {
    var ow = overview.clientWidth, oh = overview.clientHeight, j;
    octx.setTransform(DPR, 0, 0, DPR, 0, 0);
    octx.clearRect(0, 0, ow, oh);
    if (!N) return;
    var tEnd = Math.max(1, evT(N - 1));
    octx.strokeStyle = '#3d5a99'; octx.lineWidth = 1.2; octx.beginPath();
    for (var px = 0; px < ow; px++) {
      j = Math.min(N - 1, eventAt(px / ow * UNITS));
      octx.fillStyle = BANDS[D.phases[evPhase(j)]] || '#fff';
      octx.fillRect(px, 0, 1, oh);
      var ty = oh - 3 - (oh - 6) * evT(j) / tEnd;
      if (px) octx.lineTo(px, ty); else octx.moveTo(px, ty);
    }
    octx.stroke();
    var wx0 = view.u / UNITS * ow, wx1 = Math.min(ow, (view.u + chartW() / view.ppu) / UNITS * ow);
    octx.fillStyle = 'rgba(21,101,192,.18)'; octx.fillRect(wx0, 0, Math.max(2, wx1 - wx0), oh);
    octx.strokeStyle = '#1565c0'; octx.lineWidth = 1.5; octx.strokeRect(wx0 + 0.5, 0.5, Math.max(2, wx1 - wx0) - 1, oh - 1);
    if (cur) {
      octx.fillStyle = '#e65100';
      octx.fillRect(Math.floor(pos[cur - 1] / UNITS * ow), 0, 2, oh);
    }
  }
  // What the page shows, for tests (chromium --dump-dom) and links.
  function report() {
    var bd = document.body, curLane = cur ? evLane(cur - 1) : -1, vis = 'no';
    if (cur) {
      var row = rowOfLane[curLane], x = xOf(cur - 1), y = row >= 0 ? yOf(row) : -1;
      if (row >= 0 && x >= LABELW && x <= W && y >= TOP && y <= H - 4) vis = 'yes';
    }
    bd.setAttribute('data-current', String(cur));
    bd.setAttribute('data-current-lane', curLane >= 0 ? LANES[curLane].label : '');
    bd.setAttribute('data-current-visible', vis);
    bd.setAttribute('data-layout', byTime ? 'time' : 'seq');
    bd.setAttribute('data-width', String(Math.round(UNITS * view.ppu)));
    bd.setAttribute('data-zoom', view.ppu.toFixed(3));
    bd.setAttribute('data-view', (stats.i0 + 1) + '-' + (stats.i1 + 1));
    bd.setAttribute('data-drawn', String(stats.drawn));
    bd.setAttribute('data-arrows', String(stats.arrows));
    bd.setAttribute('data-lane-arrows', laneArrows ? 'yes' : 'no');
    bd.setAttribute('data-lanes', String(NL));
    bd.setAttribute('data-visible-lanes', String(shown.length));
    var onScreen = [];
    for (var r2 = stats.row0; r2 <= stats.row1; r2++) if (yOf(r2) >= TOP - 4 && yOf(r2) <= H) onScreen.push(LANES[shown[r2]].label);
    bd.setAttribute('data-window-lanes', onScreen.join(','));
    $('status').textContent = 'current=' + cur +
      (cur ? ' kind=' + evKind(cur - 1) + ' gt=' + (evGt(cur - 1) === -1 ? 'hub' : evGt(cur - 1)) : '');
  }
  var pending = false;
  function redraw() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; draw(); });
  }

  // ---- Moving around.
  // Brings event j into view: its column (centred when it was off screen)
  // and its lane row.
  function reveal(j) {
    var span = chartW() / view.ppu;
    if (pos[j] < view.u + 1 || pos[j] + 1 > view.u + span - 1) view.u = pos[j] + 0.5 - span / 2;
    clampView();
    var row = rowOfLane[evLane(j)];
    if (row >= 0) {  // lane rows start at TOP; the ruler stays above them
      var rowTop = row * LANEH, area = H - TOP;
      if (rowTop < scroller.scrollTop || rowTop + LANEH > scroller.scrollTop + area) {
        scroller.scrollTop = Math.max(0, rowTop + LANEH / 2 - area / 2);
      }
    }
  }
  function zoom(factor, atX) {
    var ax = atX === undefined ? LABELW + chartW() / 2 : atX;
    var u = view.u + (ax - LABELW) / view.ppu;
    view.ppu *= factor;
    clampView();
    view.u = u - (ax - LABELW) / view.ppu;
    clampView();
    draw();
  }
  function fit() { view.ppu = minPpu(); view.u = 0; clampView(); draw(); }
  function link(j) {
    return '<a data-go="' + (j + 1) + '">' + esc(evText(j)) + '</a>';
  }
  // Without the hub state (big traces): what the lanes say about the
  // event's greenthread at that point.
  function laneSummary(j) {
    var lane = laneOfGt[evGt(j)];
    if (lane === undefined || evGt(j) === -1) return '';
    var list = spans[lane], k = firstSpanEndingAfter(list, j), what = 'ready, or not started';
    while (k + 1 < list.length && list[k + 1].a <= j) k++;  // the span that starts at j
    if (k < list.length && list[k].a <= j && list[k].b >= j) {
      what = list[k].type === 'run' ? 'running since #' + (list[k].a + 1)
                                    : 'waiting on ' + list[k].on + ' since #' + (list[k].a + 1);
    }
    return '\n\nFrom the lanes: gt ' + evGt(j) + ' at #' + (j + 1) + ': ' + what +
           (LANES[lane].sub ? '\n  (' + LANES[lane].sub + ')' : '');
  }
  function show(n) {
    n = Math.max(0, Math.min(N, n | 0));
    cur = n;
    $('scrub').value = String(n);
    $('pos').textContent = '#' + n + ' / ' + N;
    if (n === 0) {
      $('banner').textContent = 'at the start, before #1 (' + N + ' events)';
      $('evline').textContent = '(no event yet: use the slider, the buttons or the arrow keys)';
      $('evjson').textContent = '';
      $('causes').innerHTML = '';
      $('effects').innerHTML = '';
      $('state').textContent = D.states[0] || '';
    } else {
      var j = n - 1, row = ROWS[j];
      $('banner').textContent = D.banners[row[6]];
      $('evline').textContent = evText(j);
      // The event's own fields, whatever its kind (newer kinds included).
      var json = { seq: n, t: evT(j), gt: evGt(j), kind: evKind(j) }, f = evFields(j);
      Object.keys(f).forEach(function (key) { json[key] = f[key]; });
      if (evCause(j) >= 0) json.cause = evCause(j) + 1;
      $('evjson').textContent = JSON.stringify(json);
      var chain = [];
      for (var c2 = evCause(j); c2 >= 0; c2 = evCause(c2)) chain.push(c2);
      $('causes').innerHTML = chain.length
        ? chain.map(function (k) { return '&#8592; ' + link(k); }).join('\n') : '(none recorded)';
      var ef = effects[j] || [];
      $('effects').innerHTML = ef.length
        ? ef.map(function (k) { return '&#8594; ' + link(k); }).join('\n') : '(none)';
      $('state').textContent = D.states[row[7]] + (D.with_state ? '' : laneSummary(j));
    }
    applyFilters();  // the current lane always stays; causal follows it
    if (n) reveal(n - 1);
    draw();
  }

  // The next (dir 1) or previous (-1) event on a shown lane, of the chosen
  // kind if one is chosen: search within the filters.
  function seek(dir) {
    for (var j = cur - 1 + dir; j >= 0 && j < N; j += dir) {
      if (rowOfLane[evLane(j)] >= 0 && (!filterKind || evKind(j) === filterKind)) { show(j + 1); return; }
    }
  }

  // ---- Controls.
  var scrub = $('scrub');
  scrub.max = String(N);
  scrub.addEventListener('input', function () { show(Number(scrub.value)); });
  $('prev').addEventListener('click', function () { show(cur - 1); });
  $('next').addEventListener('click', function () { show(cur + 1); });
  $('zoomin').addEventListener('click', function () { zoom(2); });
  $('zoomout').addEventListener('click', function () { zoom(0.5); });
  $('fit').addEventListener('click', fit);
  $('findprev').addEventListener('click', function () { seek(-1); });
  $('findnext').addEventListener('click', function () { seek(1); });
  $('bytime').addEventListener('change', function (ev) {
    var anchor = cur ? cur - 1 : eventAt(view.u);
    byTime = ev.target.checked; layout(); clampView();
    if (N) reveal(anchor);
    draw();
  });
  $('filter').addEventListener('input', function (ev) { filterText = ev.target.value; applyFilters(); if (cur) reveal(cur - 1); draw(); });
  $('kind').addEventListener('change', function (ev) { filterKind = ev.target.value; applyFilters(); draw(); });
  $('causal').addEventListener('change', function (ev) { causal = ev.target.checked; applyFilters(); if (cur) reveal(cur - 1); draw(); });
  $('lanearrows').addEventListener('change', function (ev) { laneArrows = ev.target.checked; draw(); });
  D.kinds.slice().sort().forEach(function (k) {
    var o = document.createElement('option'); o.value = k; o.textContent = 'lanes with ' + k; $('kind').appendChild(o);
  });
  $('details').addEventListener('click', function (ev) {
    var go = ev.target.getAttribute && ev.target.getAttribute('data-go');
    if (go) show(Number(go));
  });
  scroller.addEventListener('scroll', redraw);
  scroller.addEventListener('wheel', function (ev) {
    if (ev.ctrlKey || ev.metaKey) {
      zoom(Math.exp(-ev.deltaY * 0.002), ev.offsetX);
    } else if (ev.shiftKey || Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) {
      view.u += (ev.shiftKey ? ev.deltaY : ev.deltaX) / view.ppu; clampView(); redraw();
    } else {
      return;  // the lanes scroll natively
    }
    ev.preventDefault();
  }, { passive: false });
  // Drag to pan; a click without a drag picks the nearest event of the lane.
  var drag = null;
  scroller.addEventListener('mousedown', function (ev) {
    drag = { x: ev.clientX, u: view.u, moved: false };
    scroller.classList.add('dragging');
  });
  window.addEventListener('mousemove', function (ev) {
    if (!drag) return;
    if (Math.abs(ev.clientX - drag.x) > 3) drag.moved = true;
    view.u = drag.u - (ev.clientX - drag.x) / view.ppu; clampView(); redraw();
  });
  // The event under a point of the chart (-1: none), or the row of a label.
  function hit(ev) {
    var rect = scroller.getBoundingClientRect(), x = ev.clientX - rect.left, y = ev.clientY - rect.top;
    var row = Math.floor((y + scroller.scrollTop - TOP) / LANEH);
    if (y < TOP || row < 0 || row >= shown.length) return { row: -1, event: -1 };
    if (x < LABELW) return { row: row, label: true, event: -1 };
    var list = laneEv[shown[row]], at = lowerBound(list, eventAt(view.u + (x - LABELW) / view.ppu)), best = -1, bestD = 12;
    for (var q = Math.max(0, at - 2); q < list.length && q < at + 3; q++) {
      var d = Math.abs(xOf(list[q]) - x);
      if (d < bestD) { bestD = d; best = list[q]; }
    }
    return { row: row, event: best };
  }
  window.addEventListener('mouseup', function (ev) {
    if (!drag) return;
    var moved = drag.moved;
    drag = null; scroller.classList.remove('dragging');
    if (moved) return;
    var h = hit(ev);
    if (h.label) {  // a label: arrows for that lane, from its first event on screen
      var evs = laneEv[shown[h.row]], k = lowerBound(evs, eventAt(view.u));
      if (k < evs.length) { laneArrows = true; $('lanearrows').checked = true; show(evs[k] + 1); }
    } else if (h.event >= 0) {
      show(h.event + 1);
    }
  });
  scroller.addEventListener('mousemove', function (ev) {  // hover: the event's line
    if (drag) return;
    var h = hit(ev);
    scroller.title = h.event >= 0 ? evText(h.event) : h.label ? LANES[shown[h.row]].label + ': click for its cause arrows' : '';
  });
  function moveOverview(ev) {
    var rect = overview.getBoundingClientRect();
    view.u = (ev.clientX - rect.left) / rect.width * UNITS - chartW() / view.ppu / 2;
    clampView(); redraw();
  }
  var ovDrag = false;
  overview.addEventListener('mousedown', function (ev) { ovDrag = true; moveOverview(ev); });
  window.addEventListener('mousemove', function (ev) { if (ovDrag) moveOverview(ev); });
  window.addEventListener('mouseup', function () { ovDrag = false; });
  document.addEventListener('keydown', function (ev) {
    var tag = ev.target && ev.target.tagName;
    if (tag === 'INPUT' && ev.target.type !== 'range' && ev.target.type !== 'checkbox') return;
    if (tag === 'SELECT') return;
    if (ev.target === scrub && (ev.key === 'ArrowLeft' || ev.key === 'ArrowRight')) return;  // it moves itself
    var k = ev.key;
    if (k === 'ArrowRight' || k === 'n') show(cur + 1);
    else if (k === 'ArrowLeft' || k === 'p') show(cur - 1);
    else if (k === 'Home') show(0);
    else if (k === 'End') show(N);
    else if (k === '+' || k === '=') zoom(2);
    else if (k === '-') zoom(0.5);
    else if (k === 'f') fit();
    else if (k === ']') seek(1);
    else if (k === '[') seek(-1);
    else return;
    ev.preventDefault();
  });
  window.addEventListener('resize', function () { resize(); draw(); });

  // Legend: the kinds this trace has.
  var lg = [];
  D.kinds.forEach(function (kind) {
    lg.push('<span><i style="background:' + color(kind) + '"></i>' + esc(glyph(kind)) + ' ' + esc(kind) + '</span>');
  });
  lg.push('<span>bars: who holds the CPU; dashed: waiting (on what); thin bars: timers; ' +
          'arrows: the current event\'s cause (orange) and what it made possible (green)</span>');
  $('legend').innerHTML = lg.join('');

  // ---- The URL fragment: #step=N&keys=K1,K2&clicks=X:Y&time=1&filter=TEXT
  // &kind=K&causal=1&arrows=1&zoom=PPU (links, headless tests).
  var start = 0, keys = [], clicks = [], zoomTo = null;
  location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
    var eq = kv.indexOf('='), key = eq < 0 ? kv : kv.slice(0, eq);
    var val = eq < 0 ? '' : decodeURIComponent(kv.slice(eq + 1));
    if (key === 'step') start = Number(val) || 0;
    else if (key === 'keys' && val) keys = val.split(',');
    else if (key === 'clicks' && val) clicks = val.split(',');
    else if (key === 'time') byTime = val === '1';
    else if (key === 'filter') filterText = val;
    else if (key === 'kind') filterKind = val;
    else if (key === 'causal') causal = val === '1';
    else if (key === 'arrows') laneArrows = val === '1';
    else if (key === 'zoom') zoomTo = Number(val) || null;
  });
  $('bytime').checked = byTime; $('filter').value = filterText; $('kind').value = filterKind;
  $('causal').checked = causal; $('lanearrows').checked = laneArrows;
  layout();
  resize();
  if (zoomTo) { view.ppu = zoomTo; clampView(); }
  applyFilters();
  show(start);
  keys.forEach(function (k) { document.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true })); });
  // &clicks=X:Y,...: clicks at points of the lanes' box (after the keys).
  clicks.forEach(function (xy) {
    var rect = scroller.getBoundingClientRect(), p = xy.split(':');
    var at = { clientX: rect.left + Number(p[0]), clientY: rect.top + Number(p[1]), bubbles: true };
    scroller.dispatchEvent(new MouseEvent('mousedown', at));
    window.dispatchEvent(new MouseEvent('mouseup', at));
  });
  document.body.setAttribute('data-events', String(N));
  document.body.setAttribute('data-ready-ms', (performance.now() - T0).toFixed(1));
  document.body.setAttribute('data-ready-at-ms', performance.now().toFixed(1));
  document.body.setAttribute('data-ready', 'yes');
})();
