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
  var state = { tokens: [], choices: { templates: [], domains: [] }, editing: null, eventsBefore: 0, groupsNext: 0, plan: null };
  // The page's strings in the admin's language (mailcow's session locale), English where a
  // translation lacks one: the bridge puts them into panel.html as JSON (Admin/Translations.php).
  var strings = {};

  /** A string by key, with {name} placeholders filled from args; the key itself when unknown. */
  function t(key, args) {
    var s = Object.hasOwn(strings, key) ? strings[key] : key;
    return s.replace(/\{([a-z_]+)\}/g, function (m, name) { return args && args[name] !== undefined ? String(args[name]) : m; });
  }

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
  function when(iso) { return iso ? new Date(iso).toLocaleString(strings._locale || undefined) : t('common.never'); }
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
      return res.json().catch(function () { return { ok: false, error: { code: 'HTTP_' + res.status, message: t('common.http_error', { status: res.status }) } }; });
    }).then(function (body) {
      if (!body.ok) {
        var e = new Error(body.error && body.error.message ? body.error.message : t('common.request_failed'));
        e.code = body.error && body.error.code;
        e.scimType = body.error && body.error.scimType;
        e.problems = (body.error && body.error.problems) || [];
        e.scimCode = body.error && body.error.scimCode;
        throw e;
      }
      return body.data;
    });
  }

  // ---- status panel --------------------------------------------------------------------
  function statusRow(label, value, ok) {
    var badge = ok === undefined ? null : el('span', { className: 'badge me-2 ' + (ok ? 'bg-success' : 'bg-danger'), text: ok ? t('status.ok') : t('status.problem') });
    return el('tr', { 'data-status': label }, el('th', { className: 'fw-normal text-muted', style: 'width: 40%', text: t('status.row_' + label) }), el('td', {}, badge, value));
  }

  function renderOverview(o) {
    var alerts = $('#scim-status-alerts');
    var body = $('#scim-status-table tbody');
    clear(alerts);
    clear(body);
    var warnings = [];
    if (!o.sidecar.reachable) warnings.push(['danger', t('status.unreachable', { error: o.sidecar.error })]);
    if (o.status && !o.status.schema.writesAllowed) warnings.push(['danger', o.status.schema.problem || t('status.writes_refused')]);
    if (o.login) o.login.warnings.forEach(function (w, i) { warnings.push([i === 0 && !o.login.identityProviderComplete ? 'danger' : 'warning', w]); });
    warnings.forEach(function (w) { alerts.appendChild(el('div', { className: 'alert alert-' + w[0], role: 'alert', 'data-warning': true, text: w[1] })); });
    // Bridge and sidecar of different versions: what it means, and the one command that fixes it.
    var v = o.versions;
    if (v && v.skew) {
      alerts.appendChild(el('div', { className: 'alert alert-warning', role: 'alert', 'data-warning': 'version-skew' }, v.problem,
        v.fix ? el('pre', { className: 'mb-0 mt-2 user-select-all', style: 'white-space: pre-wrap', 'data-fix': true, text: v.fix }) : null));
    }

    body.appendChild(statusRow('sidecar', t(o.sidecar.reachable ? 'status.reachable_at' : 'status.unreachable_at', { socket: o.sidecar.socket }), o.sidecar.reachable));
    if (o.status) {
      var s = o.status.schema;
      body.appendChild(statusRow('version', t('status.version_value', { sidecar: o.status.version, minutes: Math.round(o.status.uptimeSeconds / 60), bridge: o.client.bridgeVersion || t('status.no_version') }), v ? !v.skew : undefined));
      body.appendChild(statusRow('database', t(o.status.databaseReachable ? 'status.reachable' : 'status.not_reachable'), o.status.databaseReachable));
      body.appendChild(statusRow('authsource', t(s.authsourceHasScim ? 'status.authsource_ok' : 'status.authsource_missing'), s.authsourceHasScim));
      body.appendChild(statusRow('schema', 'mailcow_scim ' + s.pluginSchemaVersion + '/' + s.pluginSchemaTarget + (s.pluginSchemaAhead ? ' (' + t('status.schema_ahead') + ')' : '') + ', mailcow ' + (s.mailcowDbSchema || t('status.unknown')), s.pluginSchemaVersion === s.pluginSchemaTarget));
    }
    if (o.login) {
      body.appendChild(statusRow('idp', o.login.identityProvider ? o.login.identityProvider + (o.login.identityProviderComplete ? '' : ' (' + t('status.incomplete') + ')') : t('status.no_idp'), o.login.identityProviderComplete));
      body.appendChild(statusRow('login', o.login.summary));
      body.appendChild(statusRow('mailboxes', String(o.login.scimMailboxes)));
    }
    body.appendChild(statusRow('bridge', 'PHP ' + o.client.php + ', libcurl ' + o.client.libcurl + (o.client.http2 ? '' : ' ' + t('status.without_http2')) + ', ' + t(o.client.reusesConnections ? 'status.reused' : 'status.per_call'), o.client.http2));

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
      body.appendChild(el('tr', {}, el('td', { colspan: '6', className: 'text-muted', text: t('tokens.none') })));
      return;
    }
    state.tokens.forEach(function (tok) {
      var revoked = !!tok.revokedAt;
      // A revoked token can never change again (the sidecar refuses every change): no controls,
      // only what it was and since when it is revoked.
      var activeCell, actions;
      if (revoked) {
        activeCell = el('span', { className: 'badge bg-secondary', 'data-revoked-at': tok.revokedAt, text: t('tokens.revoked_on', { date: when(tok.revokedAt) }) });
        actions = el('span', { className: 'text-muted small', text: t('tokens.read_only') });
      } else {
        var toggle = el('input', { className: 'form-check-input', type: 'checkbox', role: 'switch', 'data-action': 'toggle', 'aria-label': t('tokens.col_active') });
        toggle.checked = tok.active;
        activeCell = el('div', { className: 'form-check form-switch mb-0' }, toggle);
        actions = el('div', { className: 'btn-group btn-group-sm' },
          el('button', { type: 'button', className: 'btn btn-outline-primary', 'data-action': 'edit', text: t('tokens.edit') }),
          el('button', { type: 'button', className: 'btn btn-outline-secondary', 'data-action': 'rotate', text: t('tokens.rotate') }),
          el('button', { type: 'button', className: 'btn btn-outline-danger', 'data-action': 'revoke', text: t('tokens.revoke') }));
      }
      body.appendChild(el('tr', { 'data-token-id': tok.id, 'data-token-name': tok.name, 'data-active': String(tok.active), 'data-revoked': revoked ? 'true' : null, className: revoked ? 'text-muted' : null },
        el('td', { text: tok.name }),
        el('td', {}, el('code', { text: tok.prefix + '…' })),
        el('td', { text: tok.policy.domains.join(', ') || '—' }),
        el('td', {}, activeCell),
        el('td', { text: when(tok.lastUsedAt) + (tok.lastUsedIp ? ' ' + t('tokens.from', { ip: tok.lastUsedIp }) : '') }),
        el('td', { className: 'text-end' }, actions)));
    });
  }

  function loadTokens() {
    return api('tokens.list', { includeRevoked: $('#scim-show-revoked').checked })
      .then(function (d) { state.tokens = d.tokens; renderTokens(); renderTokenChoices(); alertBox($('#scim-tokens-alert'), 'danger', ''); })
      .catch(function (e) { alertBox($('#scim-tokens-alert'), 'danger', e.message); });
  }

  function tokenById(id) { return state.tokens.filter(function (x) { return x.id === id; })[0]; }

  function showSecret(secret) {
    $('#scim-secret-value').value = secret;
    $('#scim-base-url').textContent = window.location.origin + '/scim/v2';
    var copy = root.querySelector('[data-action="copy-secret"] span');
    copy.textContent = t('secret.copy');
    showModal('scim-secret-modal');
  }

  // ---- the policy form -----------------------------------------------------------------
  function option(value, label, selected) {
    var o = el('option', { value: value, text: label });
    o.selected = !!selected;
    return o;
  }

  function templateSelect(selected) {
    var s = el('select', { className: 'form-select form-select-sm', 'data-field': 'template', 'aria-label': t('form.rule_template') });
    var names = state.choices.templates.map(function (t) { return t.name; });
    if (selected && names.indexOf(selected) < 0) names.push(selected);
    names.forEach(function (n) { s.appendChild(option(n, n, n === selected)); });
    return s;
  }

  function addRuleRow(rule) {
    var row = el('div', { className: 'input-group input-group-sm mb-2', 'data-rule': true },
      el('input', { className: 'form-control font-monospace', 'data-field': 'filter', placeholder: t('form.rule_filter'), value: rule ? rule.filter : '' }),
      templateSelect(rule ? rule.template : (state.choices.templates[0] || {}).name),
      el('button', { type: 'button', className: 'btn btn-outline-danger', 'data-action': 'remove-rule', 'aria-label': t('form.remove_rule'), text: '×' }));
    $('#scim-token-rules').appendChild(row);
  }

  function selectedDomains() {
    return Array.prototype.map.call(root.querySelectorAll('#scim-token-domains input:checked'), function (i) { return i.value; });
  }

  function refreshDefaultDomain(selected) {
    var s = $('#scim-token-default-domain');
    var current = selected !== undefined ? selected : s.value;
    clear(s);
    s.appendChild(option('', t('form.no_default_domain'), current === ''));
    selectedDomains().forEach(function (d) { s.appendChild(option(d, d, d === current)); });
  }

  function fillForm(tok) {
    var p = tok ? tok.policy : { domains: [], defaultDomain: '', defaultTemplate: '', templateRules: [], onDeactivate: 'DEACTIVATE_MODE_DISALLOW_LOGIN', onDelete: 'DELETE_MODE_DEACTIVATE', aliasSync: true, ipAllowList: [], groupAddressFromName: false, groupSenderAcl: false, quotaSource: 'QUOTA_SOURCE_FORM' };
    $('#scim-token-modal-title').textContent = tok ? t('form.edit_title', { name: tok.name }) : t('form.create_title');
    $('#scim-token-save').textContent = tok ? t('common.save') : t('tokens.create');
    $('#scim-token-name').value = tok ? tok.name : '';
    clearFieldProblems();

    var box = $('#scim-token-domains');
    clear(box);
    var domains = state.choices.domains.map(function (d) { return d.name; });
    p.domains.forEach(function (d) { if (domains.indexOf(d) < 0) domains.push(d); });
    if (domains.length === 0) box.appendChild(el('div', { className: 'text-muted small', text: t('form.no_domains') }));
    domains.forEach(function (d, i) {
      var id = 'scim-domain-' + i;
      var input = el('input', { className: 'form-check-input', type: 'checkbox', id: id, value: d });
      input.checked = p.domains.indexOf(d) >= 0;
      var inactive = state.choices.domains.some(function (x) { return x.name === d && !x.active; });
      box.appendChild(el('div', { className: 'form-check' }, input, el('label', { className: 'form-check-label', for: id, text: d + (inactive ? ' (' + t('form.inactive') + ')' : '') })));
    });
    refreshDefaultDomain(p.defaultDomain);

    var tpl = $('#scim-token-default-template');
    clear(tpl);
    tpl.appendChild(option('', t('form.first_template'), !p.defaultTemplate));
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

  function openForm(tok) {
    state.editing = tok || null;
    return api('choices').then(function (c) { state.choices = c; }, function () { /* show the form with what we have */ })
      .then(function () { fillForm(state.editing); showModal('scim-token-modal'); });
  }

  function saveForm(ev) {
    ev.preventDefault();
    clearFieldProblems();
    var name = $('#scim-token-name').value.trim();
    if (!name) { showFormProblems(t('form.name_required'), [{ field: 'name', message: t('form.name_required') }]); return; }
    var button = $('#scim-token-save');
    button.disabled = true;
    var tok = state.editing;
    // UpdateToken replaces the policy whole: start from the stored one so that fields this form
    // does not show (added to the proto later) keep their values.
    var policy = Object.assign({}, tok ? tok.policy : {}, readPolicy());
    var call = tok
      ? api('tokens.update', { id: tok.id, name: name, policy: policy })
      : api('tokens.create', { name: name, policy: policy });
    call.then(function (d) {
      modal('scim-token-modal').hide();
      if (d.secret) showSecret(d.secret);
      return loadTokens();
    }).catch(function (e) {
      var problems = e.problems || [];
      // A name clash is no policy problem, but it belongs under the name all the same.
      if (!problems.length && e.scimType === 'uniqueness') problems = [{ field: 'name', message: e.message }];
      showFormProblems(e.message + (e.scimType ? ' (' + e.scimType + ')' : ''), problems);
    }).then(function () { button.disabled = false; });
  }

  // A refused policy is shown where each problem is: under its field (the sidecar names the
  // policy field of each, docs/errors.md), the field marked invalid, and the dialog's alert,
  // which stays in view at the top of the scrolling dialog (panel.html). A template rule's
  // problem also gets the filter with a caret under the offending character and the cursor.
  function clearFieldProblems() {
    alertBox($('#scim-token-form-alert'), 'danger', '');
    Array.prototype.forEach.call(root.querySelectorAll('#scim-token-form [data-rule-error], #scim-token-form [data-field-error]'), function (n) { n.remove(); });
    Array.prototype.forEach.call(root.querySelectorAll('#scim-token-form .is-invalid'), function (n) { n.classList.remove('is-invalid'); });
  }

  function showFormProblems(message, problems) {
    clearFieldProblems();
    alertBox($('#scim-token-form-alert'), 'danger', message);
    var rows = root.querySelectorAll('#scim-token-rules [data-rule]');
    var first = null;
    problems.forEach(function (p) {
      var input, note;
      if (typeof p.ruleIndex === 'number' && rows[p.ruleIndex]) {
        var row = rows[p.ruleIndex];
        input = $('[data-field="' + (/\.template$/.test(p.field) ? 'template' : 'filter') + '"]', row);
        note = el('div', { className: 'invalid-feedback d-block mb-2', 'data-rule-error': String(p.ruleIndex) },
          el('div', { text: typeof p.offset === 'number' ? t('form.rule_error_at', { rule: p.ruleIndex + 1, char: p.offset + 1, message: p.message }) : t('form.rule_error', { rule: p.ruleIndex + 1, message: p.message }) }));
        if (p.excerpt) note.appendChild(el('pre', { className: 'mb-0 small', text: p.excerpt }));
        row.insertAdjacentElement('afterend', note);
      } else {
        var key = String(p.field || '').replace(/\[.*$/, '');
        var box = root.querySelector('#scim-token-form [data-field-box="' + key + '"]');
        if (!box) return;
        input = box.querySelector('.form-control, .form-select, #scim-token-domains, .form-check-input');
        note = el('div', { className: 'invalid-feedback d-block', 'data-field-error': key, text: p.message });
        box.appendChild(note);
      }
      if (input) input.classList.add('is-invalid');
      if (!first) first = { input: input, offset: p.offset, note: note };
    });
    if (first) {
      if (first.input && first.input.focus) first.input.focus({ preventScroll: true });
      if (first.input && typeof first.offset === 'number' && first.input.setSelectionRange) first.input.setSelectionRange(first.offset, first.offset + 1);
      first.note.scrollIntoView({ block: 'center' });
    } else {
      $('#scim-token-form-alert').scrollIntoView({ block: 'nearest' });
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
    var tok = tokenById(row.getAttribute('data-token-id'));
    var action = button.getAttribute('data-action');
    // The switch reports through its change event only (a click would act twice).
    if (action === 'toggle' && ev.type !== 'change') return;
    var fail = function (e) { alertBox($('#scim-tokens-alert'), 'danger', e.message); return loadTokens(); };
    if (action === 'edit') openForm(tok);
    if (action === 'toggle') {
      api('tokens.update', { id: tok.id, active: button.checked }).then(loadTokens, fail);
    }
    if (action === 'rotate') {
      confirmThen(t('tokens.rotate_title', { name: tok.name }), t('tokens.rotate_text'), t('tokens.rotate'), function () {
        api('tokens.rotate', { id: tok.id }).then(function (d) { showSecret(d.secret); return loadTokens(); }, fail);
      });
    }
    if (action === 'revoke') {
      confirmThen(t('tokens.revoke_title', { name: tok.name }), t('tokens.revoke_text'), t('tokens.revoke'), function () {
        api('tokens.revoke', { id: tok.id }).then(loadTokens, fail);
      });
    }
  }

  // ---- events --------------------------------------------------------------------------
  function renderEvents(events, append) {
    var body = $('#scim-events-table tbody');
    if (!append) clear(body);
    if (!append && events.length === 0) body.appendChild(el('tr', {}, el('td', { colspan: '9', className: 'text-muted', text: t('events.none') })));
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

  // ---- groups (read-only) -------------------------------------------------------------
  // The token selects of the Groups view and the adoption panel follow the token list.
  function renderTokenChoices() {
    [['#scim-groups-token', true], ['#scim-adopt-token', false]].forEach(function (x) {
      var select = $(x[0]);
      var current = select.value;
      clear(select);
      state.tokens.forEach(function (tok) {
        // Groups of a revoked token stay in mailcow and can be looked at; nothing can be handed to it.
        if (tok.revokedAt && !x[1]) return;
        select.appendChild(option(tok.id, tok.name + (tok.revokedAt ? ' (' + t('tokens.revoked') + ')' : ''), tok.id === current));
      });
      if (!select.options.length) select.appendChild(option('', t('common.no_tokens'), true));
    });
  }

  function renderGroups(groups, append) {
    var body = $('#scim-groups-table tbody');
    if (!append) clear(body);
    if (!append && groups.length === 0) body.appendChild(el('tr', {}, el('td', { colspan: '3', className: 'text-muted', text: t('groups.none') })));
    groups.forEach(function (g) {
      var address = g.address
        ? el('span', {}, el('code', { text: g.address }), ' ', el('span', { className: 'badge ' + (g.aliasActive ? 'bg-success' : 'bg-secondary'), text: t(g.aliasActive ? 'groups.alias_active' : 'groups.alias_inactive') }))
        : el('span', { className: 'text-muted', text: t('groups.no_address') });
      var members = g.members.length
        ? el('ul', { className: 'list-unstyled mb-0 small' }, ...g.members.map(function (m) { return el('li', { 'data-member-id': m.id, text: m.display }); }))
        : el('span', { className: 'text-muted small', text: t('groups.no_members') });
      body.appendChild(el('tr', { 'data-group-id': g.id, 'data-group-name': g.displayName },
        el('td', { text: g.displayName }), el('td', {}, address), el('td', {}, el('div', { className: 'small text-muted mb-1', text: t('groups.member_count', { count: g.members.length }) }), members)));
    });
  }

  function loadGroups(more) {
    var tokenId = $('#scim-groups-token').value;
    if (!tokenId) { renderGroups([], false); return Promise.resolve(); }
    return api('groups.list', { tokenId: tokenId, startIndex: more ? state.groupsNext : 1, count: 50 }).then(function (d) {
      renderGroups(d.groups, more);
      state.groupsNext = d.nextStartIndex;
      $('[data-action="more-groups"]').classList.toggle('d-none', !d.nextStartIndex);
      alertBox($('#scim-groups-alert'), 'danger', '');
    }).catch(function (e) { alertBox($('#scim-groups-alert'), 'danger', e.message); });
  }

  // ---- bulk adoption ----------------------------------------------------------------------
  // What `mailcow-scim adopt` does, through AdminService.PlanAdoption and Adopt: the dry run
  // first (every page of it, the same per-mailbox report), then the hand-over page by page
  // with progress and a summary. Each page is its own call, so a stop halfway loses nothing:
  // running it again reports what was done as skipped.
  var ADOPT_PAGE = 25;

  function adoptionSelection() {
    var list = function (v) { return v.split(/[\s,;]+/).filter(Boolean); };
    return {
      tokenId: $('#scim-adopt-token').value,
      domains: list($('#scim-adopt-domains').value),
      addresses: list($('#scim-adopt-addresses').value),
      filter: $('#scim-adopt-filter').value.trim(),
      moveFromOtherTokens: $('#scim-adopt-move').checked,
    };
  }

  var ACTION_BADGE = { ADOPTION_ACTION_ADOPT: 'bg-primary', ADOPTION_ACTION_SKIP: 'bg-secondary', ADOPTION_ACTION_REFUSE: 'bg-danger' };
  var OUTCOME_BADGE = { ADOPTION_OUTCOME_ADOPTED: 'bg-success', ADOPTION_OUTCOME_UNCHANGED: 'bg-secondary', ADOPTION_OUTCOME_SKIPPED: 'bg-secondary', ADOPTION_OUTCOME_REFUSED: 'bg-danger', ADOPTION_OUTCOME_FAILED: 'bg-danger' };

  function adoptionRow(entry, outcome, detail) {
    var login = entry.login;
    var loginCell = login
      ? el('div', { className: 'small' }, el('div', { text: t('adopt.login_before', { route: login.before }) }), el('div', { text: t('adopt.login_after', { route: login.after }) }),
        login.losesPasswordLogin ? el('div', { className: 'text-danger', 'data-loses-password': true, text: t(login.onlyAppPasswords ? 'adopt.only_app_passwords' : 'adopt.loses_password') }) : null,
        login.inactive ? el('div', { className: 'text-muted', text: login.inactive }) : null)
      : el('span', { className: 'text-muted', text: '—' });
    var badge = outcome
      ? el('span', { className: 'badge ' + (OUTCOME_BADGE[outcome] || 'bg-secondary'), 'data-outcome': outcome, text: t('adopt.outcome_' + outcome.replace('ADOPTION_OUTCOME_', '').toLowerCase()) })
      : el('span', { className: 'badge ' + (ACTION_BADGE[entry.action] || 'bg-secondary'), text: t('adopt.action_' + entry.action.replace('ADOPTION_ACTION_', '').toLowerCase()) });
    var why = detail || entry.reason;
    return el('tr', { 'data-adopt-address': entry.address, 'data-adopt-action': entry.action },
      el('td', {}, el('code', { text: entry.address }), entry.name ? el('div', { className: 'small text-muted', text: entry.name }) : null),
      el('td', {}, badge, why ? el('div', { className: 'small text-muted', text: why }) : null),
      el('td', {}, entry.changes.length ? el('ul', { className: 'small mb-0 ps-3' }, ...entry.changes.map(function (c) { return el('li', { text: c }); })) : el('span', { className: 'text-muted', text: '—' })),
      el('td', {}, loginCell),
      el('td', {}, entry.conflicts.concat(entry.notes).length ? el('ul', { className: 'small mb-0 ps-3' }, ...entry.conflicts.map(function (c) { return el('li', { className: 'text-warning-emphasis', 'data-conflict': true, text: c }); }), ...entry.notes.map(function (c) { return el('li', { className: 'text-muted', text: c }); })) : el('span', { className: 'text-muted', text: '—' })));
  }

  function planAdoption(ev) {
    ev.preventDefault();
    var selection = adoptionSelection();
    var button = $('#scim-adopt-plan');
    var run = $('#scim-adopt-run');
    var body = $('#scim-adopt-table tbody');
    state.plan = null;
    run.classList.add('d-none');
    clear(body);
    clear($('#scim-adopt-summary'));
    alertBox($('#scim-adopt-alert'), 'danger', '');
    if (!selection.tokenId) { alertBox($('#scim-adopt-alert'), 'danger', t('adopt.need_token')); return; }
    button.disabled = true;
    var totals = { adopt: 0, skip: 0, refuse: 0, losePasswordLogin: 0, withConflicts: 0 };
    var entries = [];
    var loginSummary = '';
    var page = function (pageToken) {
      return api('adoption.plan', { selection: selection, pageSize: ADOPT_PAGE, pageToken: pageToken }).then(function (d) {
        loginSummary = d.loginSummary;
        d.entries.forEach(function (e) { entries.push(e); body.appendChild(adoptionRow(e)); });
        Object.keys(totals).forEach(function (k) { totals[k] += (d.summary && d.summary[k]) || 0; });
        return d.nextPageToken ? page(d.nextPageToken) : null;
      });
    };
    page('').then(function () {
      $('#scim-adopt-table').classList.remove('d-none');
      var summary = $('#scim-adopt-summary');
      summary.appendChild(el('div', { 'data-plan-summary': true, text: t('adopt.plan_summary', { adopt: totals.adopt, skip: totals.skip, refuse: totals.refuse }) }));
      if (totals.losePasswordLogin) summary.appendChild(el('div', { className: 'text-danger', text: t('adopt.plan_lose', { count: totals.losePasswordLogin }) }));
      if (totals.withConflicts) summary.appendChild(el('div', { className: 'text-warning-emphasis', text: t('adopt.plan_conflicts', { count: totals.withConflicts }) }));
      if (loginSummary) summary.appendChild(el('div', { className: 'text-muted', text: loginSummary }));
      if (totals.adopt > 0) {
        state.plan = { selection: selection, adopt: totals.adopt, entries: entries.length };
        run.textContent = t('adopt.run', { count: totals.adopt });
        run.classList.remove('d-none');
      }
    }).catch(function (e) { alertBox($('#scim-adopt-alert'), 'danger', e.message); })
      .then(function () { button.disabled = false; });
  }

  function runAdoption() {
    var plan = state.plan;
    if (!plan) return;
    confirmThen(t('adopt.confirm_title', { count: plan.adopt }), t('adopt.confirm_text'), t('adopt.confirm_ok'), function () {
      var bar = $('#scim-adopt-progress');
      var fill = $('.progress-bar', bar);
      var body = $('#scim-adopt-table tbody');
      var counts = { adopted: 0, unchanged: 0, skipped: 0, refused: 0, failed: 0 };
      var done = 0;
      $('#scim-adopt-run').classList.add('d-none');
      $('#scim-adopt-plan').disabled = true;
      bar.classList.remove('d-none');
      fill.style.width = '0%';
      clear(body);
      clear($('#scim-adopt-summary'));
      var page = function (pageToken) {
        return api('adoption.run', { selection: plan.selection, pageSize: ADOPT_PAGE, pageToken: pageToken }).then(function (d) {
          d.results.forEach(function (r) { body.appendChild(adoptionRow(r.entry, r.outcome, r.detail)); });
          Object.keys(counts).forEach(function (k) { counts[k] += (d.counts && d.counts[k]) || 0; });
          done += d.results.length;
          var pct = Math.min(100, Math.round((done / Math.max(1, plan.entries)) * 100));
          fill.style.width = pct + '%';
          bar.setAttribute('aria-valuenow', String(pct));
          bar.setAttribute('data-done', String(done));
          return d.nextPageToken ? page(d.nextPageToken) : null;
        });
      };
      page('').then(function () {
        fill.style.width = '100%';
        bar.setAttribute('data-complete', 'true');
        $('#scim-adopt-summary').appendChild(el('div', { 'data-run-summary': true, className: counts.failed ? 'text-danger' : 'text-success', text: t('adopt.run_summary', counts) }));
        state.plan = null;
        return loadOverview();
      }).catch(function (e) {
        alertBox($('#scim-adopt-alert'), 'danger', t('adopt.stopped', { done: done, message: e.message }));
      }).then(function () { $('#scim-adopt-plan').disabled = false; });
    });
  }

  function loadAll() {
    return Promise.all([loadOverview(), loadTokens().then(function () { return Promise.all([loadEvents(false), loadGroups(false)]); })]);
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
      else if (a === 'reload-groups') loadGroups(false);
      else if (a === 'more-groups') loadGroups(true);
      else if (a === 'adopt-run') runAdoption();
      else if (a === 'copy-secret') {
        var input = $('#scim-secret-value');
        var done = function () { b.querySelector('span').textContent = t('secret.copied'); };
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
    $('#scim-groups-token').addEventListener('change', function () { loadGroups(false); });
    $('#scim-adopt-form').addEventListener('submit', planAdoption);
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
      var lang = document.getElementById('scim-lang');
      if (lang) strings = JSON.parse(lang.textContent);
      wire();
      root.setAttribute('data-ready', 'true');
      return loadAll();
    })
    .catch(function (e) { alertBox(root, 'danger', e.message); });
})();
