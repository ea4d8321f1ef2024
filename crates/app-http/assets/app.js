// TaskForge pages: forms sent to the JSON API, live updates, drag and drop, search,
// @mentions and uploads. Every page works for reading without this file.
'use strict';
(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const body = document.body;
  const me = ($('#bell') || {dataset: {}}).dataset.user;

  function csrf() {
    const meta = $('meta[name="csrf-token"]');
    return meta ? meta.content : '';
  }

  function announce(text) {
    const region = $('#announce');
    if (region) region.textContent = text;
  }

  // --- Talking to the API, and saying what went wrong in words ---------------------------
  const LABELS = {
    title: 'Title', description: 'Description', status: 'Status', priority: 'Priority',
    assigneeId: 'Assignee', dueDate: 'Due date', tags: 'Tags', customFields: 'Custom fields',
    email: 'Email', role: 'Role', name: 'Name', content: 'Comment', firstName: 'First name',
    lastName: 'Last name', file: 'File', permissions: 'Permissions',
  };
  const MESSAGES = {
    401: 'Your session has ended. Please sign in again.',
    403: 'You do not have permission to do this. A team admin can grant it.',
    404: 'This no longer exists, or you do not have access to it.',
    412: 'Someone else changed this in the meantime.',
    413: 'That is too large.',
    429: 'Too many attempts in a short time. Please wait a moment and try again.',
    503: 'TaskForge is briefly unavailable. Please try again in a few seconds.',
  };

  function explain(status, json) {
    const err = (json && json.error) || {};
    if (status === 0) return ['Could not reach TaskForge. Check your connection and try again.'];
    if (status === 400) {
      const details = (err.details || []).map((d) => {
        const key = String(d.field).split(/[.[]/)[0];
        return (LABELS[key] || d.field) + ': ' + d.message;
      });
      return ['Please check what you entered.'].concat(details);
    }
    if (status === 409) return ['This could not be done: ' + (err.message || 'it conflicts with what is there now') + '.'];
    return [MESSAGES[status] || 'Something went wrong on our side. Please try again.'];
  }

  async function api(method, url, payload, headers) {
    const init = {method, credentials: 'same-origin', headers: Object.assign({Accept: 'application/json', 'X-CSRF-Token': csrf()}, headers)};
    if (payload !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(payload);
    }
    try {
      const res = await fetch(url, init);
      const text = await res.text();
      let json = null;
      try { json = text ? JSON.parse(text) : null; } catch (_) { json = null; }
      return {ok: res.ok, status: res.status, json};
    } catch (_) {
      return {ok: false, status: 0, json: null};
    }
  }

  function showError(form, lines) {
    const box = $$('.notice.error', form).find((b) => b.closest('form') === form);
    if (!box) { announce(lines.join(' ')); return; }
    box.textContent = '';
    lines.forEach((line) => { const p = document.createElement('p'); p.textContent = line; box.appendChild(p); });
    box.hidden = false;
  }

  // --- Forms sent to the API: <form data-api="METHOD /api/path" data-next=...> ------------
  function initialValue(el) {
    if (el.type === 'checkbox') return el.defaultChecked;
    if (el.tagName === 'SELECT') {
      const opt = Array.from(el.options).find((o) => o.defaultSelected) || el.options[0];
      return opt ? opt.value : '';
    }
    return el.defaultValue;
  }

  function currentValue(el) {
    return el.type === 'checkbox' ? el.checked : el.value;
  }

  function dirty(form) {
    return $$('[name]', form).some((el) => !el.disabled && el.type !== 'hidden' && initialValue(el) !== currentValue(el));
  }

  function typed(el, raw) {
    const kind = el.dataset.type;
    if (kind === 'list') return raw.split(',').map((s) => s.trim()).filter(Boolean);
    if (raw.trim() === '') return el.dataset.empty === 'null' ? null : (el.dataset.empty === 'omit' ? undefined : raw);
    if (kind === 'json') {
      try { return JSON.parse(raw); } catch (_) { throw new Error((LABELS[el.name] || el.name) + ' must be valid JSON, for example {"estimate": 3}.'); }
    }
    if (kind === 'datetime') return new Date(raw + 'Z').toISOString().replace('.000Z', 'Z');
    return raw;
  }

  function put(target, name, value) {
    const path = name.split('.');
    let at = target;
    path.slice(0, -1).forEach((key) => { at = at[key] = at[key] || {}; });
    at[path[path.length - 1]] = value;
  }

  function collect(form) {
    const out = {};
    const onlyDirty = form.hasAttribute('data-dirty-only');
    $$('[name]', form).forEach((el) => {
      if (el.disabled || el.type === 'file' || el.tagName === 'BUTTON') return;
      if ('array' in el.dataset) {
        const list = out[el.name] || (out[el.name] = []);
        if ((el.type !== 'checkbox' || el.checked) && !list.includes(el.value)) list.push(el.value);
        return;
      }
      if (onlyDirty && initialValue(el) === currentValue(el)) return;
      const value = el.type === 'checkbox' ? el.checked : typed(el, el.value);
      if (value !== undefined) put(out, el.name, value);
    });
    const mentions = $('[data-mentions]', form);
    if (mentions) out.mentionedUsers = mentionedIn(mentions.value);
    return out;
  }

  async function submitApi(form) {
    const [method, url] = form.dataset.api.split(' ');
    let payload;
    try { payload = collect(form); } catch (e) { showError(form, [e.message]); return; }
    if (form.hasAttribute('data-dirty-only') && Object.keys(payload).length === 0) {
      showError(form, ['Nothing has changed yet.']);
      return;
    }
    const headers = {};
    if (form.dataset.version) headers['If-Match'] = '"' + form.dataset.version + '"';
    const buttons = $$('button[type="submit"]', form);
    buttons.forEach((b) => { b.disabled = true; });
    const res = await api(method, url, payload, headers);
    buttons.forEach((b) => { b.disabled = false; });
    if (res.ok) {
      const next = form.dataset.next;
      if (!next || next === 'reload') location.reload();
      else location.href = next.replace(/\{(\w+)\}/g, (_, key) => encodeURIComponent((res.json || {})[key] || ''));
    } else if (res.status === 412 && form.id === 'task-form') {
      showConflict(form);
    } else {
      // A form may say in its own words what a status means for it (data-status404=...).
      const own = form.dataset['status' + res.status];
      showError(form, own ? [own] : explain(res.status, res.json));
    }
  }

  document.addEventListener('submit', (ev) => {
    const form = ev.target;
    if (form.dataset.api) {
      ev.preventDefault();
      if (form.dataset.api.startsWith('DELETE ') && !window.confirm('Are you sure? This cannot be undone.')) return;
      submitApi(form);
    }
    if (form.dataset.upload) { ev.preventDefault(); upload(form); }
  });

  // --- Refreshing parts of the page from the server ---------------------------------------
  let refreshTimer = null;
  function refresh(ids) {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async () => {
      const res = await fetch(location.href, {credentials: 'same-origin', headers: {Accept: 'text/html'}});
      if (!res.ok) return;
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      const focusedCard = document.activeElement && document.activeElement.closest('[data-id]');
      const keep = focusedCard ? focusedCard.dataset.id : movingFocus;
      ids.forEach((id) => {
        const fresh = doc.getElementById(id);
        const old = document.getElementById(id);
        if (fresh && old) old.replaceWith(document.importNode(fresh, true));
      });
      if (keep) focusCard(keep);
      body.dispatchEvent(new CustomEvent('refreshed'));
    }, 80);
  }

  // --- The bell: the unread count, live ----------------------------------------------------
  async function updateBell() {
    const res = await api('GET', '/api/notifications/unread-count');
    if (!res.ok) return;
    const badge = $('#unread');
    badge.textContent = res.json.count;
    badge.setAttribute('aria-label', res.json.count + ' unread');
  }

  if (me && window.EventSource) {
    const stream = new EventSource('/api/notifications/stream');
    stream.addEventListener('notification', () => {
      updateBell();
      announce('You have a new notification.');
      if ($('#notification-list')) refresh(['notification-list']);
    });
  }

  // --- Presence and live changes of the team ----------------------------------------------
  function personOf(id) {
    return $$('#people li').find((li) => li.dataset.id === id);
  }

  function showPresence(viewers) {
    const box = $('#presence');
    if (!box) return;
    box.textContent = '';
    viewers.filter((id) => id !== me).forEach((id) => {
      const person = personOf(id);
      const span = document.createElement('span');
      span.className = 'avatar';
      span.textContent = person ? person.dataset.initials : '?';
      span.title = person ? person.textContent : 'Someone';
      span.setAttribute('role', 'img');
      span.setAttribute('aria-label', span.title);
      box.appendChild(span);
    });
  }

  const team = body.dataset.liveTeam;
  if (team && window.EventSource) {
    const viewing = encodeURIComponent(body.dataset.viewing);
    const events = new EventSource('/api/teams/' + team + '/events?viewing=' + viewing);
    events.addEventListener('presence', (ev) => showPresence(JSON.parse(ev.data).viewers || []));
    events.addEventListener('change', (ev) => onChange(JSON.parse(ev.data)));
  }

  function onChange(change) {
    if ($('#board')) { refresh(['board']); return; }
    const task = body.dataset.task;
    if (!task || change.taskId !== task || change.actorId === me) return;
    const form = $('#task-form');
    const who = personOf(change.actorId);
    const name = who ? who.textContent : 'A teammate';
    const parts = ['comments', 'files', 'activity', 'task-title'];
    if (form && dirty(form)) {
      const note = $('#task-live');
      note.textContent = name + ' changed this task. Your unsaved edits are kept; saving them will show what changed.';
      note.hidden = false;
    } else {
      parts.push('task-form');
      announce(name + ' changed this task.');
    }
    refresh(parts);
  }

  // --- The board: drag and drop, and Alt + arrows ------------------------------------------
  const board = $('#board');
  let dragged = null;
  // The card moved from the keyboard keeps the focus, even through a refresh of the board.
  let movingFocus = null;

  function focusCard(id) {
    const link = $('li.task[data-id="' + id + '"] a');
    if (link) link.focus();
  }

  async function move(card, column) {
    const from = card.closest('.column');
    if (!column || column === from) return;
    const list = $('.cards', column);
    list.insertBefore(card, list.firstChild);
    recount();
    const title = $('a', card).textContent;
    const label = $('h2', column).firstChild.textContent.trim();
    const res = await api('PATCH', '/api/tasks/' + card.dataset.id, {status: column.dataset.status});
    if (res.ok) {
      announce('Moved “' + title + '” to ' + label + '.');
    } else {
      $('.cards', from).insertBefore(card, $('.cards', from).firstChild);
      recount();
      const box = $('#board-error');
      box.textContent = 'Could not move “' + title + '”: ' + explain(res.status, res.json).join(' ');
      box.hidden = false;
    }
  }

  function recount() {
    $$('.column').forEach((col) => { $('.count', col).textContent = $$('li.task', col).length; });
  }

  if (board) {
    document.addEventListener('dragstart', (ev) => {
      const card = ev.target.closest && ev.target.closest('li.task');
      if (!card) return;
      dragged = card;
      card.classList.add('dragging');
      ev.dataTransfer.effectAllowed = 'move';
      ev.dataTransfer.setData('text/plain', card.dataset.id);
    });
    document.addEventListener('dragend', () => {
      if (dragged) dragged.classList.remove('dragging');
      $$('.column.over').forEach((c) => c.classList.remove('over'));
    });
    document.addEventListener('dragover', (ev) => {
      const column = ev.target.closest && ev.target.closest('.column');
      if (!column || !dragged) return;
      ev.preventDefault();
      $$('.column.over').forEach((c) => c !== column && c.classList.remove('over'));
      column.classList.add('over');
    });
    document.addEventListener('drop', (ev) => {
      const column = ev.target.closest && ev.target.closest('.column');
      if (!column || !dragged) return;
      ev.preventDefault();
      column.classList.remove('over');
      const card = dragged;
      dragged = null;
      card.classList.remove('dragging');
      move(card, column);
    });
    document.addEventListener('keydown', (ev) => {
      if (!ev.altKey || (ev.key !== 'ArrowRight' && ev.key !== 'ArrowLeft')) return;
      const card = ev.target.closest && ev.target.closest('li.task');
      if (!card) return;
      ev.preventDefault();
      const columns = $$('.column');
      const at = columns.indexOf(card.closest('.column'));
      const next = columns[at + (ev.key === 'ArrowRight' ? 1 : -1)];
      movingFocus = card.dataset.id;
      focusCard(movingFocus);
      move(card, next).then(() => { focusCard(card.dataset.id); movingFocus = null; });
    });
  }

  // --- Search as you type -----------------------------------------------------------------
  const search = $('[data-search-team]');
  const results = $('#search-results');
  let searchTimer = null;
  if (search && results) {
    search.addEventListener('input', () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(async () => {
        const q = search.value.trim();
        if (!q) { results.hidden = true; return; }
        const url = '/api/search?types=task&teamId=' + search.dataset.searchTeam + '&q=' + encodeURIComponent(q);
        const res = await api('GET', url);
        results.textContent = '';
        const items = res.ok ? res.json.items.slice(0, 8) : [];
        items.forEach((hit) => {
          const li = document.createElement('li');
          const a = document.createElement('a');
          a.href = '/tasks/' + hit.taskId;
          a.textContent = hit.title;
          li.appendChild(a);
          results.appendChild(li);
        });
        if (!items.length) {
          const li = document.createElement('li');
          li.textContent = res.ok ? 'No matching task.' : explain(res.status, res.json)[0];
          results.appendChild(li);
        }
        results.hidden = false;
      }, 150);
    });
    search.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') results.hidden = true;
      if (ev.key === 'ArrowDown') { const first = $('a', results); if (first) { ev.preventDefault(); first.focus(); } }
    });
  }

  // --- @mentions --------------------------------------------------------------------------
  function people() {
    return $$('#people li').map((li) => ({id: li.dataset.id, name: li.textContent}));
  }

  function mentionedIn(text) {
    return people().filter((p) => text.includes('@' + p.name)).map((p) => p.id);
  }

  const mentionBox = $('[data-mentions]');
  const mentionList = $('#mention-list');
  if (mentionBox && mentionList) {
    const partial = () => {
      const before = mentionBox.value.slice(0, mentionBox.selectionStart);
      const m = before.match(/@([^\s@]{0,30})$/);
      return m ? m[1] : null;
    };
    const choose = (li) => {
      const word = partial();
      if (word === null) return;
      const caret = mentionBox.selectionStart;
      const start = caret - word.length - 1;
      const insert = '@' + li.textContent + ' ';
      mentionBox.value = mentionBox.value.slice(0, start) + insert + mentionBox.value.slice(caret);
      mentionBox.selectionStart = mentionBox.selectionEnd = start + insert.length;
      mentionList.hidden = true;
      mentionBox.removeAttribute('aria-activedescendant');
      mentionBox.focus();
    };
    mentionBox.addEventListener('input', () => {
      const word = partial();
      mentionList.textContent = '';
      if (word === null) { mentionList.hidden = true; return; }
      const found = people().filter((p) => p.id !== me && p.name.toLowerCase().includes(word.toLowerCase())).slice(0, 6);
      found.forEach((p, i) => {
        const li = document.createElement('li');
        li.id = 'mention-' + i;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', i === 0 ? 'true' : 'false');
        li.textContent = p.name;
        li.addEventListener('mousedown', (ev) => { ev.preventDefault(); choose(li); });
        mentionList.appendChild(li);
      });
      mentionList.hidden = !found.length;
      if (found.length) mentionBox.setAttribute('aria-activedescendant', 'mention-0');
    });
    mentionBox.addEventListener('keydown', (ev) => {
      if (mentionList.hidden) return;
      const options = $$('li', mentionList);
      const at = options.findIndex((o) => o.getAttribute('aria-selected') === 'true');
      if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
        ev.preventDefault();
        const next = (at + (ev.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length;
        options.forEach((o, i) => o.setAttribute('aria-selected', i === next ? 'true' : 'false'));
        mentionBox.setAttribute('aria-activedescendant', options[next].id);
      } else if (ev.key === 'Enter' || ev.key === 'Tab') {
        ev.preventDefault();
        choose(options[Math.max(at, 0)]);
      } else if (ev.key === 'Escape') {
        mentionList.hidden = true;
      }
    });
  }

  // --- Uploads with progress --------------------------------------------------------------
  function upload(form) {
    const input = $('input[type="file"]', form);
    if (!input.files.length) { showError(form, ['Choose a file first.']); return; }
    const data = new FormData();
    data.append('file', input.files[0]);
    const bar = $('progress', form);
    bar.hidden = false;
    bar.value = 0;
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.dataset.upload);
    xhr.setRequestHeader('X-CSRF-Token', csrf());
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (ev) => { if (ev.lengthComputable) bar.value = Math.round((ev.loaded / ev.total) * 100); });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        bar.value = 100;
        announce('Uploaded ' + input.files[0].name + '.');
        form.reset();
        refresh(['files', 'activity']);
      } else {
        let json = null;
        try { json = JSON.parse(xhr.responseText); } catch (_) { json = null; }
        showError(form, explain(xhr.status, json));
      }
    });
    xhr.addEventListener('error', () => showError(form, explain(0, null)));
    xhr.send(data);
  }

  // --- A conflicting edit: show the other person's version -------------------------------
  function shown(el, value) {
    if (el.tagName === 'SELECT') {
      const wanted = value === null || value === undefined ? '' : String(value);
      const opt = Array.from(el.options).find((o) => o.value === wanted);
      return opt ? opt.textContent : wanted;
    }
    if (value === null || value === undefined) return '';
    if (Array.isArray(value)) return value.join(', ');
    if (typeof value === 'object') return Object.keys(value).length ? JSON.stringify(value, null, 2) : '';
    if (el.dataset.type === 'datetime') return String(value).slice(0, 16);
    return String(value);
  }

  async function showConflict(form) {
    const res = await api('GET', '/api/tasks/' + body.dataset.task);
    if (!res.ok) { showError(form, explain(res.status, res.json)); return; }
    const theirs = res.json;
    const list = $('#conflict-fields');
    list.textContent = '';
    $$('[name]', form).forEach((el) => {
      const now = shown(el, theirs[el.name]);
      if (now === shown(el, initialValue(el))) return;
      const dt = document.createElement('dt');
      dt.textContent = LABELS[el.name] || el.name;
      const dd = document.createElement('dd');
      dd.textContent = now || '(empty)';
      list.append(dt, dd);
    });
    form.dataset.version = theirs.version;
    const box = $('#conflict');
    box.hidden = false;
    $('#conflict-theirs').focus();
  }

  document.addEventListener('click', (ev) => {
    if (ev.target.id === 'conflict-theirs') location.reload();
    if (ev.target.id === 'conflict-mine') { $('#conflict').hidden = true; submitApi($('#task-form')); }
  });
})();
