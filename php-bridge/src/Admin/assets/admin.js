/*
 * mailcow-scim admin page (System > Configuration > Access > SCIM). Plain JavaScript on top of
 * mailcow's Bootstrap 5; every action is a JSON POST to the bridge's admin-api.php carrying
 * mailcow's CSRF token (window.csrf_token, set by admin.twig). Nothing is kept in the browser
 * except what is on screen; a new token's secret lives only in the "copy it now" dialog.
 */
(function () {
  'use strict';

  var root = document.getElementById('mailcow-scim-admin');
  if (!root) return;
  var endpoint = root.getAttribute('data-endpoint') || '/inc/mailcow-scim/admin-api.php';
  var state = { tokens: [], choices: { templates: [], domains: [] }, editing: null, eventsBefore: 0 };

  // ---- small DOM helpers ---------------------------------------------------------------
  function $(sel, from) { return (from || root).querySelector(sel); }
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'text') node.textContent = v;
      else if (k === 'className') node.className = v;
      else node.setAttribute(k, v === true ? '' : v);
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function alertBox(container, kind, message) {
    clear(container);
    if (message) container.appendChild(el('div', { className: 'alert alert-' + kind, role: 'alert', text: message }));
  }
  function when(iso) { return iso ? new Date(iso).toLocaleString() : 'never'; }
  function modal(id) {
    var node = document.getElementById(id);
    return window.bootstrap ? window.bootstrap.Modal.getOrCreateInstance(node) : null;
  }

  // Bootstrap ignores show() and hide() while a modal is still animating, and two modals open at
  // once fight over the backdrop: a dialog opened while another closes, or a button clicked while
  // its dialog fades in, would do nothing. So a dialog opens only once every other one has
  // finished closing, and data-state says when it is fully shown (its buttons then work).
  function showModal(id) {
    var others = Array.prototype.filter.call(document.querySelectorAll('.modal.show'), function (n) { return n.id !== id; });
    if (!others.length) { modal(id).show(); return; }
    others[0].addEventListener('hidden.bs.modal', function () { showModal(id); }, { once: true });
  }

  function trackModalState() {
    Array.prototype.forEach.call(root.querySelectorAll('.modal'), function (node) {
      node.addEventListener('shown.bs.modal', function () { node.setAttribute('data-state', 'shown'); });
      node.addEventListener('hide.bs.modal', function () { node.removeAttribute('data-state'); });
    });
  }

  // ---- API -----------------------------------------------------------------------------
  function api(action, params) {
    return fetch(endpoint, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': window.csrf_token || '' },
      body: JSON.stringify({ action: action, params: params || {} }),
    }).then(function (res) {
      return res.json().catch(function () { return { ok: false, error: { code: 'HTTP_' + res.status, message: 'The server answered HTTP ' + res.status + '.' } }; });
    }).then(function (body) {
      if (!body.ok) {
        var e = new Error(body.error && body.error.message ? body.error.message : 'Request failed.');
        e.code = body.error && body.error.code;
        e.scimType = body.error && body.error.scimType;
        e.problems = (body.error && body.error.problems) || [];
        throw e;
      }
      return body.data;
    });
  }

  // ---- status panel --------------------------------------------------------------------
  function statusRow(label, value, ok) {
    var badge = ok === undefined ? null : el('span', { className: 'badge me-2 ' + (ok ? 'bg-success' : 'bg-danger'), text: ok ? 'OK' : 'Problem' });
    return el('tr', { 'data-status': label }, el('th', { className: 'fw-normal text-muted', style: 'width: 40%', text: label }), el('td', {}, badge, value));
  }

  function renderOverview(o) {
    var alerts = $('#scim-status-alerts');
    var body = $('#scim-status-table tbody');
    clear(alerts);
    clear(body);
    var warnings = [];
    if (!o.sidecar.reachable) warnings.push(['danger', 'The SCIM sidecar is not reachable (' + o.sidecar.error + '). Provisioning and SCIM users\' logins do not work until it runs.']);
    if (o.status && !o.status.schema.writesAllowed) warnings.push(['danger', o.status.schema.problem || 'The sidecar refuses SCIM writes.']);
    if (o.login) o.login.warnings.forEach(function (w, i) { warnings.push([i === 0 && !o.login.identityProviderComplete ? 'danger' : 'warning', w]); });
    warnings.forEach(function (w) { alerts.appendChild(el('div', { className: 'alert alert-' + w[0], role: 'alert', 'data-warning': true, text: w[1] })); });
    // Bridge and sidecar of different versions: what it means, and the one command that fixes it.
    var v = o.versions;
    if (v && v.skew) {
      alerts.appendChild(el('div', { className: 'alert alert-warning', role: 'alert', 'data-warning': 'version-skew' }, v.problem,
        v.fix ? el('pre', { className: 'mb-0 mt-2 user-select-all', style: 'white-space: pre-wrap', 'data-fix': true, text: v.fix }) : null));
    }

    body.appendChild(statusRow('Sidecar', o.sidecar.reachable ? 'reachable at ' + o.sidecar.socket : 'not reachable at ' + o.sidecar.socket, o.sidecar.reachable));
    if (o.status) {
      var s = o.status.schema;
      body.appendChild(statusRow('Version', 'sidecar ' + o.status.version + ' (up ' + Math.round(o.status.uptimeSeconds / 60) + ' min), PHP bridge ' + (o.client.bridgeVersion || 'without a version'), v ? !v.skew : undefined));
      body.appendChild(statusRow('Database', o.status.databaseReachable ? 'reachable' : 'not reachable', o.status.databaseReachable));
      body.appendChild(statusRow("authsource 'scim'", s.authsourceHasScim ? "mailbox.authsource accepts 'scim'" : "mailbox.authsource lacks 'scim'", s.authsourceHasScim));
      body.appendChild(statusRow('Schema', 'mailcow_scim ' + s.pluginSchemaVersion + '/' + s.pluginSchemaTarget + (s.pluginSchemaAhead ? ' (newer than this sidecar)' : '') + ', mailcow ' + (s.mailcowDbSchema || 'unknown'), s.pluginSchemaVersion === s.pluginSchemaTarget));
    }
    if (o.login) {
      body.appendChild(statusRow('Identity provider', o.login.identityProvider ? o.login.identityProvider + (o.login.identityProviderComplete ? '' : ' (incomplete)') : 'none configured', o.login.identityProviderComplete));
      body.appendChild(statusRow('SCIM user login', o.login.summary));
      body.appendChild(statusRow('SCIM mailboxes', String(o.login.scimMailboxes)));
    }
    body.appendChild(statusRow('PHP bridge', 'PHP ' + o.client.php + ', libcurl ' + o.client.libcurl + (o.client.http2 ? '' : ' without HTTP/2') + (o.client.reusesConnections ? ', reused connections' : ', one connection per call'), o.client.http2));

    var list = $('#scim-install-list');
    clear(list);
    o.install.forEach(function (c) {
      list.appendChild(el('li', { className: 'list-group-item px-0', 'data-check': c.id },
        el('i', { className: 'bi me-2 ' + (c.ok ? 'bi-check-circle-fill text-success' : 'bi-exclamation-triangle-fill text-warning') }),
        c.detail, ' ', el('span', { className: 'text-muted', text: '(' + c.file + ')' })));
    });
  }

  function loadOverview() {
    return api('overview').then(renderOverview).catch(function (e) { alertBox($('#scim-status-alerts'), 'danger', e.message); });
  }

  // ---- tokens --------------------------------------------------------------------------
  function renderTokens() {
    var body = $('#scim-tokens-table tbody');
    clear(body);
    if (state.tokens.length === 0) {
      body.appendChild(el('tr', {}, el('td', { colspan: '6', className: 'text-muted', text: 'No tokens yet. Create one for each identity provider that should provision mailboxes.' })));
      return;
    }
    state.tokens.forEach(function (t) {
      var toggle = el('input', { className: 'form-check-input', type: 'checkbox', role: 'switch', 'data-action': 'toggle', 'aria-label': 'Active' });
      toggle.checked = t.active;
      var actions = el('div', { className: 'btn-group btn-group-sm' },
        el('button', { type: 'button', className: 'btn btn-outline-primary', 'data-action': 'edit', text: 'Edit' }),
        el('button', { type: 'button', className: 'btn btn-outline-secondary', 'data-action': 'rotate', text: 'Rotate' }),
        el('button', { type: 'button', className: 'btn btn-outline-danger', 'data-action': 'revoke', text: 'Revoke' }));
      body.appendChild(el('tr', { 'data-token-id': t.id, 'data-token-name': t.name, 'data-active': String(t.active) },
        el('td', { text: t.name }),
        el('td', {}, el('code', { text: t.prefix + '…' })),
        el('td', { text: t.policy.domains.join(', ') || '—' }),
        el('td', {}, el('div', { className: 'form-check form-switch mb-0' }, toggle)),
        el('td', { text: when(t.lastUsedAt) + (t.lastUsedIp ? ' from ' + t.lastUsedIp : '') }),
        el('td', { className: 'text-end' }, actions)));
    });
  }

  function loadTokens() {
    return api('tokens.list', { includeRevoked: $('#scim-show-revoked').checked })
      .then(function (d) { state.tokens = d.tokens; renderTokens(); alertBox($('#scim-tokens-alert'), 'danger', ''); })
      .catch(function (e) { alertBox($('#scim-tokens-alert'), 'danger', e.message); });
  }

  function tokenById(id) { return state.tokens.filter(function (t) { return t.id === id; })[0]; }

  function showSecret(secret) {
    $('#scim-secret-value').value = secret;
    $('#scim-base-url').textContent = window.location.origin + '/scim/v2';
    var copy = root.querySelector('[data-action="copy-secret"] span');
    copy.textContent = 'Copy';
    showModal('scim-secret-modal');
  }

  // ---- the policy form -----------------------------------------------------------------
  function option(value, label, selected) {
    var o = el('option', { value: value, text: label });
    o.selected = !!selected;
    return o;
  }

  function templateSelect(selected) {
    var s = el('select', { className: 'form-select form-select-sm', 'data-field': 'template' });
    var names = state.choices.templates.map(function (t) { return t.name; });
    if (selected && names.indexOf(selected) < 0) names.push(selected);
    names.forEach(function (n) { s.appendChild(option(n, n, n === selected)); });
    return s;
  }

  function addRuleRow(rule) {
    var row = el('div', { className: 'input-group input-group-sm mb-2', 'data-rule': true },
      el('input', { className: 'form-control font-monospace', 'data-field': 'filter', placeholder: 'SCIM filter', value: rule ? rule.filter : '' }),
      templateSelect(rule ? rule.template : (state.choices.templates[0] || {}).name),
      el('button', { type: 'button', className: 'btn btn-outline-danger', 'data-action': 'remove-rule', 'aria-label': 'Remove rule', text: '×' }));
    $('#scim-token-rules').appendChild(row);
  }

  function selectedDomains() {
    return Array.prototype.map.call(root.querySelectorAll('#scim-token-domains input:checked'), function (i) { return i.value; });
  }

  function refreshDefaultDomain(selected) {
    var s = $('#scim-token-default-domain');
    var current = selected !== undefined ? selected : s.value;
    clear(s);
    s.appendChild(option('', '(none: userNames must be addresses)', current === ''));
    selectedDomains().forEach(function (d) { s.appendChild(option(d, d, d === current)); });
  }

  function fillForm(t) {
    var p = t ? t.policy : { domains: [], defaultDomain: '', defaultTemplate: '', templateRules: [], onDeactivate: 'DEACTIVATE_MODE_DISALLOW_LOGIN', onDelete: 'DELETE_MODE_DEACTIVATE', aliasSync: true, ipAllowList: [], groupAddressFromName: false, groupSenderAcl: false, quotaSource: 'QUOTA_SOURCE_FORM' };
    $('#scim-token-modal-title').textContent = t ? 'Edit token “' + t.name + '”' : 'Create a SCIM token';
    $('#scim-token-save').textContent = t ? 'Save' : 'Create token';
    $('#scim-token-name').value = t ? t.name : '';
    alertBox($('#scim-token-form-alert'), 'danger', '');

    var box = $('#scim-token-domains');
    clear(box);
    var domains = state.choices.domains.map(function (d) { return d.name; });
    p.domains.forEach(function (d) { if (domains.indexOf(d) < 0) domains.push(d); });
    if (domains.length === 0) box.appendChild(el('div', { className: 'text-muted small', text: 'mailcow has no domains yet.' }));
    domains.forEach(function (d, i) {
      var id = 'scim-domain-' + i;
      var input = el('input', { className: 'form-check-input', type: 'checkbox', id: id, value: d });
      input.checked = p.domains.indexOf(d) >= 0;
      var inactive = state.choices.domains.some(function (x) { return x.name === d && !x.active; });
      box.appendChild(el('div', { className: 'form-check' }, input, el('label', { className: 'form-check-label', for: id, text: d + (inactive ? ' (inactive)' : '') })));
    });
    refreshDefaultDomain(p.defaultDomain);

    var tpl = $('#scim-token-default-template');
    clear(tpl);
    tpl.appendChild(option('', "mailcow's first template (Default)", !p.defaultTemplate));
    var names = state.choices.templates.map(function (x) { return x.name; });
    if (p.defaultTemplate && names.indexOf(p.defaultTemplate) < 0) names.push(p.defaultTemplate);
    names.forEach(function (n) { tpl.appendChild(option(n, n, n === p.defaultTemplate)); });

    clear($('#scim-token-rules'));
    p.templateRules.forEach(addRuleRow);

    root.querySelector('input[name="onDeactivate"][value="' + p.onDeactivate + '"]').checked = true;
    root.querySelector('input[name="onDelete"][value="' + p.onDelete + '"]').checked = true;
    $('#scim-token-alias-sync').checked = p.aliasSync;
    $('#scim-token-group-address').checked = p.groupAddressFromName;
    $('#scim-token-group-sender').checked = p.groupSenderAcl;
    $('#scim-token-quota-source').value = p.quotaSource || 'QUOTA_SOURCE_FORM';
    $('#scim-token-ips').value = p.ipAllowList.join('\n');
  }

  function readPolicy() {
    return {
      domains: selectedDomains(),
      defaultDomain: $('#scim-token-default-domain').value,
      defaultTemplate: $('#scim-token-default-template').value,
      templateRules: Array.prototype.map.call(root.querySelectorAll('#scim-token-rules [data-rule]'), function (r) {
        return { filter: $('[data-field="filter"]', r).value.trim(), template: $('[data-field="template"]', r).value };
      }),
      onDeactivate: root.querySelector('input[name="onDeactivate"]:checked').value,
      onDelete: root.querySelector('input[name="onDelete"]:checked').value,
      aliasSync: $('#scim-token-alias-sync').checked,
      groupAddressFromName: $('#scim-token-group-address').checked,
      groupSenderAcl: $('#scim-token-group-sender').checked,
      quotaSource: $('#scim-token-quota-source').value,
      ipAllowList: $('#scim-token-ips').value.split(/[\s,]+/).filter(Boolean),
    };
  }

  function openForm(t) {
    state.editing = t || null;
    return api('choices').then(function (c) { state.choices = c; }, function () { /* show the form with what we have */ })
      .then(function () { fillForm(state.editing); showModal('scim-token-modal'); });
  }

  function saveForm(ev) {
    ev.preventDefault();
    var name = $('#scim-token-name').value.trim();
    if (!name) { alertBox($('#scim-token-form-alert'), 'danger', 'Give the token a name.'); return; }
    var button = $('#scim-token-save');
    button.disabled = true;
    var t = state.editing;
    // UpdateToken replaces the policy whole: start from the stored one so that fields this form
    // does not show (added to the proto later) keep their values.
    var policy = Object.assign({}, t ? t.policy : {}, readPolicy());
    var call = t
      ? api('tokens.update', { id: t.id, name: name, policy: policy })
      : api('tokens.create', { name: name, policy: policy });
    call.then(function (d) {
      modal('scim-token-modal').hide();
      if (d.secret) showSecret(d.secret);
      return loadTokens();
    }).catch(function (e) {
      alertBox($('#scim-token-form-alert'), 'danger', e.message + (e.scimType ? ' (' + e.scimType + ')' : ''));
      markRuleProblems(e.problems || []);
    }).then(function () { button.disabled = false; });
  }

  // A refused template rule is marked where it is: the rule's filter field, the sidecar's reason,
  // the filter with a caret under the offending character, and the cursor placed there.
  function clearRuleProblems() {
    Array.prototype.forEach.call(root.querySelectorAll('#scim-token-rules [data-rule-error]'), function (n) { n.remove(); });
    Array.prototype.forEach.call(root.querySelectorAll('#scim-token-rules .is-invalid'), function (n) { n.classList.remove('is-invalid'); });
  }

  function markRuleProblems(problems) {
    clearRuleProblems();
    var rows = root.querySelectorAll('#scim-token-rules [data-rule]');
    var first = null;
    problems.forEach(function (p) {
      if (typeof p.ruleIndex !== 'number' || !rows[p.ruleIndex]) return;
      var row = rows[p.ruleIndex];
      var input = $('[data-field="' + (/\.template$/.test(p.field) ? 'template' : 'filter') + '"]', row);
      input.classList.add('is-invalid');
      var note = el('div', { className: 'invalid-feedback d-block mb-2', 'data-rule-error': String(p.ruleIndex) },
        el('div', { text: 'Rule ' + (p.ruleIndex + 1) + (typeof p.offset === 'number' ? ', character ' + (p.offset + 1) : '') + ': ' + p.message }));
      if (p.excerpt) note.appendChild(el('pre', { className: 'mb-0 small', text: p.excerpt }));
      row.insertAdjacentElement('afterend', note);
      if (!first) first = { input: input, offset: p.offset, note: note };
    });
    if (first) {
      first.input.focus();
      if (typeof first.offset === 'number' && first.input.setSelectionRange) first.input.setSelectionRange(first.offset, first.offset + 1);
      first.note.scrollIntoView({ block: 'nearest' });
    }
  }

  function confirmThen(title, text, label, fn) {
    $('#scim-confirm-title').textContent = title;
    $('#scim-confirm-body').textContent = text;
    var ok = $('#scim-confirm-ok');
    ok.textContent = label;
    ok.onclick = function () { modal('scim-confirm-modal').hide(); fn(); };
    showModal('scim-confirm-modal');
  }

  function onTokenAction(ev) {
    var button = ev.target.closest('[data-action]');
    var row = ev.target.closest('tr[data-token-id]');
    if (!button || !row) return;
    var t = tokenById(row.getAttribute('data-token-id'));
    var action = button.getAttribute('data-action');
    // The switch reports through its change event only (a click would act twice).
    if (action === 'toggle' && ev.type !== 'change') return;
    var fail = function (e) { alertBox($('#scim-tokens-alert'), 'danger', e.message); return loadTokens(); };
    if (action === 'edit') openForm(t);
    if (action === 'toggle') {
      api('tokens.update', { id: t.id, active: button.checked }).then(loadTokens, fail);
    }
    if (action === 'rotate') {
      confirmThen('Rotate “' + t.name + '”?', 'A new token replaces the current one at once; the identity provider must be given the new token.', 'Rotate', function () {
        api('tokens.rotate', { id: t.id }).then(function (d) { showSecret(d.secret); return loadTokens(); }, fail);
      });
    }
    if (action === 'revoke') {
      confirmThen('Revoke “' + t.name + '”?', 'The identity provider using this token can no longer provision. Mailboxes it created stay as they are. This cannot be undone.', 'Revoke', function () {
        api('tokens.revoke', { id: t.id }).then(loadTokens, fail);
      });
    }
  }

  // ---- events --------------------------------------------------------------------------
  function renderEvents(events, append) {
    var body = $('#scim-events-table tbody');
    if (!append) clear(body);
    if (!append && events.length === 0) body.appendChild(el('tr', {}, el('td', { colspan: '9', className: 'text-muted', text: 'No SCIM events yet.' })));
    events.forEach(function (e) {
      var token = tokenById(e.tokenId);
      var ok = e.outcome === 'success' || e.outcome === 'ok';
      body.appendChild(el('tr', { 'data-event-id': String(e.id) },
        el('td', { className: 'text-nowrap', text: when(e.at) }),
        el('td', { text: token ? token.name : (e.tokenId ? e.tokenId.slice(0, 8) : '—') }),
        el('td', { text: e.operation }),
        el('td', { text: [e.resourceType, e.resourceId ? e.resourceId.slice(0, 8) : ''].filter(Boolean).join(' ') || '—' }),
        el('td', { text: e.mailbox || '—' }),
        el('td', {}, el('span', { className: 'badge ' + (ok ? 'bg-success' : 'bg-danger'), text: e.outcome })),
        el('td', { text: e.status ? String(e.status) : '' }),
        el('td', { className: 'small', text: e.detail }),
        el('td', { text: e.clientIp })));
    });
  }

  function loadEvents(more) {
    return api('events', { limit: 50, beforeId: more ? state.eventsBefore : 0 }).then(function (d) {
      renderEvents(d.events, more);
      state.eventsBefore = d.nextBeforeId;
      $('[data-action="more-events"]').classList.toggle('d-none', !d.nextBeforeId);
      alertBox($('#scim-events-alert'), 'danger', '');
    }).catch(function (e) { alertBox($('#scim-events-alert'), 'danger', e.message); });
  }

  function loadAll() {
    return Promise.all([loadOverview(), loadTokens().then(function () { return loadEvents(false); })]);
  }

  // ---- wiring --------------------------------------------------------------------------
  function wire() {
    root.addEventListener('click', function (ev) {
      var b = ev.target.closest('[data-action]');
      if (!b) return;
      var a = b.getAttribute('data-action');
      if (a === 'refresh') loadAll();
      else if (a === 'create-token') openForm(null);
      else if (a === 'add-rule') addRuleRow(null);
      else if (a === 'remove-rule') b.closest('[data-rule]').remove();
      else if (a === 'reload-events') loadEvents(false);
      else if (a === 'more-events') loadEvents(true);
      else if (a === 'copy-secret') {
        var input = $('#scim-secret-value');
        var done = function () { b.querySelector('span').textContent = 'Copied'; };
        if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(input.value).then(done, function () { input.select(); document.execCommand('copy'); done(); });
        else { input.select(); document.execCommand('copy'); done(); }
      }
    });
    trackModalState();
    $('#scim-tokens-table').addEventListener('click', onTokenAction);
    $('#scim-tokens-table').addEventListener('change', function (ev) { if (ev.target.matches('[data-action="toggle"]')) onTokenAction(ev); });
    $('#scim-show-revoked').addEventListener('change', loadTokens);
    $('#scim-token-form').addEventListener('submit', saveForm);
    $('#scim-token-domains').addEventListener('change', function () { refreshDefaultDomain(); });
    // The secret leaves the page as soon as its dialog starts to close.
    document.getElementById('scim-secret-modal').addEventListener('hide.bs.modal', function () { $('#scim-secret-value').value = ''; });
    // Reload whenever the tab is opened again (whatever id the admin.twig hunk gave the pane).
    var pane = root.closest('.tab-pane');
    var tabButton = pane && pane.id ? document.querySelector('[data-bs-target="#' + pane.id + '"]') : null;
    if (tabButton) tabButton.addEventListener('shown.bs.tab', loadAll);
  }

  fetch(endpoint + '?asset=panel.html', { credentials: 'same-origin' })
    .then(function (res) {
      if (!res.ok) throw new Error('The SCIM page could not be loaded (HTTP ' + res.status + ').');
      return res.text();
    })
    .then(function (html) {
      root.innerHTML = html;
      wire();
      root.setAttribute('data-ready', 'true');
      return loadAll();
    })
    .catch(function (e) { alertBox(root, 'danger', e.message); });
})();
