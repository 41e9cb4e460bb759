/* Process designer page: bpmn-js modeler with the Qingfeng properties panel, dmn-js for decision tables,
   a JSON Schema editor with live preview for task forms; check, deploy, diff and migrate via /api/v1.
   The working set is every file of the opened version ({name: {text} or {blob}}); check and deploy send it
   whole, so a new version is always a complete, self-contained set of files. */
(function () {
  'use strict';

  /* A version as the office says it: 第 3 版. */
  function ver(n) { return '第 ' + n + ' 版'; }

  var root = document.getElementById('designer');
  if (!root || typeof window.BpmnJS !== 'function') { return; }
  var versionId = root.getAttribute('data-version-id');
  var processKey = root.getAttribute('data-process-key');
  var editable = root.getAttribute('data-may-edit') === 'true';
  var API = '/api/v1/process-definitions';
  var statusBox = document.getElementById('designer-status');

  var files = {};          // name -> {text: string} | {blob: Blob}
  var mainBpmn = null;
  var bpmnDirty = false;
  var dmnModeler = null, dmnFile = null, dmnDirty = false;
  var problemsById = {};
  var deploying = false;   // leaving the page for the new version is not losing work
  var unsaved = false;     // edits not yet deployed (a check does not store anything)
  var overlayIds = [];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') { node.textContent = attrs[key]; } else if (attrs[key] !== undefined && attrs[key] !== null) {
        node.setAttribute(key, attrs[key]);
      }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function status(text, kind) {
    statusBox.textContent = text;
    statusBox.className = 'status' + (kind ? ' ' + kind : '');
  }

  function request(method, url, body) {
    var init = { method: method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    var csrfMeta = document.querySelector('meta[name="csrf-token"]');
    if (method !== 'GET' && csrfMeta) {
      init.headers['X-CSRFToken'] = csrfMeta.getAttribute('content');  // the API's CSRF rule for cookie calls
    }
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, body: data };
      });
    });
  }

  // ---- the modeler ----

  var modeler;
  var panel;

  function names(suffix) {
    return Object.keys(files).filter(function (n) { return n.slice(-suffix.length) === suffix; }).sort();
  }

  function decisionIds() {
    return names('.dmn').map(function (n) { return n.replace(/^.*\//, '').replace(/\.dmn$/, ''); });
  }

  function formNames() {
    return names('.json').filter(function (n) { return n.indexOf('settings/') !== 0; })
      .map(function (n) { return n.replace(/^forms\//, ''); });
  }

  function createModeler(descriptor) {
    modeler = new window.BpmnJS({
      container: document.getElementById('canvas'),
      additionalModules: [window.QfTranslate.module],
      moddleExtensions: { spiffworkflow: descriptor }
    });
    panel = new window.QfPropertiesPanel(modeler, document.getElementById('props'), {
      editable: editable,
      roles: (root.getAttribute('data-roles') || '').split(',').filter(Boolean),
      positions: JSON.parse(root.getAttribute('data-positions') || '[]'),
      decisionIds: decisionIds,
      formNames: formNames,
      problemsFor: function (id) { return problemsById[id] || []; }
    });
    modeler.on('commandStack.changed', function (event) {
      if (event.trigger === 'clear') { return; }   // importing a diagram clears the stack: not an edit
      bpmnDirty = true;
      unsaved = true;
      status('已修改，尚未检查');
    });
  }

  function importBpmn(text) {
    return modeler.importXML(text).then(function (result) {
      modeler.get('canvas').zoom('fit-viewport', 'auto');
      bpmnDirty = false;
      panel.show(null);
      if (result.warnings && result.warnings.length) {
        status('流程图已载入，有 ' + result.warnings.length + ' 条导入提示（见浏览器控制台）');
        window.console.warn(result.warnings);
      }
    });
  }

  function exportMainBpmn() {
    return modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
  }

  // ---- collecting the working set ----

  function flush() {
    var steps = [];
    if (bpmnDirty && mainBpmn) {
      steps.push(exportMainBpmn().then(function (xml) { files[mainBpmn] = { text: xml }; bpmnDirty = false; }));
    }
    if (dmnModeler && dmnDirty && dmnFile) {
      steps.push(dmnModeler.saveXML({ format: true }).then(function (result) {
        files[dmnFile] = { text: result.xml };
        dmnDirty = false;
      }));
    }
    return Promise.all(steps);
  }

  function payload(comment) {
    var raw = Object.keys(files).some(function (n) { return files[n].blob; });
    if (!raw) {
      var body = { files: {}, comment: comment || '' };
      Object.keys(files).forEach(function (n) { body.files[n] = files[n].text; });
      return body;
    }
    var form = new FormData();
    Object.keys(files).forEach(function (n) {
      form.append('files', files[n].blob || new Blob([files[n].text], { type: 'text/plain' }), n);
    });
    form.append('comment', comment || '');
    return form;
  }

  // ---- problems on the diagram ----

  function clearProblems() {
    var overlays = modeler.get('overlays');
    var canvas = modeler.get('canvas');
    overlayIds.forEach(function (id) { overlays.remove(id); });
    overlayIds = [];
    Object.keys(problemsById).forEach(function (id) {
      if (modeler.get('elementRegistry').get(id)) { canvas.removeMarker(id, 'qf-has-problem'); }
    });
    problemsById = {};
    document.getElementById('problems').replaceChildren();
    document.getElementById('notes').replaceChildren();
  }

  function selectElement(id) {
    var element = modeler.get('elementRegistry').get(id);
    if (!element) { return false; }
    showTab('bpmn');
    document.getElementById('canvas').scrollIntoView({ block: 'nearest' });
    var canvas = modeler.get('canvas');
    if (canvas.zoom() < 0.8) { canvas.zoom(1); }   // a large process fits the viewport only when tiny
    if (typeof canvas.scrollToElement === 'function') { canvas.scrollToElement(element, { top: 120, bottom: 120, left: 160, right: 160 }); }
    modeler.get('selection').select(element);
    return true;
  }

  function showProblems(problems) {
    var registry = modeler.get('elementRegistry');
    var overlays = modeler.get('overlays');
    var canvas = modeler.get('canvas');
    var list = document.getElementById('problems');
    problems.forEach(function (p) {
      var onDiagram = p.file === mainBpmn && p.element_id && registry.get(p.element_id);
      if (onDiagram) {
        (problemsById[p.element_id] = problemsById[p.element_id] || []).push(p);
      }
      var where = p.file + (p.line ? ':' + p.line : '') + (p.element_id ? ' [' + p.element_id + ']' : '');
      var item = el('li', { 'data-element-id': p.element_id || '', 'data-file': p.file || '' },
        [el('span', { 'class': 'where', text: where }), document.createTextNode(' ' + p.message)]);
      if (onDiagram) {
        var locate = el('button', { type: 'button', 'class': 'link-button', text: '在图中定位' });
        locate.addEventListener('click', function () { selectElement(p.element_id); });
        item.appendChild(locate);
      }
      list.appendChild(item);
    });
    Object.keys(problemsById).forEach(function (id) {
      canvas.addMarker(id, 'qf-has-problem');
      var messages = problemsById[id].map(function (p) { return p.message; }).join('\n');
      var badge = el('div', { 'class': 'qf-problem-badge', title: messages, 'data-element-id': id,
                              text: String(problemsById[id].length) });
      overlayIds.push(overlays.add(id, 'qf-problem', { position: { top: -12, right: 12 }, html: badge }));
    });
    if (panel.current) { panel.show(panel.current); }
  }

  function showResult(kind, summary, problems, notes) {
    clearProblems();
    var box = document.getElementById('problems-panel');
    box.hidden = false;
    box.setAttribute('data-result', kind);
    document.getElementById('check-summary').textContent = summary;
    document.getElementById('check-summary').className = kind === 'ok' || kind === 'info' ? 'ok' : 'bad';
    showProblems(problems || []);
    var noteList = document.getElementById('notes');
    (notes || []).forEach(function (n) { noteList.appendChild(el('li', { text: n })); });
  }

  function failure(response, what) {
    var body = response.body || {};
    var problems = body.errors && Array.isArray(body.errors.problems) ? body.errors.problems : [];
    if (response.status === 422 && problems.length) {
      showResult('problems', what + '未通过：共 ' + problems.length + ' 个问题，请逐项修改。', problems);
      status(what + '未通过', 'bad');
    } else {
      var message = body.message || ('HTTP ' + response.status);
      showResult('error', what + '失败（' + response.status + '）：' + message, problems);
      status(what + '失败', 'bad');
    }
  }

  // ---- check, deploy ----

  function pending() {
    document.getElementById('problems-panel').setAttribute('data-result', 'pending');
  }

  function check() {
    status('正在检查…');
    pending();
    return flush().then(function () {
      return request('POST', API + '/check', payload());
    }).then(function (response) {
      if (response.status === 200) {
        var body = response.body;
        var same = body.same_as_version ? '（内容与' + ver(body.same_as_version) + '相同）' : '';
        showResult('ok', '检查通过，可以部署' + same + '。', [], body.notes);
        if (body.diff) { renderDiff(document.getElementById('diff'), body.diff, '与最新版本' + ver(body.base_version) + '相比（未部署）'); }
        status('检查通过', 'ok');
      } else {
        failure(response, '检查');
      }
      return response;
    });
  }

  function deploy() {
    var comment = document.getElementById('deploy-comment').value;
    status('正在部署…');
    pending();
    return flush().then(function () {
      return request('POST', API + '/deploy', payload(comment));
    }).then(function (response) {
      if (response.status === 201) {
        var body = response.body;
        if (!body.created) {
          showResult('ok', '内容与' + ver(body.version) + '相同，没有创建新版本。', [], body.notes);
          status('未创建新版本', 'ok');
          return response;
        }
        status('已部署' + ver(body.version) + '，正在打开…', 'ok');
        deploying = true;
        window.location.assign(root.getAttribute('data-editor-url').replace(/0$/, String(body.id)) + '?deployed=1');
      } else {
        failure(response, '部署');
      }
      return response;
    });
  }

  // ---- diff and migration ----

  function nodeList(title, nodes, cls, describe) {
    var section = el('div', { 'class': 'diff-group ' + cls }, [el('h3', { text: title + '（' + nodes.length + '）' })]);
    var list = el('ul');
    nodes.forEach(function (n) { list.appendChild(el('li', { 'data-element-id': n.id, text: describe(n) })); });
    if (nodes.length) { section.appendChild(list); }
    return section;
  }

  function renderDiff(box, diff, heading) {
    box.replaceChildren();
    box.appendChild(el('p', { 'class': 'hint', text: heading }));
    var label = function (n) { return (n.name || '（无名称）') + ' · ' + n.id + ' · ' + n.type; };
    box.appendChild(nodeList('新增', diff.added || [], 'added', label));
    box.appendChild(nodeList('删除', diff.removed || [], 'removed', label));
    box.appendChild(nodeList('修改', diff.changed || [], 'changed', function (n) {
      var renamed = n.was && n.was.id !== n.id ? '（原 ' + n.was.id + '）' : '';
      var was = n.was && n.was.name !== n.name ? '（原名 ' + n.was.name + '）' : '';
      return label(n) + renamed + was + '：' + (n.labels || []).join('、');
    }));
    var f = diff.files || {};
    var fileText = ['added', 'removed', 'changed'].map(function (k) {
      var list = f[k] || [];
      var shown = list.length > 8 ? list.slice(0, 8).join('、') + ' 等 ' + list.length + ' 个' : list.join('、');
      return ({ added: '新增', removed: '删除', changed: '修改' })[k] + ' ' + (shown || '无');
    }).join('；');
    box.appendChild(el('p', { 'class': 'diff-files', text: '文件：' + fileText }));
  }

  function loadDiff() {
    return request('GET', API + '/' + versionId + '/diff').then(function (response) {
      var box = document.getElementById('diff');
      if (response.status !== 200) { box.textContent = response.body.message || '无法载入差异'; return; }
      var d = response.body;
      renderDiff(box, d, d.from_version ? ver(d.to_version) + ' 与' + ver(d.from_version) + '相比' : '这是第一个版本。');
    });
  }

  function loadMigration() {
    var box = document.getElementById('migrate');
    if (!box) { return Promise.resolve(); }
    return request('POST', API + '/' + versionId + '/migrate', { dry_run: true }).then(function (response) {
      box.replaceChildren();
      if (response.status !== 200) { box.textContent = response.body.message || '无法载入案件'; return; }
      var rows = response.body;
      if (!rows.length) { box.appendChild(el('p', { 'class': 'muted', text: '没有停留在其他版本的办理中案件。' })); return; }
      var table = el('table', { 'class': 'data migration' });
      table.appendChild(el('thead', {}, [el('tr', {}, ['', '案件编号', '当前版本', '能否迁移'].map(function (h) { return el('th', { text: h }); }))]));
      var body = el('tbody');
      rows.forEach(function (r) {
        var box2 = el('input', { type: 'checkbox', value: String(r.case_id), 'aria-label': '迁移 ' + r.reference });
        box2.checked = r.migrated;
        box2.disabled = !r.migrated;
        body.appendChild(el('tr', { 'data-case-id': String(r.case_id), 'class': r.migrated ? 'eligible' : 'refused' }, [
          el('td', {}, [box2]), el('td', { text: r.reference }), el('td', { text: r.from_version ? ver(r.from_version) : '—' }),
          el('td', { 'class': 'reason', text: r.migrated ? '可以迁移' : r.reason })]));
      });
      table.appendChild(body);
      box.appendChild(table);
      var button = el('button', { type: 'button', id: 'btn-migrate', 'class': 'primary', text: '迁移所选案件' });
      button.addEventListener('click', function () { migrate(table); });
      box.appendChild(el('div', { 'class': 'buttons' }, [button]));
      box.appendChild(el('ul', { id: 'migration-results', 'class': 'notes' }));
    });
  }

  function migrate(table) {
    var ids = Array.prototype.map.call(table.querySelectorAll('tbody input:checked'), function (i) { return Number(i.value); });
    if (!ids.length) { status('请先选择要迁移的案件'); return Promise.resolve(); }
    status('正在迁移…');
    return request('POST', API + '/' + versionId + '/migrate', { case_ids: ids }).then(function (response) {
      var results = document.getElementById('migration-results');
      if (response.status !== 200) { failure(response, '迁移'); return; }
      results.replaceChildren();
      response.body.forEach(function (r) {
        results.appendChild(el('li', { 'data-case-id': String(r.case_id), 'class': r.migrated ? 'ok' : 'bad',
          text: r.reference + '：' + (r.migrated ? '已从' + ver(r.from_version) + '迁移到' + ver(r.to_version) : '未迁移，' + r.reason) }));
      });
      var done = response.body.filter(function (r) { return r.migrated; }).length;
      status('已迁移 ' + done + ' 件', 'ok');
      response.body.forEach(function (r) {
        var row = table.querySelector('tr[data-case-id="' + r.case_id + '"]');
        if (row && r.migrated) { row.className = 'migrated'; row.querySelector('.reason').textContent = '已迁移到' + ver(r.to_version); row.querySelector('input').disabled = true; row.querySelector('input').checked = false; }
      });
    });
  }

  // ---- DMN and forms ----

  function fillSelect(select, options) {
    select.replaceChildren();
    options.forEach(function (n) { select.appendChild(el('option', { value: n, text: n })); });
  }

  function openDmn(name) {
    if (!name) { return Promise.resolve(); }
    var step = dmnModeler ? flush() : Promise.resolve();
    if (!dmnModeler) {
      dmnModeler = new window.DmnJS({ container: document.getElementById('dmn-canvas'),
        common: { additionalModules: [window.QfTranslate.module] } });
      var watched = [];
      dmnModeler.on('views.changed', function (event) {
        renderDmnViews(event.views, event.activeView);
        var viewer = dmnModeler.getActiveViewer();
        if (viewer && watched.indexOf(viewer) < 0) {
          watched.push(viewer);
          viewer.get('eventBus').on('commandStack.changed', function (e) { if (e.trigger === 'clear') { return; } dmnDirty = true; unsaved = true; status('决策表已修改，尚未检查'); });
        }
      });
    }
    return step.then(function () {
      dmnFile = name;
      if (!files[name] || !files[name].text) { return null; }
      return dmnModeler.importXML(files[name].text).then(function () {
        dmnDirty = false;
        var table = dmnModeler.getViews().filter(function (v) { return v.type === 'decisionTable'; })[0];
        if (table) { return dmnModeler.open(table); }
        return null;
      });
    });
  }

  function renderDmnViews(views, active) {
    var box = document.getElementById('dmn-views');
    box.replaceChildren();
    (views || []).forEach(function (view) {
      var b = el('button', { type: 'button', 'aria-pressed': String(view === active), text: (view.type === 'drd' ? '决策需求图' : '决策表') + ' ' + (view.name || view.id || '') });
      b.addEventListener('click', function () { dmnModeler.open(view); });
      box.appendChild(b);
    });
  }

  var formText = document.getElementById('form-json');
  var formSelect = document.getElementById('form-file');

  function openForm(name) {
    formText.value = name && files[name] && files[name].text ? files[name].text : '';
    formText.readOnly = !editable;
    previewForm();
  }

  var previewTimer = null;
  var previewRequest = null;

  // The preview is rendered by the server with the task pages' own field macro; this only fetches and inserts it
  // (a burst of edits sends one request, and a newer request aborts the one in flight).
  function previewForm() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(fetchPreview, 150);
  }

  function fetchPreview() {
    var error = document.getElementById('form-json-error');
    var box = document.getElementById('form-preview');
    if (previewRequest) { previewRequest.abort(); }
    var controller = new AbortController();
    previewRequest = controller;
    var body = new FormData();
    body.append('schema', formText.value || '{}');
    var csrfMeta = document.querySelector('meta[name="csrf-token"]');
    return fetch(box.getAttribute('data-preview-url'), {
      method: 'POST', credentials: 'same-origin', body: body, signal: controller.signal,
      headers: { 'X-CSRFToken': csrfMeta ? csrfMeta.getAttribute('content') : '' }
    }).then(function (response) {
      return response.text().then(function (text) {
        if (previewRequest !== controller) { return; }
        previewRequest = null;
        if (response.ok) {
          error.hidden = true;
          box.innerHTML = text;  // escaped by Jinja on the server
        } else {
          error.hidden = false;
          error.textContent = response.status === 422 ? text : '预览失败（' + response.status + '）';
        }
      });
    }).catch(function (e) {
      if (e.name !== 'AbortError') { error.hidden = false; error.textContent = '预览失败：' + e.message; }
    });
  }

  formText.addEventListener('input', function () {
    if (formSelect.value) { files[formSelect.value] = { text: formText.value }; unsaved = true; status('表单已修改，尚未检查'); }
    previewForm();
  });
  formSelect.addEventListener('change', function () { openForm(formSelect.value); });

  function newForm() {
    var input = document.getElementById('new-form-name');
    var id = (input.value || '').trim();
    if (!/^[A-Za-z0-9_-]+$/.test(id)) { status('表单名只能由字母、数字、下划线和连字符组成', 'bad'); return Promise.resolve(); }
    var name = 'forms/' + processKey + '/' + id + '.json';
    if (!files[name]) {
      var skeleton = { title: id, type: 'object', required: ['opinion'],
        properties: { opinion: { type: 'string', title: '意见', maxLength: 2000 } } };
      files[name] = { text: JSON.stringify(skeleton, null, 2) + '\n' };
    }
    refreshSelects();
    formSelect.value = name;
    openForm(name);
    input.value = '';
    status('已新建 ' + name + '，在用户任务的“表单”属性中填写 ' + name.replace(/^forms\//, ''));
    return Promise.resolve();
  }
  document.getElementById('dmn-file').addEventListener('change', function (e) { openDmn(e.target.value); });

  function showTab(tab) {
    document.querySelectorAll('.designer-tabs [role=tab]').forEach(function (b) {
      b.setAttribute('aria-selected', String(b.getAttribute('data-tab') === tab));
    });
    document.querySelectorAll('.designer-pane').forEach(function (p) { p.hidden = p.getAttribute('data-pane') !== tab; });
    if (tab === 'dmn' && !dmnModeler) { openDmn(document.getElementById('dmn-file').value); }
  }

  document.querySelectorAll('.designer-tabs [role=tab]').forEach(function (b) {
    b.addEventListener('click', function () { showTab(b.getAttribute('data-tab')); });
  });

  // ---- upload and download ----

  function decode(buffer) {
    var bytes = new Uint8Array(buffer);
    try { return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '') }; } catch (e) { /* not UTF-8 */ }
    var head = new TextDecoder('latin1').decode(bytes.slice(0, 200));
    var declared = /encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
    var encoding = bytes[0] === 0xFF || bytes[0] === 0xFE ? 'utf-16' : declared && declared[1];
    if (encoding) {
      try {
        var text = new TextDecoder(encoding, { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
        return { text: text.replace(/^(\s*<\?xml[^>]*encoding\s*=\s*["'])[^"']+/, '$1UTF-8'), note: '已从 ' + encoding + ' 转换为 UTF-8' };
      } catch (e2) { /* the server reports it */ }
    }
    return { blob: new Blob([bytes]), note: '不是有效的文本编码，将原样交给服务器检查' };
  }

  function upload(list) {
    var notes = [];
    var reads = Array.prototype.map.call(list, function (file) {
      return file.arrayBuffer().then(function (buffer) {
        var name = file.name.replace(/\.xml$/i, '.bpmn');
        if (name === processKey + '.settings.json') { name = settingsName(); }
        if (/\.json$/i.test(name) && name.indexOf('forms/') !== 0 && name.indexOf('settings/') !== 0) { name = 'forms/' + processKey + '/' + name; }
        var result = decode(buffer);
        if (/\.bpmn$/i.test(name)) {
          names('.bpmn').forEach(function (n) { delete files[n]; });
          mainBpmn = name;
        }
        files[name] = result.blob ? { blob: result.blob } : { text: result.text };
        unsaved = true;
        notes.push(name + (result.note ? '：' + result.note : '：已载入'));
      });
    });
    return Promise.all(reads).then(function () {
      refreshSelects();
      var main = files[mainBpmn];
      var step = main && main.text ? importBpmn(main.text) : Promise.resolve();
      return step.then(function () {
        bpmnDirty = false;
        showResult('info', '已载入上传的文件，请检查后部署。', [], notes);
        status('已上传 ' + list.length + ' 个文件');
      });
    }).catch(function (err) { status('上传的文件无法载入：' + err.message, 'bad'); });
  }

  function settingsName() { return 'settings/' + processKey + '.json'; }

  function openSettings() {
    var box = document.getElementById('settings-editor');
    var name = settingsName();
    document.getElementById('settings-file-name').textContent = name;
    if (!files[name] || !files[name].text) {
      box.replaceChildren(el('p', { 'class': 'muted', text: '此流程没有设置文件；读取 settings 的流程须有 ' + name + '。' }));
      return;
    }
    window.QfSettingsEditor.render(files[name].text, box, editable, function (text) {
      files[name] = { text: text };
      unsaved = true;
      status('流程设置已修改，尚未检查');
    });
  }

  function refreshSelects() {
    fillSelect(document.getElementById('dmn-file'), names('.dmn'));
    fillSelect(formSelect, names('.json').filter(function (n) { return n.indexOf('settings/') !== 0; }));
    openForm(formSelect.value);
    openSettings();
    if (dmnModeler) { openDmn(document.getElementById('dmn-file').value); }
  }

  function download() {
    return flush().then(function () {
      var file = files[mainBpmn];
      var blob = file.blob || new Blob([file.text], { type: 'application/xml' });
      var link = el('a', { href: URL.createObjectURL(blob), download: mainBpmn });
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }

  // ---- start ----

  function bind(id, handler) {
    var node = document.getElementById(id);
    if (node) { node.addEventListener('click', function () { handler().catch(function (e) { status('出错：' + e.message, 'bad'); }); }); }
  }

  bind('btn-check', check);
  bind('btn-deploy', deploy);
  bind('btn-download', download);
  bind('btn-new-form', newForm);
  window.addEventListener('beforeunload', function (event) {
    if (editable && unsaved && !deploying) { event.preventDefault(); event.returnValue = ''; }
  });
  var uploadInput = document.getElementById('upload');
  if (uploadInput) { uploadInput.addEventListener('change', function () { upload(uploadInput.files); uploadInput.value = ''; }); }

  var ready = request('GET', root.getAttribute('data-moddle-url')).then(function (response) {
    createModeler(response.body);
    return request('GET', API + '/' + versionId);
  }).then(function (response) {
    if (response.status !== 200) { throw new Error(response.body.message || ('HTTP ' + response.status)); }
    Object.keys(response.body.files).forEach(function (n) { files[n] = { text: response.body.files[n] }; });
    mainBpmn = files[processKey + '.bpmn'] ? processKey + '.bpmn' : names('.bpmn')[0];
    refreshSelects();
    return importBpmn(files[mainBpmn].text);
  }).then(function () {
    root.setAttribute('data-ready', 'true');
    status(/deployed=1/.test(window.location.search) ? '新版本已部署' : '已载入', 'ok');
    return Promise.all([loadDiff(), editable ? loadMigration() : null]);
  }).catch(function (err) {
    root.setAttribute('data-ready', 'error');
    status('载入失败：' + err.message, 'bad');
  });

  window.qfDesigner = {
    ready: ready,
    get modeler() { return modeler; },
    get dmnModeler() { return dmnModeler; },
    files: function () { return files; },
    exportMainBpmn: exportMainBpmn,
    importBpmn: importBpmn,
    select: selectElement,
    check: check
  };
}());
