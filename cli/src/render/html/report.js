// iamsight HTML report: draws the embedded report JSON. No network, no libraries.
// Every string from the report reaches the DOM through textContent (el() below), never as markup.
(function () {
  'use strict';

  var DATA = document.getElementById('iamsight-report');
  var R = JSON.parse(DATA.textContent);
  var SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
  var SEV_RANK = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
  var ESCALATION_CHECK = 'principal-can-escalate-to-admin';
  var UNUSED_PERMISSIONS_CHECK = 'unused-permissions';
  var ROW_H = 58;
  var FACET_LIMIT = 8;

  // ---------- helpers ----------
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
        var v = attrs[k];
        if (v === null || v === undefined || v === false) continue;
        if (k === 'class') e.className = v;
        else if (k === 'text') e.textContent = v;
        else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v === true ? '' : String(v));
      }
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  var SVG_NS = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, children) {
    var e = document.createElementNS(SVG_NS, tag);
    for (var k in attrs || {}) {
      if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, String(attrs[k]));
    }
    (children || []).forEach(function (c) {
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  function shortName(arn) {
    var parts = String(arn).split(/[/:]/).filter(function (s) { return s.length > 0; });
    return parts.length ? parts[parts.length - 1] : String(arn);
  }
  function arnKind(arn) {
    var m = /^arn:[^:]*:iam::[^:]*:([a-z-]+)/.exec(arn);
    return m ? m[1] : '';
  }
  function fmt(n) { return Number(n).toLocaleString('en-US'); }
  function countBy(list, key) {
    var m = new Map();
    list.forEach(function (x) {
      var ks = key(x);
      (Array.isArray(ks) ? ks : [ks]).forEach(function (k) { m.set(k, (m.get(k) || 0) + 1); });
    });
    return m;
  }
  function sortedEntries(m) {
    return Array.from(m.entries()).sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); });
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  // ---------- the model, indexed once ----------
  var checks = new Map();
  R.checks.forEach(function (c) { checks.set(c.id, c); });
  function benchmarkOf(control) {
    var i = control.indexOf(':');
    return i > 0 ? control.slice(0, i).trim() : control.trim();
  }
  var checkBenchmarks = new Map();
  R.checks.forEach(function (c) {
    var set = [];
    (c.compliance || []).forEach(function (ctl) {
      var b = benchmarkOf(ctl);
      if (set.indexOf(b) < 0) set.push(b);
    });
    checkBenchmarks.set(c.id, set);
  });

  var QUICK = [
    { id: 'public', label: 'Publicly accessible', test: function (f) {
      return f.category === 'public-exposure' || /public|world|internet/.test(f.check);
    } },
    { id: 'unencrypted', label: 'Unencrypted', test: function (f) { return f.category === 'encryption'; } },
    { id: 'unused', label: 'Unused', test: function (f) { return f.category === 'unused'; } },
    { id: 'escalation', label: 'Privilege escalation', test: function (f) {
      return f.category === 'privilege-escalation' || f.check.indexOf('escalat') >= 0;
    } }
  ];

  var F = R.findings;
  F.forEach(function (f, i) {
    f._i = i;
    f._tags = Object.keys(f.tags || {}).map(function (k) { return k + '=' + f.tags[k]; });
    f._bench = checkBenchmarks.get(f.check_id) || [];
    f._quick = QUICK.filter(function (q) { return q.test(f); }).map(function (q) { return q.id; });
  });
  function searchText(f) {
    if (f._text === undefined) {
      var c = checks.get(f.check_id);
      f._text = [f.id, f.check_id, f.check, c ? c.title : '', f.resource, f.resource_type, f.region || '',
        f.message, f.service, f.category, f._tags.join(' '), f.suppression || '',
        f.evidence.map(function (e) { return e.text + ' ' + (e.policy || ''); }).join(' ')].join('\n').toLowerCase();
    }
    return f._text;
  }

  var open = F.filter(function (f) { return f.status === 'open'; });
  var suppressedCount = F.length - open.length;
  var facetCounts = {
    status: countBy(F, function (f) { return f.status; }),
    severity: countBy(F, function (f) { return f.severity; }),
    category: countBy(F, function (f) { return f.category; }),
    service: countBy(F, function (f) { return f.service; }),
    benchmark: countBy(F, function (f) { return f._bench; }),
    quick: countBy(open, function (f) { return f._quick; })
  };
  var tagCounts = countBy(F, function (f) { return f._tags; });
  var FACET_KEYS = {
    severity: function (f) { return f.severity; },
    category: function (f) { return f.category; },
    service: function (f) { return f.service; },
    benchmark: function (f) { return f._bench; },
    quick: function (f) { return f._quick; }
  };
  // Facet counts follow the status filter (so "high 45" means 45 of the findings in view).
  var countsFor = '';
  function refreshCounts() {
    var key = Array.from(state.status).sort().join(',');
    if (key === countsFor) return;
    countsFor = key;
    var base = state.status.size ? F.filter(function (f) { return state.status.has(f.status); }) : F;
    Object.keys(FACET_KEYS).forEach(function (facet) {
      var counts = countBy(base, FACET_KEYS[facet]);
      Object.keys(ui.countEls[facet] || {}).forEach(function (v) {
        var n = counts.get(v) || 0;
        ui.countEls[facet][v].textContent = fmt(n);
        var row = ui.countEls[facet][v].parentNode;
        if (row.classList.contains('opt')) row.classList.toggle('zero', n === 0);
      });
    });
  }

  // ---------- state (mirrored in the URL hash, so a filtered view can be shared) ----------
  var FACETS = ['status', 'severity', 'category', 'service', 'benchmark', 'quick', 'tag', 'check'];
  function defaultState() {
    var s = { q: '', sort: 'severity', selected: null, view: 'findings' };
    FACETS.forEach(function (k) { s[k] = new Set(); });
    s.status.add('open');
    return s;
  }
  var state = defaultState();
  function readHash() {
    var h = location.hash.replace(/^#/, '');
    if (!h) return;
    var p = new URLSearchParams(h);
    if (!p.has('status') && !p.has('q') && !p.has('view')) return;
    state = defaultState();
    state.status.clear();
    // `status=` (empty) stands for "no status filter" (writeHash): it adds no value.
    FACETS.forEach(function (k) {
      p.getAll(k).forEach(function (v) { if (v) state[k].add(v); });
    });
    if (!p.has('status')) state.status.add('open');
    state.q = p.get('q') || '';
    state.sort = p.get('sort') || 'severity';
    state.view = p.get('view') || 'findings';
    state.selected = p.get('finding');
  }
  function writeHash() {
    var p = new URLSearchParams();
    p.set('view', state.view);
    FACETS.forEach(function (k) { state[k].forEach(function (v) { p.append(k, v); }); });
    if (state.status.size === 0) p.set('status', '');
    if (state.q) p.set('q', state.q);
    if (state.sort !== 'severity') p.set('sort', state.sort);
    if (state.selected) p.set('finding', state.selected);
    history.replaceState(null, '', '#' + p.toString());
  }

  // ---------- filtering ----------
  function matches(f) {
    if (state.status.size && !state.status.has(f.status)) return false;
    if (state.severity.size && !state.severity.has(f.severity)) return false;
    if (state.category.size && !state.category.has(f.category)) return false;
    if (state.service.size && !state.service.has(f.service)) return false;
    if (state.check.size && !state.check.has(f.check_id)) return false;
    if (state.benchmark.size && !f._bench.some(function (b) { return state.benchmark.has(b); })) return false;
    if (state.quick.size && !f._quick.some(function (q) { return state.quick.has(q); })) return false;
    if (state.tag.size) {
      var ok = true;
      state.tag.forEach(function (t) {
        if (!ok) return;
        if (t.indexOf('=') >= 0) ok = f._tags.indexOf(t) >= 0;
        else if (t.charAt(0) === '!') ok = !(f.tags && Object.prototype.hasOwnProperty.call(f.tags, t.slice(1)));
        else ok = !!(f.tags && Object.prototype.hasOwnProperty.call(f.tags, t));
      });
      if (!ok) return false;
    }
    if (state.q) {
      var words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
      var text = searchText(f);
      for (var i = 0; i < words.length; i++) if (text.indexOf(words[i]) < 0) return false;
    }
    return true;
  }
  var SORTS = {
    severity: function (a, b) { return SEV_RANK[a.severity] - SEV_RANK[b.severity] || a._i - b._i; },
    check: function (a, b) { return a.check < b.check ? -1 : a.check > b.check ? 1 : a._i - b._i; },
    resource: function (a, b) { return a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : a._i - b._i; },
    service: function (a, b) { return a.service < b.service ? -1 : a.service > b.service ? 1 : SORTS.severity(a, b); }
  };
  var visible = [];
  function applyFilters() {
    visible = F.filter(matches);
    visible.sort(SORTS[state.sort] || SORTS.severity);
  }

  // ---------- layout ----------
  var app = document.getElementById('app');
  var ui = { countEls: {} };

  function header() {
    var collected = R.collected_at ? R.collected_at.replace('T', ' ').replace('Z', ' UTC') : 'unknown time';
    var tabs = [['findings', 'Findings'], ['iam', 'IAM insights'], ['checks', 'Checks']];
    if (R.coverage_gaps.length) tabs.push(['coverage', 'Coverage gaps (' + R.coverage_gaps.length + ')']);
    ui.tabs = {};
    var nav = el('nav', { class: 'tabs', role: 'tablist' }, tabs.map(function (t) {
      var b = el('button', { class: 'tab', role: 'tab', 'data-view': t[0], text: t[1], onclick: function () { show(t[0]); } });
      ui.tabs[t[0]] = b;
      return b;
    }));
    return el('header', { class: 'top' }, [
      el('div', { class: 'top-row' }, [
        el('div', { class: 'brand' }, [el('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'iamsight']),
        el('div', { class: 'meta' }, [
          el('span', null, ['Account ', el('b', { text: R.account_id })]),
          el('span', null, ['Partition ', el('b', { text: R.partition })]),
          el('span', null, ['Collected ', el('b', { text: collected })]),
          el('span', { text: R.tool + ' · ' + R.catalog })
        ])
      ]),
      nav
    ]);
  }

  function show(view) {
    state.view = view;
    Object.keys(ui.views).forEach(function (k) { ui.views[k].hidden = k !== view; });
    Object.keys(ui.tabs).forEach(function (k) { ui.tabs[k].setAttribute('aria-selected', k === view ? 'true' : 'false'); });
    if (view === 'iam') ensureIam();
    if (view === 'findings') renderRows();
    writeHash();
  }

  function summary() {
    var s = R.summary;
    var cards = [el('button', { class: 'card', title: 'Show every open finding (clears the filters)', onclick: function () {
      var view = state.view;
      state = defaultState();
      state.view = view;
      update();
    } }, [el('div', { class: 'n', text: fmt(s.open) }), el('div', { class: 'l', text: 'open findings' })])];
    ui.sevCards = {};
    SEVERITIES.forEach(function (sev) {
      var b = el('button', {
        class: 'card sev sev-' + sev, 'data-severity': sev, 'aria-pressed': 'false',
        title: 'Show only ' + sev + ' findings',
        onclick: function () { toggleOnly('severity', sev); }
      }, [el('div', { class: 'n', text: fmt(s.by_severity[sev] || 0) }), el('div', { class: 'l', text: sev })]);
      ui.sevCards[sev] = b;
      cards.push(b);
    });
    cards.push(el('button', { class: 'card', title: 'Show the suppressed findings', onclick: function () {
      state.status = new Set(['suppressed']);
      show('findings');
      update();
    } }, [el('div', { class: 'n', text: fmt(s.suppressed) }), el('div', { class: 'l', text: 'suppressed' })]));
    cards.push(el('div', { class: 'card' }, [el('div', { class: 'n', text: fmt(s.checks_run) }), el('div', { class: 'l', text: 'checks run' })]));
    return el('div', { class: 'summary' }, cards);
  }

  function breakdown(title, facet, counts, cols) {
    var entries = sortedEntries(new Map(Object.keys(counts).map(function (k) { return [k, counts[k]]; })));
    var max = entries.length ? entries[0][1] : 1;
    ui.bars = ui.bars || {};
    ui.bars[facet] = {};
    var bars = entries.map(function (e) {
      var b = el('button', {
        class: 'bar', 'aria-pressed': 'false', title: e[0] + ': ' + e[1] + ' open',
        onclick: function () { toggleOnly(facet, e[0]); }
      }, [
        el('span', { class: 'name' }, [el('span', { class: 'fill', style: 'width:' + Math.max(4, Math.round(100 * e[1] / max)) + '%' }), e[0]]),
        el('span', { class: 'count', text: fmt(e[1]) })
      ]);
      ui.bars[facet][e[0]] = b;
      return b;
    });
    return el('section', { class: 'panel' }, [el('h2', { text: title }), bars.length ? el('div', { class: 'bars', style: '--cols:' + cols }, bars) : el('div', { class: 'muted', text: 'No open findings.' })]);
  }

  function facetGroup(title, facet, values, labels) {
    var box = el('div', { class: 'group', 'data-facet': facet }, [el('h3', { text: title })]);
    var inputs = [];
    var extra = [];
    values.forEach(function (v, i) {
      var input = el('input', { type: 'checkbox', name: facet, value: v, 'data-testid': 'filter-' + facet + '-' + v, onchange: function () {
        if (input.checked) state[facet].add(v); else state[facet].delete(v);
        update();
      } });
      var n = (facetCounts[facet] && facetCounts[facet].get(v)) || 0;
      var c = el('span', { class: 'c', text: fmt(n) });
      (ui.countEls[facet] = ui.countEls[facet] || {})[v] = c;
      var opt = el('label', { class: 'opt' + (n ? '' : ' zero') }, [input, el('span', { class: 'lbl', text: (labels && labels[v]) || v, title: v }), c]);
      inputs.push(input);
      if (i >= FACET_LIMIT) { opt.hidden = true; extra.push(opt); }
      box.appendChild(opt);
    });
    if (!values.length) box.appendChild(el('div', { class: 'hint', text: 'none in this report' }));
    if (extra.length) {
      var more = el('button', { class: 'more', text: 'Show ' + extra.length + ' more', onclick: function () {
        extra.forEach(function (o) { o.hidden = false; });
        more.remove();
      } });
      box.appendChild(more);
    }
    ui.facetInputs[facet] = inputs;
    return box;
  }

  function keysByCount(m) { return sortedEntries(m).map(function (e) { return e[0]; }); }

  function filtersPanel() {
    ui.facetInputs = {};
    var tagList = el('datalist', { id: 'iamsight-tags' }, sortedEntries(tagCounts).slice(0, 500).map(function (e) { return el('option', { value: e[0] }); }));
    var tagInput = el('input', {
      class: 'tag-input', list: 'iamsight-tags', placeholder: 'owner=alice, owner, !owner', 'aria-label': 'Filter by tag',
      onkeydown: function (ev) {
        if (ev.key === 'Enter' && tagInput.value.trim()) {
          state.tag.add(tagInput.value.trim());
          tagInput.value = '';
          update();
        }
      }
    });
    var benchmarks = keysByCount(facetCounts.benchmark);
    return el('aside', { class: 'filters panel', 'aria-label': 'Filters' }, [
      facetGroup('Status', 'status', ['open', 'suppressed']),
      facetGroup('Severity', 'severity', SEVERITIES),
      facetGroup('Category', 'category', keysByCount(facetCounts.category)),
      facetGroup('Service', 'service', keysByCount(facetCounts.service)),
      facetGroup('Benchmark', 'benchmark', benchmarks),
      el('div', { class: 'group' }, [el('h3', { text: 'Tags' }), tagInput, tagList,
        el('div', { class: 'hint', text: 'Enter key=value, a key, or !key (tag missing).' })]),
      el('button', { class: 'reset', text: 'Reset filters', onclick: function () {
        var view = state.view;
        state = defaultState();
        state.view = view;
        update();
      } })
    ]);
  }

  function toolbar() {
    ui.search = el('input', { class: 'search', type: 'search', placeholder: 'Search findings: resource, check, message, evidence, policy…', 'aria-label': 'Search findings', 'data-testid': 'search' });
    var t = null;
    ui.search.addEventListener('input', function () {
      clearTimeout(t);
      t = setTimeout(function () { state.q = ui.search.value.trim(); update(); }, F.length > 20000 ? 220 : 60);
    });
    ui.sort = el('select', { class: 'sort', 'aria-label': 'Sort by', onchange: function () { state.sort = ui.sort.value; update(); } },
      [['severity', 'Sort: severity'], ['check', 'Sort: check'], ['resource', 'Sort: resource'], ['service', 'Sort: service']].map(function (o) {
        return el('option', { value: o[0], text: o[1] });
      }));
    ui.quick = {};
    ui.countEls.quick = {};
    var quick = el('div', { class: 'quick', role: 'group', 'aria-label': 'Quick filters' }, QUICK.map(function (q) {
      var b = el('button', { class: 'chip', 'aria-pressed': 'false', 'data-quick': q.id, onclick: function () {
        if (state.quick.has(q.id)) state.quick.delete(q.id); else state.quick.add(q.id);
        update();
      } }, [q.label, (ui.countEls.quick[q.id] = el('span', { class: 'c', text: fmt(facetCounts.quick.get(q.id) || 0) }))]);
      ui.quick[q.id] = b;
      return b;
    }));
    ui.countLine = el('div', { class: 'count-line', id: 'result-count', 'data-testid': 'result-count' });
    ui.active = el('div', { class: 'active' });
    return el('div', { class: 'toolbar' }, [el('div', { class: 'searchrow' }, [ui.search, ui.sort]), quick, el('div', { class: 'searchrow' }, [ui.countLine]), ui.active]);
  }

  function findingsView() {
    ui.list = el('div', { class: 'list', tabindex: '0', role: 'listbox', 'aria-label': 'Findings', 'data-testid': 'findings-list' });
    ui.spacer = el('div', { class: 'spacer' });
    ui.list.appendChild(ui.spacer);
    var scheduled = false;
    ui.list.addEventListener('scroll', function () {
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(function () { scheduled = false; renderRows(); });
    });
    ui.list.addEventListener('keydown', function (ev) {
      if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') return;
      ev.preventDefault();
      var i = visible.findIndex(function (f) { return f.id === state.selected; });
      i = ev.key === 'ArrowDown' ? Math.min(visible.length - 1, i + 1) : Math.max(0, i - 1);
      if (visible[i]) { select(visible[i].id); scrollIntoView(i); }
    });
    window.addEventListener('resize', function () { renderRows(); });
    ui.detail = el('aside', { class: 'detail panel', 'aria-label': 'Finding details', 'data-testid': 'detail' });
    var cats = {};
    Object.keys(R.summary.by_category).forEach(function (k) { cats[k] = R.summary.by_category[k]; });
    return el('section', { class: 'view', 'data-view': 'findings' }, [
      summary(),
      el('div', { class: 'breakdowns' }, [breakdown('Open by category', 'category', R.summary.by_category, 3), breakdown('Open by service', 'service', R.summary.by_service, 2)]),
      el('div', { class: 'layout' }, [filtersPanel(), el('section', { class: 'results panel' }, [toolbar(), ui.list]), ui.detail])
    ]);
  }

  function scrollIntoView(i) {
    var top = i * ROW_H, h = ui.list.clientHeight;
    if (top < ui.list.scrollTop) ui.list.scrollTop = top;
    else if (top + ROW_H > ui.list.scrollTop + h) ui.list.scrollTop = top + ROW_H - h;
  }

  // Only the rows on screen (plus a margin) are in the DOM.
  function renderRows() {
    if (!ui.list || ui.views.findings.hidden) return;
    ui.spacer.style.height = (visible.length * ROW_H) + 'px';
    clear(ui.spacer);
    if (!visible.length) {
      ui.spacer.style.height = 'auto';
      ui.spacer.appendChild(el('div', { class: 'empty', text: F.length ? 'No findings match these filters.' : 'No findings: every check passed.' }));
      return;
    }
    var h = ui.list.clientHeight || 600;
    var first = Math.max(0, Math.floor(ui.list.scrollTop / ROW_H) - 8);
    var last = Math.min(visible.length, Math.ceil((ui.list.scrollTop + h) / ROW_H) + 8);
    for (var i = first; i < last; i++) ui.spacer.appendChild(row(visible[i], i));
  }

  function row(f, i) {
    var c = checks.get(f.check_id);
    var sub = shortName(f.resource) + ' · ' + f.message;
    return el('div', {
      class: 'row' + (f.status === 'suppressed' ? ' suppressed' : ''), role: 'option', 'data-testid': 'finding-row',
      'data-severity': f.severity, 'data-status': f.status, 'data-id': f.id,
      'aria-selected': f.id === state.selected ? 'true' : 'false', style: 'top:' + (i * ROW_H) + 'px',
      onclick: function () { select(f.id); }
    }, [
      el('span', { class: 'badge ' + f.severity, text: f.severity }),
      el('div', null, [
        el('div', { class: 't', title: c ? c.title : f.check, text: (c ? c.title : f.check) + (f.status === 'suppressed' ? ' (suppressed)' : '') }),
        el('div', { class: 's', title: f.resource + '\n' + f.message, text: sub })
      ])
    ]);
  }

  function select(id) {
    state.selected = id;
    Array.prototype.forEach.call(ui.spacer.children, function (r) {
      if (r.getAttribute('data-id')) r.setAttribute('aria-selected', r.getAttribute('data-id') === id ? 'true' : 'false');
    });
    renderDetail();
    writeHash();
  }

  function renderDetail() {
    clear(ui.detail);
    var f = null;
    for (var i = 0; i < F.length && state.selected; i++) if (F[i].id === state.selected) { f = F[i]; break; }
    if (!f) {
      ui.detail.appendChild(el('div', { class: 'placeholder' }, [
        el('p', { text: 'Select a finding to see its evidence, remediation and references.' }),
        el('p', { class: 'muted', text: 'Use ↑ and ↓ in the list to move between findings.' })
      ]));
      return;
    }
    var c = checks.get(f.check_id) || { title: f.check, rationale: '', remediation: '', references: [], compliance: [] };
    var kv = el('dl', { class: 'kv' });
    function add(k, v) { if (v) { kv.appendChild(el('dt', { text: k })); kv.appendChild(el('dd', null, [v])); } }
    add('Resource', el('span', { class: 'mono', text: f.resource }));
    add('Type', f.resource_type);
    add('Region', f.region || '');
    add('Account', R.account_id);
    add('Service', f.service);
    add('Category', f.category);
    add('Check', el('span', null, [el('span', { class: 'mono', text: f.check_id + ' ' + f.check }), ' ',
      el('button', { class: 'linkish', text: 'all findings of this check', onclick: function () {
        state.check = new Set([f.check_id]);
        update();
      } })]));
    add('Finding id', el('span', { class: 'mono', text: f.id }));
    var parts = [
      el('div', null, [el('span', { class: 'badge ' + f.severity, text: f.severity }), ' ',
        el('span', { class: 'badge status ' + f.status, text: f.status })]),
      el('h2', { class: 'title', text: c.title }),
      el('p', { class: 'msg', text: f.message })
    ];
    if (f.status === 'suppressed') parts.push(el('div', { class: 'suppression-note', text: 'Suppressed: ' + (f.suppression || 'no reason given') }));
    parts.push(kv);
    if (f._tags.length) {
      parts.push(el('h3', { text: 'Tags' }));
      parts.push(el('div', { class: 'tags' }, f._tags.map(function (t) { return el('span', { class: 'tagpill', text: t }); })));
    }
    parts.push(el('h3', { text: 'Evidence' }));
    parts.push(el('ul', { class: 'evidence' }, f.evidence.map(function (e) {
      var where = [];
      if (e.policy) where.push('policy ' + e.policy);
      if (e.statement !== undefined && e.statement !== null) where.push('statement ' + e.statement);
      if (e.sid) where.push('Sid "' + e.sid + '"');
      return el('li', null, [el('span', { class: 'k', text: e.kind }), e.text, where.length ? el('span', { class: 'p mono', text: where.join(' · ') }) : null]);
    })));
    parts.push(el('h3', { text: 'Remediation' }));
    parts.push(el('div', { class: 'remediation', text: c.remediation || 'See the references.' }));
    if (c.rationale) {
      parts.push(el('h3', { text: 'Why it matters' }));
      parts.push(el('p', { text: c.rationale }));
    }
    if (c.compliance && c.compliance.length) {
      parts.push(el('h3', { text: 'Compliance' }));
      parts.push(el('div', { class: 'tags' }, c.compliance.map(function (t) { return el('span', { class: 'tagpill', text: t }); })));
    }
    if (c.references && c.references.length) {
      parts.push(el('h3', { text: 'References' }));
      parts.push(el('ul', { class: 'refs' }, c.references.map(function (r) {
        var safe = /^https?:\/\//.test(r);
        return el('li', null, [safe ? el('a', { href: r, target: '_blank', rel: 'noopener noreferrer', text: r }) : r]);
      })));
    }
    parts.forEach(function (p) { ui.detail.appendChild(p); });
  }

  // Every control reflects the state.
  function syncControls() {
    refreshCounts();
    Object.keys(ui.facetInputs).forEach(function (facet) {
      ui.facetInputs[facet].forEach(function (input) {
        input.checked = state[facet].has(input.value);
        if (input.checked) input.closest('label').hidden = false;
      });
    });
    SEVERITIES.forEach(function (s) {
      ui.sevCards[s].setAttribute('aria-pressed', state.severity.size === 1 && state.severity.has(s) ? 'true' : 'false');
    });
    ['category', 'service'].forEach(function (facet) {
      Object.keys(ui.bars[facet]).forEach(function (k) {
        ui.bars[facet][k].setAttribute('aria-pressed', state[facet].size === 1 && state[facet].has(k) ? 'true' : 'false');
      });
    });
    QUICK.forEach(function (q) { ui.quick[q.id].setAttribute('aria-pressed', state.quick.has(q.id) ? 'true' : 'false'); });
    if (ui.search.value.trim() !== state.q) ui.search.value = state.q;
    ui.sort.value = state.sort;
    clear(ui.active);
    var pills = [];
    ['tag', 'check'].forEach(function (facet) {
      state[facet].forEach(function (v) {
        pills.push(el('span', { class: 'pill' }, [facet + ': ' + v, el('button', { 'aria-label': 'Remove ' + facet + ' ' + v, text: '×', onclick: function () {
          state[facet].delete(v);
          update();
        } })]));
      });
    });
    pills.forEach(function (p) { ui.active.appendChild(p); });
    clear(ui.countLine);
    ui.countLine.setAttribute('data-count', String(visible.length));
    ui.countLine.appendChild(el('span', null, ['Showing ', el('b', { text: fmt(visible.length) }), ' of ' + fmt(F.length) + ' findings']));
  }

  function update() {
    applyFilters();
    syncControls();
    ui.list.scrollTop = 0;
    renderRows();
    renderDetail();
    writeHash();
  }

  function toggleOnly(facet, value) {
    if (state[facet].size === 1 && state[facet].has(value)) state[facet].clear();
    else state[facet] = new Set([value]);
    show('findings');
    update();
  }

  // ---------- IAM insights ----------
  // A path-step evidence line reads: "FROM → TO via METHOD (ACTIONS)[ [conditional]]".
  var STEP_RE = /^(.+?) → (.+?) via (\S+) \((.*)\)( \[conditional\])?$/;
  function escalationPaths() {
    return F.filter(function (f) { return f.check === ESCALATION_CHECK; }).map(function (f) {
      var steps = [];
      f.evidence.forEach(function (e) {
        if (e.kind === 'path-step') {
          var m = STEP_RE.exec(e.text);
          if (m) steps.push({ from: m[1], to: m[2], method: m[3], actions: m[4], conditional: !!m[5], statements: [] });
        } else if (e.kind === 'statement' && steps.length) {
          steps[steps.length - 1].statements.push(e);
        }
      });
      return { finding: f, steps: steps };
    }).filter(function (p) { return p.steps.length; });
  }

  var ADMIN = '__admin__';
  function escalationGraph(paths) {
    var nodes = new Map();
    var edges = [];
    var seen = new Set();
    function node(id, role) {
      var n = nodes.get(id);
      if (!n) { n = { id: id, role: role, out: [], inc: [] }; nodes.set(id, n); }
      else if (role === 'start' && n.role !== 'start') n.role = n.role === 'target' ? 'start' : n.role;
      return n;
    }
    function edge(from, to, label, cls) {
      var key = from + '\u0000' + to + '\u0000' + label;
      if (seen.has(key)) return;
      seen.add(key);
      var e = { from: from, to: to, label: label, cls: cls };
      edges.push(e);
      nodes.get(from).out.push(e);
      nodes.get(to).inc.push(e);
    }
    node(ADMIN, 'admin');
    paths.forEach(function (p) {
      node(p.steps[0].from, 'start');
      p.steps.forEach(function (s, i) {
        node(s.from, i === 0 ? 'start' : 'mid');
        node(s.to, 'target');
        edge(s.from, s.to, s.method, s.conditional ? 'cond' : '');
      });
      edge(p.steps[p.steps.length - 1].to, ADMIN, '', 'admin');
    });
    // Layers: shortest distance from a starting principal; admin goes last.
    var layer = new Map();
    var queue = [];
    nodes.forEach(function (n) { if (n.role === 'start') { layer.set(n.id, 0); queue.push(n.id); } });
    while (queue.length) {
      var id = queue.shift();
      nodes.get(id).out.forEach(function (e) {
        if (e.to !== ADMIN && !layer.has(e.to)) { layer.set(e.to, layer.get(id) + 1); queue.push(e.to); }
      });
    }
    var maxLayer = 0;
    layer.forEach(function (l) { maxLayer = Math.max(maxLayer, l); });
    layer.set(ADMIN, maxLayer + 1);
    var columns = [];
    nodes.forEach(function (n) {
      var l = layer.has(n.id) ? layer.get(n.id) : 0;
      n.layer = l;
      (columns[l] = columns[l] || []).push(n);
    });
    // Order each column by the mean position of its predecessors, to keep edges short.
    columns.forEach(function (col, l) {
      if (l === 0) { col.sort(function (a, b) { return a.id < b.id ? -1 : 1; }); }
      else {
        col.forEach(function (n) {
          var ys = n.inc.map(function (e) { return nodes.get(e.from).row; }).filter(function (y) { return y !== undefined; });
          n.bary = ys.length ? ys.reduce(function (a, b) { return a + b; }, 0) / ys.length : 0;
        });
        col.sort(function (a, b) { return a.bary - b.bary; });
      }
      col.forEach(function (n, i) { n.row = i; });
    });
    return { nodes: nodes, edges: edges, columns: columns };
  }

  function drawGraph(g) {
    var W = 230, H = 44, GAPY = 26, PAD = 20;
    var longest = 0;
    g.edges.forEach(function (e) { longest = Math.max(longest, e.label.length + (e.cls === 'cond' ? 14 : 0)); });
    var GAPX = Math.max(120, 24 + longest * 7);
    var rows = Math.max.apply(null, g.columns.map(function (c) { return c.length; }));
    var height = PAD * 2 + rows * H + (rows - 1) * GAPY;
    var width = PAD * 2 + g.columns.length * W + (g.columns.length - 1) * GAPX;
    g.columns.forEach(function (col) {
      var colH = col.length * H + (col.length - 1) * GAPY;
      var top = (height - colH) / 2;
      col.forEach(function (n, i) { n.x = PAD + n.layer * (W + GAPX); n.y = top + i * (H + GAPY); });
    });
    var root = svg('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': 'Privilege escalation paths', 'data-testid': 'escalation-graph' });
    root.appendChild(svg('defs', {}, [
      svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' }, [svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#7c8597' })]),
      svg('marker', { id: 'arrow-admin', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' }, [svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#a4133c' })])
    ]));
    var edgeLayer = svg('g', {});
    var nodeLayer = svg('g', {});
    root.appendChild(edgeLayer);
    root.appendChild(nodeLayer);
    g.edges.forEach(function (e) {
      var a = g.nodes.get(e.from), b = g.nodes.get(e.to);
      var d, lx, ly;
      if (b.layer > a.layer) {
        var x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x - 2, y2 = b.y + H / 2, mx = (x1 + x2) / 2;
        d = 'M' + x1 + ',' + y1 + ' C' + mx + ',' + y1 + ' ' + mx + ',' + y2 + ' ' + x2 + ',' + y2;
        // Labels sit by the source, on the side the curve leaves free.
        var k = Math.max(0, a.out.filter(function (o) { return o.cls !== 'admin'; }).indexOf(e));
        lx = x1 + 10;
        ly = y2 < y1 - 1 ? y1 + 15 + k * 13 : y1 - 6 - k * 13;
      } else {
        // same column or backwards (a cycle): arc below the boxes
        var sx = a.x + W / 2, sy = a.y + H, tx = b.x + W / 2 + 8, ty = b.y + H + 2, low = Math.max(sy, ty) + 34;
        d = 'M' + sx + ',' + sy + ' C' + sx + ',' + low + ' ' + tx + ',' + low + ' ' + tx + ',' + ty;
        lx = (sx + tx) / 2; ly = low + 12;
      }
      var grp = svg('g', { class: 'edge ' + e.cls });
      grp.appendChild(svg('path', { d: d, 'marker-end': e.cls === 'admin' ? 'url(#arrow-admin)' : 'url(#arrow)' }));
      if (e.label) grp.appendChild(svg('text', { x: lx, y: ly, 'text-anchor': b.layer > a.layer ? 'start' : 'middle' }, [e.label + (e.cls === 'cond' ? ' (conditional)' : '')]));
      edgeLayer.appendChild(grp);
    });
    var COLORS = { start: ['#fff4e6', '#d9480f'], mid: ['#f1f3f5', '#868e96'], target: ['#fdecef', '#a4133c'], admin: ['#a4133c', '#7a0e2c'] };
    g.nodes.forEach(function (n) {
      var col = COLORS[n.role] || COLORS.mid;
      var label = n.id === ADMIN ? 'Administrator access' : shortName(n.id);
      var kind = n.id === ADMIN ? 'full control of the account' : (arnKind(n.id) || 'principal');
      if (label.length > 30) label = label.slice(0, 29) + '…';
      var grp = svg('g', { class: 'node', transform: 'translate(' + n.x + ',' + n.y + ')', 'data-node': n.id, tabindex: '0' }, [
        svg('title', {}, [n.id === ADMIN ? 'Administrator access' : n.id]),
        svg('rect', { width: W, height: H, rx: 8, fill: col[0], stroke: col[1] }),
        svg('text', { x: 12, y: 19, fill: n.role === 'admin' ? '#fff' : undefined, style: n.role === 'admin' ? 'fill:#fff;font-weight:600' : 'font-weight:600' }, [label]),
        svg('text', { x: 12, y: 34, class: 'sub', style: n.role === 'admin' ? 'fill:#ffd8df' : '' }, [kind])
      ]);
      if (n.id !== ADMIN) {
        grp.addEventListener('click', function () {
          var view = 'findings';
          state = defaultState();
          state.q = n.id;
          show(view);
          update();
        });
      }
      nodeLayer.appendChild(grp);
    });
    return root;
  }

  // Long lists are drawn a page at a time.
  var PAGE = 100;
  function paged(container, items, draw) {
    var shown = 0;
    var more = el('button', { class: 'more', onclick: next });
    function next() {
      var end = Math.min(items.length, shown + PAGE);
      for (; shown < end; shown++) container.appendChild(draw(items[shown]));
      more.textContent = 'Show ' + Math.min(PAGE, items.length - shown) + ' more of ' + fmt(items.length - shown);
      more.hidden = shown >= items.length;
    }
    next();
    return more;
  }

  var MAX_GRAPH_PATHS = 40;
  function escalationPanel() {
    var paths = escalationPaths();
    var panel = el('section', { class: 'panel', 'data-testid': 'escalation' }, [el('h2', { text: 'Privilege escalation paths to admin' })]);
    if (!paths.length) {
      panel.appendChild(el('p', { class: 'muted', text: F.some(function (f) { return f.check === ESCALATION_CHECK; }) ? 'Escalation findings have no path steps to draw.' : 'No principal can escalate to admin.' }));
      return panel;
    }
    var drawn = paths.slice(0, MAX_GRAPH_PATHS);
    panel.appendChild(el('p', { class: 'muted', text: fmt(paths.length) + ' principal(s) can make themselves administrator' +
      (drawn.length < paths.length ? ' (the graph shows the first ' + drawn.length + '; all are listed below)' : '') +
      '. Each arrow is one step, labelled with the method that takes it; click a principal to see all its findings.' }));
    panel.appendChild(el('div', { class: 'graph-wrap' }, [drawGraph(escalationGraph(drawn))]));
    panel.appendChild(el('div', { class: 'legend' }, [
      el('span', null, [el('i', { style: 'background:#fff4e6;border-color:#d9480f' }), 'can escalate']),
      el('span', null, [el('i', { style: 'background:#fdecef;border-color:#a4133c' }), 'reached (admin, or grants admin)']),
      el('span', null, [el('i', { style: 'background:#f1f3f5;border-color:#868e96' }), 'intermediate']),
      el('span', null, ['dashed arrow: the step depends on conditions the snapshot cannot settle'])
    ]));
    panel.appendChild(el('h3', { text: 'Paths', style: 'margin-top:14px' }));
    var list = el('ul', { class: 'paths' });
    panel.appendChild(list);
    panel.appendChild(paged(list, paths, function (p) {
      return el('li', null, [
        el('span', { class: 'badge ' + p.finding.severity, text: p.finding.severity }), ' ',
        el('b', { text: shortName(p.finding.resource) }), ' ', el('span', { class: 'muted', text: p.finding.message }),
        el('ol', { class: 'steps' }, p.steps.map(function (s) {
          return el('li', null, [
            el('span', { class: 'mono', text: shortName(s.from) + ' → ' + shortName(s.to) }), ' via ', el('b', { text: s.method }),
            ' (', el('span', { class: 'mono', text: s.actions }), ')', s.conditional ? ' — conditional' : '',
            s.statements.length ? el('div', { class: 'muted', text: 'granted by ' + s.statements.map(function (st) {
              return shortName(st.policy || '') + ' statement ' + st.statement + (st.sid ? ' (' + st.sid + ')' : '');
            }).join('; ') }) : null
          ]);
        }))
      ]);
    }));
    return panel;
  }

  function unusedPanel() {
    var unused = F.filter(function (f) { return f.check === UNUSED_PERMISSIONS_CHECK; });
    var panel = el('section', { class: 'panel', 'data-testid': 'unused-permissions' }, [el('h2', { text: 'Unused permissions by principal' })]);
    if (!unused.length) {
      panel.appendChild(el('p', { class: 'muted', text: 'No principal holds permissions that are confidently unused (or no last-accessed data was collected).' }));
      return panel;
    }
    panel.appendChild(el('p', { class: 'muted', text: 'Only actions AWS tracks at action level (tracked-unused) or whole services never used (service-unused) are listed; untracked actions and grants younger than the window are never called unused. The suggested policy keeps everything used or untracked, every condition, resource scope and Deny, and never allows more than today (`iamsight suggest` has the full form: diff, Terraform, what was kept and why).' }));
    var suggestions = new Map((R.suggestions || []).map(function (s) { return [s.principal, s]; }));
    var tbody = el('tbody');
    panel.appendChild(el('table', { class: 'grid' }, [
      el('thead', null, [el('tr', null, ['Principal', 'Summary', 'Confidence', 'Unused permissions', 'Suggested policy'].map(function (h) { return el('th', { text: h }); }))]),
      tbody
    ]));
    panel.appendChild(paged(tbody, unused, function (f) {
      var byKind = countBy(f.evidence.filter(function (e) { return e.kind !== 'more'; }), function (e) { return e.kind; });
      var list = el('ul');
      var details = el('details', { ontoggle: function () {
        if (details.open && !list.firstChild) f.evidence.forEach(function (e) { list.appendChild(el('li', { text: e.text })); });
      } }, [el('summary', { text: 'show ' + f.evidence.length }), list]);
      return el('tr', null, [
        el('td', null, [el('b', { text: shortName(f.resource) }), el('div', { class: 'mono muted', text: f.resource })]),
        el('td', { text: f.message }),
        el('td', { class: 'mono', text: sortedEntries(byKind).map(function (e) { return e[0] + ' ' + e[1]; }).join(', ') }),
        el('td', null, [details]),
        el('td', null, [suggestionCell(suggestions.get(f.resource))])
      ]);
    }));
    return panel;
  }

  // The suggested documents for one principal, drawn when opened.
  function suggestionCell(s) {
    if (!s) return el('span', { class: 'muted', text: 'none' });
    var body = el('div', { 'data-testid': 'suggested-policy' });
    var details = el('details', { ontoggle: function () {
      if (!details.open || body.firstChild) return;
      s.policies.forEach(function (p) {
        body.appendChild(el('div', { class: 'muted', text: p.name + ' (replaces ' + shortName(p.replaces) + ')' }));
        body.appendChild(el('pre', { class: 'policy', text: JSON.stringify(p.document, null, 2) }));
      });
      (s.notes || []).forEach(function (n) { body.appendChild(el('div', { class: 'muted', text: n })); });
    } }, [el('summary', { text: s.policies.length + ' polic' + (s.policies.length === 1 ? 'y' : 'ies') + ', drops ' + s.removed }), body]);
    return details;
  }

  // Drawn on first visit: a large report opens on the findings without paying for it.
  function iamView() {
    return el('section', { class: 'view insights', 'data-view': 'iam', hidden: true });
  }
  function ensureIam() {
    var v = ui.views.iam;
    if (v.firstChild) return;
    v.appendChild(escalationPanel());
    v.appendChild(unusedPanel());
  }

  function checksView() {
    var openBy = countBy(open, function (f) { return f.check_id; });
    var rows = R.checks.slice().sort(function (a, b) {
      return (openBy.get(b.id) || 0) - (openBy.get(a.id) || 0) || SEV_RANK[a.severity] - SEV_RANK[b.severity] || (a.id < b.id ? -1 : 1);
    }).map(function (c) {
      var n = openBy.get(c.id) || 0;
      return el('tr', { class: 'clickable', title: 'Show the findings of ' + c.name, onclick: function () {
        state = defaultState();
        state.check.add(c.id);
        show('findings');
        update();
      } }, [
        el('td', { class: 'mono nowrap', text: c.id }),
        el('td', null, [el('b', { text: c.title }), el('div', { class: 'mono muted', text: c.name })]),
        el('td', null, [el('span', { class: 'badge ' + c.severity, text: c.severity })]),
        el('td', { text: c.category }),
        el('td', { text: c.service }),
        el('td', { text: (c.compliance || []).join(', ') }),
        el('td', { class: 'num' }, [n ? el('b', { text: fmt(n) }) : el('span', { style: 'color:var(--ok)', text: 'pass' })])
      ]);
    });
    return el('section', { class: 'view', 'data-view': 'checks', hidden: true }, [el('section', { class: 'panel' }, [
      el('h2', { text: R.checks.length + ' checks ran' }),
      el('table', { class: 'grid' }, [
        el('thead', null, [el('tr', null, ['Id', 'Check', 'Severity', 'Category', 'Service', 'Compliance', 'Open'].map(function (h) { return el('th', { text: h }); }))]),
        el('tbody', null, rows)
      ])
    ])]);
  }

  function coverageView() {
    return el('section', { class: 'view', 'data-view': 'coverage', hidden: true }, [el('section', { class: 'panel' }, [
      el('h2', { text: 'Coverage gaps: not analysed' }),
      el('p', { class: 'muted', text: 'These parts of the account could not be read or are missing from the snapshot; findings that depend on them cannot appear in this report.' }),
      el('table', { class: 'grid' }, [
        el('thead', null, [el('tr', null, ['Operation', 'Region', 'Why'].map(function (h) { return el('th', { text: h }); }))]),
        el('tbody', null, R.coverage_gaps.map(function (g) {
          return el('tr', null, [el('td', { class: 'mono', text: g.operation }), el('td', { text: g.region || '' }), el('td', { text: g.message })]);
        }))
      ])
    ])]);
  }

  // ---------- start ----------
  readHash();
  var top = header();
  app.appendChild(top);
  if (R.coverage_gaps.length) {
    app.appendChild(el('div', { class: 'gap-banner' }, [
      R.coverage_gaps.length + ' part(s) of the account were not analysed. ',
      el('button', { text: 'See the coverage gaps', onclick: function () { show('coverage'); } })
    ]));
  }
  var main = el('main');
  ui.views = { findings: findingsView(), iam: iamView(), checks: checksView() };
  if (R.coverage_gaps.length) ui.views.coverage = coverageView();
  Object.keys(ui.views).forEach(function (k) { main.appendChild(ui.views[k]); });
  app.appendChild(main);
  app.appendChild(el('footer', { text: 'Generated by ' + R.tool + ' from a snapshot collected ' + (R.collected_at || 'at an unknown time') + '. Self-contained: this file loads nothing from the network.' }));
  applyFilters();
  syncControls();
  renderDetail();
  show(ui.views[state.view] ? state.view : 'findings');
  document.documentElement.setAttribute('data-ready', 'true');
})();
