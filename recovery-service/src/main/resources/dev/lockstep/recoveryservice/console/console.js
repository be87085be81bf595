// The recovery console (docs/operations.md, "Web console"). It loads the in-doubt listing once, then follows the
// event stream from exactly the event after it (GET /api/events?since=<Lockstep-Last-Event-Id>): no polling, no
// reload. Every string of the service is rendered with textContent, never as HTML.
'use strict';

(function () {
  const FEED_MAX = 200;   // feed entries kept on the page
  const SCANS_MAX = 60;   // bars of the scan chart
  const RETRY_MS = 5000;  // wait before a new snapshot after the stream was refused or lost for good

  let listing = null;            // the last in-doubt listing (GET /api/in-doubt's JSON, or an in_doubt event)
  let progress = new Map();      // "gtrid|resource|bqual" -> {state, detail}: actions since that listing
  let ended = new Set();         // gtrids whose decision ended since that listing
  const nodes = new Map();       // node -> {state, note}: every node seen
  const scans = [];              // {at, ms, clean} of each scan_finished since the page opened
  let source = null;
  let feedCount = 0;

  // --- small DOM helpers: text only ---------------------------------------------------------------------------
  function el(tag, cls, ...children) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return e;
  }
  function td(...children) { return el('td', null, ...children); }
  function mono(text) { return el('span', 'mono', text === null || text === undefined ? '' : String(text)); }
  function state(label, cls) { return el('span', 'state ' + (cls || label.replace(/ /g, '-')), label); }
  function time(iso) {
    if (!iso) return '';
    const t = el('time', null, iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC'));
    t.dateTime = iso;
    return t;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function $(id) { return document.getElementById(id); }
  function setConnection(stateName, text) {
    const c = $('connection');
    c.dataset.state = stateName;
    c.textContent = text;
  }
  function notice(text) {
    const n = $('notice');
    n.textContent = text || '';
    n.hidden = !text;
  }

  // --- snapshot, then the stream from the event after it --------------------------------------------------------
  async function start() {
    if (source) { source.close(); source = null; }
    setConnection('connecting', 'loading the listing…');
    let since;
    try {
      const r = await fetch('/api/in-doubt', {cache: 'no-store', credentials: 'omit'});
      if (!r.ok) throw new Error('GET /api/in-doubt answered ' + r.status);
      since = r.headers.get('Lockstep-Last-Event-Id');
      applyListing(await r.json());
    } catch (e) {
      setConnection('disconnected', 'cannot load the listing (' + e.message + '); retrying');
      setTimeout(start, RETRY_MS);
      return;
    }
    subscribe(since);
  }

  function subscribe(since) {
    // EventSource sends Last-Event-ID only when it reconnects by itself; the first connection says 'since'.
    const url = /^\d+$/.test(since || '') ? '/api/events?since=' + since : '/api/events';
    const es = new EventSource(url);
    source = es;
    es.onopen = function () { setConnection('live', 'live'); };
    es.onerror = function () {
      if (es.readyState === EventSource.CLOSED) {
        // Refused (503: too many streams, or the daemon stopping): EventSource gives up; so do we, for a while.
        setConnection('disconnected', 'event stream refused or closed; retrying in ' + RETRY_MS / 1000 + ' s');
        if (source === es) { source = null; setTimeout(start, RETRY_MS); }
      } else {
        setConnection('connecting', 'reconnecting…');
      }
    };
    for (const type of ['scan_started', 'recover_scan', 'take_over', 'commit', 'rollback', 'heuristic', 'forget',
      'end', 'decide', 'retire', 'error']) {
      es.addEventListener(type, function (m) { onAction(type, JSON.parse(m.data)); });
    }
    es.addEventListener('scan_finished', function (m) { onScanFinished(JSON.parse(m.data)); });
    es.addEventListener('in_doubt', function (m) { applyListing(JSON.parse(m.data)); });
    es.addEventListener('gap', function (m) {
      // Events were missed (history dropped, or the daemon restarted): what the page shows may be stale. A fresh
      // snapshot and a stream from after it put it right.
      const g = JSON.parse(m.data);
      notice('Events were missed (' + g.detail + '); the listing was loaded again.');
      addFeed('gap', {at: null, ok: false, detail: g.detail});
      start();
    });
  }

  // --- state --------------------------------------------------------------------------------------------------
  function applyListing(l) {
    listing = l;
    progress = new Map();
    ended = new Set();
    const open = new Map();
    for (const tx of l.inDoubt.concat(l.liveDecisions)) {
      open.set(tx.node, (open.get(tx.node) || 0) + 1);
      nodes.set(tx.node, {state: tx.owner === 'ALIVE' ? 'alive' : tx.owner === 'DEAD' ? 'dead' : 'no log',
        note: tx.owner === 'ALIVE' ? 'its transaction manager finishes its own transactions'
          : tx.owner === 'DEAD' ? 'stopped: recovery finishes its transactions' : 'no log found for it'});
    }
    for (const f of l.logFindings) {
      if (f.node && f.problem) nodes.set(f.node, {state: 'problem', note: f.detail});
    }
    for (const n of l.nodesWithoutLog) nodes.set(n, {state: 'no log', note: 'configured, but it has no log'});
    for (const [n, v] of nodes) {
      v.open = open.get(n) || 0;
      if (!open.has(n) && (v.state === 'alive' || v.state === 'dead')) {
        v.state = 'idle'; v.note = 'nothing open';
      }
    }
    render();
  }

  function key(a) { return a.gtrid + '|' + a.resource + '|' + a.bqual; }

  function onAction(type, a) {
    // Every scan asks every resource: only a resource that did not answer is news.
    if (type === 'scan_started' || (type === 'recover_scan' && a.ok)) return;
    addFeed(type, a);
    if (a.gtrid && a.resource && a.bqual) {
      const s = type === 'commit' ? (a.ok ? 'committed' : 'failed')
        : type === 'rollback' ? (a.ok ? 'rolled back' : 'failed')
          : type === 'forget' ? (a.ok ? 'forgotten' : 'failed')
            : type === 'heuristic' ? 'heuristic' : null;
      if (s) progress.set(key(a), {state: s, detail: a.detail});
    }
    if (type === 'end' && a.ok && a.gtrid) ended.add(a.gtrid);
    if (a.node) {
      const open = (nodes.get(a.node) || {}).open || 0;
      if (type === 'take_over' && a.ok) nodes.set(a.node, {state: 'dead', note: 'taken over: ' + a.detail, open: open});
      if (type === 'retire' && a.ok) nodes.set(a.node, {state: 'retired', note: a.detail, open: 0});
      if (type === 'error') nodes.set(a.node, {state: 'problem', note: a.detail, open: open});
    }
    render();
  }

  function onScanFinished(s) {
    scans.push({at: s.startedAt, ms: s.tookMs || 0, clean: s.clean, s: s});
    if (scans.length > SCANS_MAX) scans.shift();
    $('last-scan').textContent = 'last scan ' + (s.startedAt || '').replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')
      + ': ' + s.tookMs + ' ms, ' + s.inDoubt + ' in doubt, ' + s.resourcesReachable + '/' + s.resources
      + ' resources reachable';
    renderChart();
  }

  // --- rendering ----------------------------------------------------------------------------------------------
  function render() {
    if (!listing) return;
    renderNodes();
    renderInDoubt();
    renderHeuristics();
    renderResources();
  }

  function renderNodes() {
    const body = $('nodes').tBodies[0];
    clear(body);
    for (const [n, v] of [...nodes].sort()) {
      const tr = el('tr', null, td(mono(n)), td(state(v.state)), td(String(v.open || 0)), td(v.note || ''));
      tr.dataset.node = n;
      tr.dataset.state = v.state;
      body.appendChild(tr);
    }
    $('nodes-empty').hidden = nodes.size > 0;
  }

  function branchState(tx, b) {
    const p = progress.get(tx.gtrid + '|' + b.resource + '|' + b.bqual);
    if (p) return p;
    const h = tx.heuristics.find(x => x.resource === b.resource && x.bqual === b.bqual);
    if (h) return {state: 'heuristic', detail: h.outcome + ' at ' + h.at + ': an operator resolves it'};
    if (b.state === 'FINISHED') return {state: 'finished', detail: 'the resource no longer lists it'};
    if (b.state === 'UNKNOWN') {
      const r = listing.resources.find(x => x.name === b.resource);
      return {state: 'waiting', detail: 'its resource could not be asked' + (r && r.error ? ': ' + r.error : '')};
    }
    return {state: 'prepared', detail: tx.waitingFor};
  }

  function renderInDoubt() {
    const box = $('in-doubt');
    clear(box);
    for (const tx of listing.inDoubt) {
      const done = ended.has(tx.gtrid);
      const card = el('article', 'tx' + (done ? ' finished' : ''));
      card.dataset.gtrid = tx.gtrid;
      card.dataset.node = tx.node;
      const decision = tx.decision === 'COMMIT' ? state('commit decided', 'decided') : state('no decision', 'waiting');
      card.appendChild(el('div', 'tx-head', el('strong', null, mono(tx.tx)), decision,
        state(tx.owner === 'ALIVE' ? 'owner alive' : tx.owner === 'DEAD' ? 'owner dead' : 'owner has no log',
          tx.owner === 'ALIVE' ? 'alive' : 'dead'),
        el('span', null, 'began ', time(tx.begin)),
        tx.decidedAt ? el('span', null, 'decided ', time(tx.decidedAt)) : null,
        done ? state('finished', 'finished') : null));
      card.appendChild(el('div', 'tx-why',
        done ? 'every branch finished: its decision ended' : 'waiting for: ' + tx.waitingFor));
      card.appendChild(el('div', 'mono', 'gtrid ' + tx.gtrid));
      const t = el('table', 'branches', el('thead', null, el('tr', null, el('th', null, 'resource'),
        el('th', null, 'branch'), el('th', null, 'progress'), el('th', null, 'why'))));
      const tb = el('tbody');
      for (const b of tx.branches) {
        const s = branchState(tx, b);
        const tr = el('tr', null, td(b.resource), td(mono(b.bqual)), td(state(s.state)), td(s.detail || ''));
        tr.dataset.resource = b.resource;
        tr.dataset.state = s.state;
        tb.appendChild(tr);
      }
      t.appendChild(tb);
      card.appendChild(t);
      box.appendChild(card);
    }
    $('in-doubt-count').textContent = String(listing.inDoubt.length);
    $('in-doubt-empty').hidden = listing.inDoubt.length > 0;
  }

  function renderHeuristics() {
    const body = $('heuristics').tBodies[0];
    clear(body);
    let n = 0;
    for (const tx of listing.inDoubt) {
      for (const h of tx.heuristics) {
        n++;
        const button = el('button', null, 'Resolve…');
        button.type = 'button';
        button.addEventListener('click', function () {
          $('resolve-gtrid').value = tx.gtrid;
          $('resolve-token').focus();
        });
        const tr = el('tr', null, td(mono(tx.tx)), td(h.resource + ' ', mono(h.bqual)),
          td(state(h.outcome, 'heuristic')), td(time(h.at)), td(button));
        tr.dataset.gtrid = tx.gtrid;
        body.appendChild(tr);
      }
    }
    $('heuristics-count').textContent = String(n);
    $('heuristics-empty').hidden = n > 0;
  }

  function renderResources() {
    const body = $('resources').tBodies[0];
    clear(body);
    for (const r of listing.resources) {
      body.appendChild(el('tr', null, td(r.name), td(state(r.reachable ? 'yes' : r.skipped ? 'backing off' : 'no',
        r.reachable ? 'finished' : 'failed')), td(r.reachable ? String(r.ourBranches) : ''),
      td(r.reachable ? String(r.foreignBranches) : ''), td(time(r.nextAttempt)), td(r.error || '')));
    }
  }

  function addFeed(type, a) {
    const li = el('li', a.ok === false ? 'ok-false' : null, a.at ? time(a.at) : null, el('span', 'kind', type),
      a.node ? el('span', null, a.node + ' ') : null, a.gtrid ? mono(a.gtrid.substring(0, 16) + '… ') : null,
      a.resource ? el('span', null, a.resource + ' ') : null, el('span', null, a.detail || ''));
    li.dataset.kind = type;
    const feed = $('feed');
    feed.insertBefore(li, feed.firstChild);
    while (feed.children.length > FEED_MAX) feed.removeChild(feed.lastChild);
    feedCount++;
    $('feed-empty').hidden = feedCount > 0;
  }

  const SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function renderChart() {
    const chart = $('scan-chart');
    clear(chart);
    const W = 600, H = 160, left = 64, bottom = 18, top = 8;
    const max = Math.max(1, ...scans.map(s => s.ms));
    chart.appendChild(svg('line', {class: 'axis', x1: left, y1: top, x2: left, y2: H - bottom}));
    chart.appendChild(svg('line', {class: 'axis', x1: left, y1: H - bottom, x2: W, y2: H - bottom}));
    chart.appendChild(svg('text', {x: 2, y: top + 10}, max + ' ms'));
    chart.appendChild(svg('text', {x: 2, y: H - bottom}, '0'));
    const slot = (W - left) / SCANS_MAX;
    scans.forEach(function (s, i) {
      const h = Math.max(1, (H - bottom - top) * s.ms / max);
      const bar = svg('rect', {class: 'bar' + (s.clean ? '' : ' unclean'), x: left + i * slot + 1,
        y: H - bottom - h, width: Math.max(1, slot - 2), height: h});
      bar.appendChild(svg('title', {}, s.at + ': ' + s.ms + ' ms' + (s.clean ? '' : ', not clean')));
      chart.appendChild(bar);
    });
    if (scans.length) {
      chart.appendChild(svg('text', {x: left + 4, y: H - 4}, scans.length + ' scan(s), oldest ' + scans[0].at));
    }
    const summary = $('scan-summary');
    const last = scans[scans.length - 1];
    summary.className = '';
    summary.textContent = scans.length + ' scan(s) since the page opened; last ' + last.ms + ' ms, slowest '
      + max + ' ms. Orange: a scan that left something unfinished.';
  }

  // --- the resolve form: the token only in the Authorization header ------------------------------------------
  function setupForm() {
    const form = $('resolve-form');
    form.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      const result = $('resolve-result');
      const gtrid = $('resolve-gtrid').value.trim();
      const verdict = $('resolve-verdict').value;
      const token = $('resolve-token').value;
      result.dataset.ok = '';
      result.textContent = 'resolving…';
      $('resolve-submit').disabled = true;
      try {
        const r = await fetch('/api/resolve', {
          method: 'POST', cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer',
          headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + token},
          body: JSON.stringify({gtrid: gtrid, verdict: verdict})
        });
        let body = null;
        try { body = await r.json(); } catch (e) { body = null; }
        if (r.status === 200 || r.status === 202) {
          result.dataset.ok = 'true';
          result.textContent = r.status + ': ' + verdict + ' ' + (r.status === 200
            ? 'done; the transaction leaves the list with the next events'
            : 'recorded; a branch could not be finished yet, the scans go on with it')
            + ' (' + (body && body.actions ? body.actions.length : 0) + ' action(s))';
        } else {
          result.dataset.ok = 'false';
          result.textContent = r.status + ': ' + (body && body.error ? body.error : 'refused');
        }
      } catch (e) {
        result.dataset.ok = 'false';
        result.textContent = 'the service could not be reached: ' + e.message;
      } finally {
        $('resolve-submit').disabled = false;
      }
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    setupForm();
    start();
  });
})();
