/* Case page: draw the case's BPMN diagram with bpmn-js, mark completed and current steps,
   and show who did a step and when on click (data comes from the page and /api/v1/cases/<id>/diagram). */
(function () {
  'use strict';

  var container = document.getElementById('diagram');
  if (!container || typeof window.BpmnJS !== 'function') { return; }
  var status = document.getElementById('diagram-status');
  var info = document.getElementById('step-info');

  function historyByElement() {
    var map = {};
    document.querySelectorAll('#step-history tr[data-bpmn-id]').forEach(function (row) {
      var id = row.getAttribute('data-bpmn-id');
      (map[id] = map[id] || []).push({ by: row.getAttribute('data-by'), at: row.getAttribute('data-at') });
    });
    return map;
  }

  function text(tag, content, cls) {
    var el = document.createElement(tag);
    el.textContent = content;
    if (cls) { el.className = cls; }
    return el;
  }

  function showStep(element, history, active) {
    var bo = element.businessObject || {};
    info.replaceChildren(text('h3', bo.name || element.id));
    var done = history[element.id] || [];
    if (active.indexOf(element.id) >= 0) { info.appendChild(text('p', '当前步骤，正在办理中。', 'badge active')); }
    if (done.length) {
      var list = document.createElement('ul');
      done.forEach(function (d) { list.appendChild(text('li', (d.by || '系统') + ' 于 ' + d.at + ' 办理')); });
      info.appendChild(list);
    } else if (active.indexOf(element.id) < 0) {
      info.appendChild(text('p', '此步骤尚未由人工办理。', 'muted'));
    }
  }

  var viewer = new window.BpmnJS({ container: container });
  var history = historyByElement();

  fetch(container.getAttribute('data-diagram-url'), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    .then(function (response) {
      if (!response.ok) { throw new Error('HTTP ' + response.status); }
      return response.json();
    })
    .then(function (payload) {
      return viewer.importXML(payload.bpmn_xml).then(function () { return payload; });
    })
    .then(function (payload) {
      var canvas = viewer.get('canvas');
      var registry = viewer.get('elementRegistry');
      canvas.zoom('fit-viewport', 'auto');
      payload.completed.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, 'qf-completed'); } });
      payload.active.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, 'qf-active'); } });
      container.setAttribute('data-active', payload.active.join(' '));
      container.setAttribute('data-completed', payload.completed.join(' '));
      container.setAttribute('data-ready', 'true');
      viewer.get('eventBus').on('element.click', function (event) {
        if (event.element.type === 'bpmn:Process' || event.element.type === 'bpmn:Collaboration') { return; }
        showStep(event.element, history, payload.active);
      });
      document.querySelectorAll('button.show-step').forEach(function (button) {
        button.addEventListener('click', function () {
          var element = registry.get(button.getAttribute('data-bpmn-id'));
          if (!element) { return; }
          registry.getAll().forEach(function (el) { canvas.removeMarker(el.id, 'qf-selected'); });
          canvas.addMarker(element.id, 'qf-selected');
          showStep(element, history, payload.active);
          container.scrollIntoView({ block: 'nearest' });
        });
      });
    })
    .catch(function (error) {
      container.setAttribute('data-ready', 'error');
      if (status) { status.textContent = '流程图无法显示（' + error.message + '），请参考下方办理记录。'; }
    });

  container.addEventListener('keydown', function (event) {
    var canvas = viewer.get('canvas');
    if (event.key === '+' || event.key === '=') { canvas.zoom(canvas.zoom() * 1.2); }
    else if (event.key === '-') { canvas.zoom(canvas.zoom() / 1.2); }
    else if (event.key === '0') { canvas.zoom('fit-viewport', 'auto'); }
  });
}());
