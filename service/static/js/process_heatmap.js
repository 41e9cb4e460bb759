/* 流程分析: draw the process with bpmn-js and lay the figures on it — steps shaded by their p90 time with a badge
   (passages · median), flows thickened by their share of cases with the share written on them, bottlenecks
   outlined. Data: the page's #analytics-data (JSON, not script). */
(function () {
  'use strict';

  var container = document.getElementById('heatmap');
  var source = document.getElementById('analytics-data');
  var select = document.getElementById('process-select');
  if (select) {
    select.addEventListener('change', function () {
      var form = document.getElementById('analytics-filters');
      form.action = select.value;
      select.disabled = true;   // the process is in the path, not the query
      form.submit();
    });
  }
  if (!container || !source || typeof window.BpmnJS !== 'function') { return; }
  var data = JSON.parse(source.textContent);
  if (!data.bpmn_xml) { container.textContent = '此流程版本没有流程图。'; return; }

  function badge(text, cls) {
    var el = document.createElement('div');
    el.className = cls;
    el.textContent = text;
    return el;
  }

  function level(value, max) {
    if (!value || !max) { return 0; }
    return Math.max(1, Math.min(5, Math.ceil(value / max * 5)));
  }

  var viewer = new window.BpmnJS({ container: container });
  viewer.importXML(data.bpmn_xml).then(function () {
    var canvas = viewer.get('canvas');
    var overlays = viewer.get('overlays');
    var registry = viewer.get('elementRegistry');
    canvas.zoom('fit-viewport');
    var maxP90 = Math.max.apply(null, data.elements.map(function (e) { return e.p90_days || 0; }).concat([0]));
    data.elements.forEach(function (e) {
      if (!registry.get(e.id)) { return; }
      canvas.addMarker(e.id, 'qf-heat-' + level(e.p90_days, maxP90));
      var text = e.passages + '次' + (e.median_days !== null ? ' · 中位' + e.median_days + '天' : '');
      overlays.add(e.id, { position: { bottom: 4, left: 0 }, html: badge(text, 'qf-heat-badge') });
    });
    var maxCases = Math.max.apply(null, data.flows.map(function (f) { return f.cases; }).concat([0]));
    data.flows.forEach(function (f) {
      var flow = registry.get(f.id);
      if (!flow || !f.cases) { return; }
      canvas.addMarker(f.id, 'qf-flow-' + level(f.cases, maxCases));
      var mid = flow.waypoints[Math.floor(flow.waypoints.length / 2)];
      overlays.add(f.id, { position: { top: mid.y - flow.y - 18, left: mid.x - flow.x + 2 },
                           html: badge(f.share, 'qf-flow-share') });
    });
    data.bottlenecks.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, 'qf-bottleneck'); } });
    container.setAttribute('data-drawn', 'true');
  }).catch(function (err) {
    container.textContent = '流程图无法显示：' + err.message;
  });
})();
