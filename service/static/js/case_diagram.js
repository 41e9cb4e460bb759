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
      (map[id] = map[id] || []).push({ by: row.getAttribute('data-by'), as: row.getAttribute('data-as'), at: row.getAttribute('data-at') });
    });
    return map;
  }

  function text(tag, content, cls) {
    var el = document.createElement(tag);
    el.textContent = content;
    if (cls) { el.className = cls; }
    return el;
  }

  var HUMAN = /^bpmn:(UserTask|ManualTask)$/;

  function showStep(element, history, payload) {
    var bo = element.businessObject || {};
    info.replaceChildren(text('h3', bo.name || '未命名步骤'));
    var done = history[element.id] || [];
    var active = payload.active.indexOf(element.id) >= 0;
    var completed = payload.completed.indexOf(element.id) >= 0;
    if (active) { info.appendChild(text('p', '当前步骤，正在办理中。', 'badge active')); }
    if (done.length) {
      var list = document.createElement('ul');
      done.forEach(function (d) { list.appendChild(text('li', (d.by || '系统自动完成') + (d.as ? '（' + d.as + '）' : '') + ' 于 ' + d.at + ' 办理')); });
      info.appendChild(list);
    } else if (completed && !HUMAN.test(element.type)) {
      info.appendChild(text('p', '系统自动完成。', 'muted'));
    } else if (completed) {
      info.appendChild(text('p', '已完成。', 'muted'));
    } else if (!active) {
      info.appendChild(text('p', HUMAN.test(element.type) ? '此步骤尚未办理。' : '由系统自动处理，尚未执行。', 'muted'));
    }
  }

  /* Labels are 11 px in the diagram: below this zoom they are too small to read. */
  var READABLE_SCALE = 0.9;

  /* Centre an element at a legible zoom (or keep the current zoom when it is already legible). */
  function centreOn(canvas, element) {
    var outer = canvas.viewbox().outer;
    var scale = Math.max(canvas.zoom(), READABLE_SCALE);
    var width = outer.width / scale;
    var height = outer.height / scale;
    canvas.viewbox({ x: element.x + element.width / 2 - width / 2, y: element.y + element.height / 2 - height / 2,
      width: width, height: height });
  }

  /* A small process fits the box legibly; otherwise the current step (or the last one done) is centred. */
  function fitOrFocus(canvas, registry, payload) {
    canvas.zoom('fit-viewport', 'auto');
    if (canvas.zoom() >= READABLE_SCALE) { canvas.zoom(Math.min(canvas.zoom(), 1.2), 'auto'); return; }
    var ids = payload.active.length ? payload.active : payload.completed.slice(-1);
    var target = ids.map(function (id) { return registry.get(id); }).filter(Boolean)[0];
    if (!target) { return; }
    canvas.zoom(READABLE_SCALE);
    centreOn(canvas, target);
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
      fitOrFocus(canvas, registry, payload);
      payload.completed.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, 'qf-completed'); } });
      payload.active.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, 'qf-active'); } });
      container.setAttribute('data-active', payload.active.join(' '));
      container.setAttribute('data-completed', payload.completed.join(' '));
      container.setAttribute('data-ready', 'true');
      viewer.get('eventBus').on('element.click', function (event) {
        var element = event.element.labelTarget || event.element;
        if (element.waypoints || !element.parent || /Process|Collaboration|Participant|Lane/.test(element.type)) {
          return;
        }
        showStep(element, history, payload);
      });
      /* A 办理记录 row (click anywhere on it, or its button with the keyboard) shows that step on the diagram. */
      function showRow(id) {
        var element = registry.get(id);
        if (!element) { return; }
        registry.getAll().forEach(function (el) { canvas.removeMarker(el.id, 'qf-selected'); });
        canvas.addMarker(element.id, 'qf-selected');
        centreOn(canvas, element);
        showStep(element, history, payload);
        container.setAttribute('data-selected', element.id);
        container.scrollIntoView({ block: 'nearest' });
      }
      document.querySelectorAll('#step-history tr[data-bpmn-id]').forEach(function (row) {
        row.addEventListener('click', function () { showRow(row.getAttribute('data-bpmn-id')); });
      });
    })
    .catch(function (error) {
      container.setAttribute('data-ready', 'error');
      if (status) { status.textContent = '流程图无法显示（' + error.message + '），请参考下方办理记录。'; }
    });

  function zoom(how) {
    var canvas = viewer.get('canvas');
    if (how === 'in') { canvas.zoom(canvas.zoom() * 1.25); }
    else if (how === 'out') { canvas.zoom(canvas.zoom() / 1.25); }
    else if (how === 'fit') { canvas.zoom('fit-viewport', 'auto'); }
  }

  function pan(dx, dy) {
    var canvas = viewer.get('canvas');
    canvas.scroll({ dx: dx, dy: dy });
  }

  document.querySelectorAll('[data-zoom]').forEach(function (button) {
    button.addEventListener('click', function () { zoom(button.getAttribute('data-zoom')); });
  });

  /* Keyboard: + / - zoom, 0 fits, arrow keys move the diagram. */
  container.addEventListener('keydown', function (event) {
    var keys = { '+': ['in'], '=': ['in'], '-': ['out'], '0': ['fit'],
      ArrowLeft: [null, 60, 0], ArrowRight: [null, -60, 0], ArrowUp: [null, 0, 60], ArrowDown: [null, 0, -60] };
    var action = keys[event.key];
    if (!action) { return; }
    event.preventDefault();
    if (action[0]) { zoom(action[0]); } else { pan(action[1], action[2]); }
  });
}());
