/* Process designer: a small properties panel for what the Qingfeng engine reads.
   It edits the selected element's businessObject through bpmn-js commands (modeling.updateProperties /
   updateModdleProperties), so every change is undoable and marks the diagram as changed.
   Spiff extension elements use the `spiffworkflow` moddle descriptor (static/js/spiffworkflow-moddle.json). */
(function () {
  'use strict';

  var SPIFF_TEXT = {
    form: 'spiffworkflow:FormJsonSchemaFilename',
    instructions: 'spiffworkflow:InstructionsForEndUser',
    decision: 'spiffworkflow:CalledDecisionId',
    preScript: 'spiffworkflow:PreScript',
    postScript: 'spiffworkflow:PostScript'
  };
  var TIMER_KINDS = { timeDate: '时间点', timeDuration: '时长', timeCycle: '循环' };
  var HUMAN = ['bpmn:UserTask', 'bpmn:ManualTask'];
  var TASKS = ['bpmn:UserTask', 'bpmn:ManualTask', 'bpmn:ScriptTask', 'bpmn:BusinessRuleTask', 'bpmn:Task',
               'bpmn:SendTask', 'bpmn:ReceiveTask', 'bpmn:ServiceTask', 'bpmn:CallActivity', 'bpmn:SubProcess'];

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

  var TYPE_NAMES = { UserTask: '用户任务', ManualTask: '人工任务', ScriptTask: '脚本任务', ServiceTask: '服务任务',
    BusinessRuleTask: '决策任务', SendTask: '发送任务', ReceiveTask: '接收任务', Task: '任务', CallActivity: '调用活动',
    SubProcess: '子流程', StartEvent: '开始事件', EndEvent: '结束事件', BoundaryEvent: '边界事件',
    IntermediateCatchEvent: '中间捕获事件', IntermediateThrowEvent: '中间抛出事件', ExclusiveGateway: '排他网关',
    ParallelGateway: '并行网关', InclusiveGateway: '包容网关', EventBasedGateway: '事件网关', SequenceFlow: '顺序流',
    Process: '流程', Collaboration: '协作图', Participant: '池', Lane: '泳道', TextAnnotation: '文字注释' };

  function is(bo, type) { return bo && typeof bo.$instanceOf === 'function' && bo.$instanceOf(type); }
  function isAny(bo, types) { return types.some(function (t) { return is(bo, t); }); }

  function PropertiesPanel(modeler, container, options) {
    this.modeler = modeler;
    this.container = container;
    this.options = options || {};
    this.modeling = modeler.get('modeling');
    this.moddle = modeler.get('moddle');
    this.registry = modeler.get('elementRegistry');
    this.current = null;
    var self = this;
    modeler.on('selection.changed', function (event) {
      self.show(event.newSelection.length === 1 ? event.newSelection[0] : null);
    });
    modeler.on('element.changed', function (event) {
      if (self.current && event.element === self.current && !self.editing) { self.show(self.current); }
    });
  }

  PropertiesPanel.prototype.root = function () {
    return this.modeler.get('canvas').getRootElement();
  };

  // ---- reading and writing the model ----

  PropertiesPanel.prototype.extensionValues = function (bo) {
    return (bo.extensionElements && bo.extensionElements.values) || [];
  };

  PropertiesPanel.prototype.ensureExtensions = function (element) {
    var bo = element.businessObject;
    if (!bo.extensionElements) {
      var ext = this.moddle.create('bpmn:ExtensionElements', { values: [] });
      ext.$parent = bo;
      this.modeling.updateProperties(element, { extensionElements: ext });
    }
    return bo.extensionElements;
  };

  PropertiesPanel.prototype.spiffText = function (bo, key) {
    var type = SPIFF_TEXT[key];
    var found = this.extensionValues(bo).filter(function (v) { return v.$type === type; })[0];
    return found ? (found.value || '') : '';
  };

  PropertiesPanel.prototype.setSpiffText = function (element, key, text) {
    var bo = element.businessObject, type = SPIFF_TEXT[key];
    var values = this.extensionValues(bo);
    var found = values.filter(function (v) { return v.$type === type; })[0];
    if (found && text) {
      this.modeling.updateModdleProperties(element, found, { value: text });
    } else if (found) {
      this.modeling.updateModdleProperties(element, bo.extensionElements,
        { values: values.filter(function (v) { return v !== found; }) });
    } else if (text) {
      var ext = this.ensureExtensions(element);
      var created = this.moddle.create(type, { value: text });
      created.$parent = ext;
      this.modeling.updateModdleProperties(element, ext, { values: ext.values.concat([created]) });
    }
  };

  PropertiesPanel.prototype.propertiesElement = function (bo) {
    return this.extensionValues(bo).filter(function (v) { return v.$type === 'spiffworkflow:Properties'; })[0];
  };

  PropertiesPanel.prototype.spiffProperty = function (bo, name) {
    var props = this.propertiesElement(bo);
    var found = props && (props.properties || []).filter(function (p) { return p.name === name; })[0];
    return found ? (found.value || '') : '';
  };

  PropertiesPanel.prototype.setSpiffProperty = function (element, name, value) {
    var bo = element.businessObject;
    var props = this.propertiesElement(bo);
    var list = (props && props.properties) || [];
    var found = list.filter(function (p) { return p.name === name; })[0];
    if (found && value) {
      this.modeling.updateModdleProperties(element, found, { value: value });
    } else if (found) {
      this.modeling.updateModdleProperties(element, props, { properties: list.filter(function (p) { return p !== found; }) });
    } else if (value) {
      var ext = this.ensureExtensions(element);
      if (!props) {
        props = this.moddle.create('spiffworkflow:Properties', { properties: [] });
        props.$parent = ext;
        this.modeling.updateModdleProperties(element, ext, { values: ext.values.concat([props]) });
      }
      var created = this.moddle.create('spiffworkflow:Property', { name: name, value: value });
      created.$parent = props;
      this.modeling.updateModdleProperties(element, props, { properties: (props.properties || []).concat([created]) });
    }
  };

  PropertiesPanel.prototype.documentation = function (bo) {
    return (bo.documentation && bo.documentation[0] && bo.documentation[0].text) || '';
  };

  PropertiesPanel.prototype.setDocumentation = function (element, text) {
    var docs = text ? [this.moddle.create('bpmn:Documentation', { text: text })] : [];
    this.modeling.updateProperties(element, { documentation: docs });
  };

  PropertiesPanel.prototype.expression = function (text) {
    return this.moddle.create('bpmn:FormalExpression', { body: text });
  };

  PropertiesPanel.prototype.timerDefinition = function (bo) {
    return (bo.eventDefinitions || []).filter(function (d) { return is(d, 'bpmn:TimerEventDefinition'); })[0];
  };

  PropertiesPanel.prototype.timer = function (bo) {
    var def = this.timerDefinition(bo);
    if (!def) { return null; }
    var kind = ['timeDate', 'timeDuration', 'timeCycle'].filter(function (k) { return def[k]; })[0] || 'timeDate';
    return { kind: kind, body: def[kind] ? (def[kind].body || '') : '' };
  };

  PropertiesPanel.prototype.setTimer = function (element, kind, body) {
    var def = this.timerDefinition(element.businessObject);
    var props = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
    props[kind] = this.expression(body);
    props[kind].$parent = def;
    this.modeling.updateModdleProperties(element, def, props);
  };

  PropertiesPanel.prototype.setCondition = function (element, text) {
    var value = text ? this.expression(text) : undefined;
    this.modeling.updateProperties(element, { conditionExpression: value });
  };

  PropertiesPanel.prototype.setDefaultFlow = function (flow, isDefault) {
    var source = flow.source;
    if (!source) { return; }
    var current = source.businessObject['default'];
    if (isDefault) {
      this.modeling.updateProperties(source, { 'default': flow.businessObject });
    } else if (current === flow.businessObject) {
      this.modeling.updateProperties(source, { 'default': undefined });
    }
  };

  // ---- rendering ----

  PropertiesPanel.prototype.field = function (label, key, value, opts) {
    opts = opts || {};
    var id = 'qf-prop-' + key;
    var input;
    if (opts.choices) {
      input = el('select', { id: id, name: key });
      input.appendChild(el('option', { value: '', text: opts.blank || '（未设置）' }));
      var groups = {};
      opts.choices.forEach(function (choice) {
        var option = el('option', { value: choice.value, text: choice.label });
        if (choice.value === value) { option.selected = true; }
        if (!choice.group) { input.appendChild(option); return; }
        if (!groups[choice.group]) {   // <optgroup> per group, in the order the choices come
          groups[choice.group] = el('optgroup', { label: choice.group });
          input.appendChild(groups[choice.group]);
        }
        groups[choice.group].appendChild(option);
      });
      if (value && !opts.choices.some(function (c) { return c.value === value; })) {
        var extra = el('option', { value: value, text: value + '（未知）' });
        extra.selected = true;
        input.appendChild(extra);
      }
    } else if (opts.multiline) {
      input = el('textarea', { id: id, name: key, rows: opts.rows || 3, spellcheck: 'false' });
      input.value = value || '';
    } else if (opts.checkbox) {
      input = el('input', { id: id, name: key, type: 'checkbox' });
      input.checked = !!value;
    } else {
      input = el('input', { id: id, name: key, type: 'text', list: opts.list || null, autocomplete: 'off' });
      input.value = value || '';
    }
    if (opts.readonly) { input.readOnly = true; input.disabled = true; }
    if (!this.options.editable) { input.disabled = true; }
    var self = this;
    if (opts.onChange) {
      input.addEventListener('change', function () {
        self.editing = true;
        try { opts.onChange(opts.checkbox ? input.checked : input.value.trim() === '' ? '' : input.value); } finally {
          self.editing = false;
        }
        if (opts.rerender) { self.show(self.current); }
      });
    }
    var row = el('div', { 'class': 'prop-row' + (opts.checkbox ? ' check' : '') }, [el('label', { 'for': id, text: label }), input]);
    if (opts.hint) { row.appendChild(el('p', { 'class': 'hint', text: opts.hint })); }
    return row;
  };

  PropertiesPanel.prototype.datalist = function (id, values) {
    var list = el('datalist', { id: id });
    values.forEach(function (v) { list.appendChild(el('option', { value: v })); });
    return list;
  };

  PropertiesPanel.prototype.show = function (element) {
    var self = this;
    this.current = element;
    var target = element || this.root();
    var bo = target.businessObject;
    var box = this.container;
    box.replaceChildren();
    if (!bo) { return; }
    box.setAttribute('data-element-id', target.id);
    var typeName = (bo.$type || '').replace('bpmn:', '');
    box.appendChild(el('h2', { text: element ? '属性' : '流程属性' }));
    box.appendChild(el('p', { 'class': 'prop-type' }, [document.createTextNode(TYPE_NAMES[typeName] || '元素'),
      document.createTextNode(' · '), el('code', { text: bo.id || '' })]));
    var problems = (this.options.problemsFor && this.options.problemsFor(bo.id)) || [];
    if (problems.length) {
      var list = el('ul', { 'class': 'prop-problems' });
      problems.forEach(function (p) { list.appendChild(el('li', { text: p.message })); });
      box.appendChild(list);
    }
    box.appendChild(this.field('ID', 'id', bo.id, { readonly: true }));
    if (!is(bo, 'bpmn:Collaboration')) {
      box.appendChild(this.field('名称', 'name', bo.name, {
        onChange: function (v) { self.modeling.updateProperties(target, { name: v || undefined }); }
      }));
    }
    if (isAny(bo, TASKS) || is(bo, 'bpmn:Process') || is(bo, 'bpmn:Event') || is(bo, 'bpmn:Gateway')) {
      box.appendChild(this.field('说明', 'documentation', this.documentation(bo), {
        multiline: true, rows: 3, onChange: function (v) { self.setDocumentation(target, v); }
      }));
    }
    if (isAny(bo, HUMAN)) { this.humanTask(box, target, bo); }
    if (is(bo, 'bpmn:Lane')) { this.laneFields(box, target, bo); }
    if (is(bo, 'bpmn:ScriptTask')) {
      box.appendChild(this.field('脚本', 'script', bo.script, {
        multiline: true, rows: 6, onChange: function (v) { self.modeling.updateProperties(target, { script: v || undefined }); }
      }));
      box.appendChild(this.field('可发起的关联案件', 'start_cases', this.linkDeclarations(bo), {
        hint: '每行一个：名称=流程标识，例如 follow_up=follow_up_visit。脚本只能设置本元素声明的 start_case_名称，目标流程须已部署。',
        multiline: true, rows: 2, onChange: function (v) { self.setLinkDeclarations(target, v); }
      }));
    }
    if (is(bo, 'bpmn:BusinessRuleTask')) {
      box.appendChild(this.datalist('qf-decisions', (this.options.decisionIds && this.options.decisionIds()) || []));
      box.appendChild(this.field('决策表', 'calledDecisionId', this.spiffText(bo, 'decision'), {
        list: 'qf-decisions', onChange: function (v) { self.setSpiffText(target, 'decision', v); }
      }));
    }
    if (isAny(bo, TASKS)) {
      box.appendChild(this.field('前置脚本', 'preScript', this.spiffText(bo, 'preScript'), {
        multiline: true, onChange: function (v) { self.setSpiffText(target, 'preScript', v); }
      }));
      box.appendChild(this.field('后置脚本', 'postScript', this.spiffText(bo, 'postScript'), {
        multiline: true, onChange: function (v) { self.setSpiffText(target, 'postScript', v); }
      }));
    }
    if (is(bo, 'bpmn:StartEvent')) {
      box.appendChild(this.field('可发起的角色', 'start_roles', this.spiffProperty(bo, 'start_roles'), {
        hint: '以逗号分隔，例如 intake,handler', onChange: function (v) { self.setSpiffProperty(target, 'start_roles', v); }
      }));
      box.appendChild(this.datalist('qf-forms', (this.options.formNames && this.options.formNames()) || []));
      box.appendChild(this.field('开始表单', 'start_form', this.spiffText(bo, 'form'), {
        list: 'qf-forms', hint: '发起数据按此表单校验，例如 clue_handling/start.json；没有开始表单时发起不接受数据',
        onChange: function (v) { self.setSpiffText(target, 'form', v); }
      }));
    }
    var timer = this.timer(bo);
    if (timer) { this.timerFields(box, target, timer); }
    if (is(bo, 'bpmn:SequenceFlow')) { this.flowFields(box, target, bo); }
  };

  // The positions a task may name relative to its case, in Chinese (issue 13 point 2), then the first cut's
  // role names that still resolve; without the server's list, the bare role names.
  PropertiesPanel.prototype.positionChoices = function () {
    if (this.options.positions && this.options.positions.length) { return this.options.positions; }
    return (this.options.roles || []).map(function (r) { return { value: r, label: r }; });
  };

  PropertiesPanel.prototype.humanTask = function (box, target, bo) {
    var self = this;
    box.appendChild(this.field('办理职务', 'role', this.spiffProperty(bo, 'role'), {
      choices: this.positionChoices(), blank: '（选择办理职务）',
      hint: '按本案确定：承办部门、分管该部门的领导等均按案件的承办部门确定具体人员',
      onChange: function (v) { self.setSpiffProperty(target, 'role', v); }
    }));
    box.appendChild(this.datalist('qf-forms', (this.options.formNames && this.options.formNames()) || []));
    box.appendChild(this.field('表单', 'form', this.spiffText(bo, 'form'), {
      list: 'qf-forms', hint: '相对 forms/ 的路径，例如 clue_handling/register.json',
      onChange: function (v) { self.setSpiffText(target, 'form', v); }
    }));
    box.appendChild(this.field('办理说明', 'instructions', this.spiffText(bo, 'instructions'), {
      multiline: true, onChange: function (v) { self.setSpiffText(target, 'instructions', v); }
    }));
    box.appendChild(this.field('期限表达式', 'deadline', this.spiffProperty(bo, 'deadline'), {
      hint: '例如 workday_deadline(received_date, 15)', onChange: function (v) { self.setSpiffProperty(target, 'deadline', v); }
    }));
    box.appendChild(this.field('审批对象', 'approves', this.spiffProperty(bo, 'approves'), {
      hint: '被审批的用户任务 ID（双人原则）', onChange: function (v) { self.setSpiffProperty(target, 'approves', v); }
    }));
  };

  // A lane: one picker sets the position of every human task in it (each task can still be changed alone).
  PropertiesPanel.prototype.laneFields = function (box, target, bo) {
    var self = this;
    var tasks = (bo.flowNodeRef || []).filter(function (node) { return isAny(node, HUMAN); });
    var roles = tasks.map(function (t) { return self.spiffProperty(t, 'role'); });
    var shared = roles.length && roles.every(function (r) { return r === roles[0]; }) ? roles[0] : '';
    box.appendChild(this.field('泳道职务', 'lane_role', shared, {
      choices: this.positionChoices(), blank: roles.length ? '（各任务不同，选择后统一设置）' : '（泳道内没有人工任务）',
      hint: '本泳道内有 ' + tasks.length + ' 个人工任务，选择后一并设置其办理职务',
      onChange: function (v) {
        tasks.forEach(function (t) {
          var shape = self.registry.get(t.id);
          if (shape) { self.setSpiffProperty(shape, 'role', v); }
        });
      }
    }));
  };

  // `start_case_<name>` properties as "name=process_key" lines.
  PropertiesPanel.prototype.linkDeclarations = function (bo) {
    var props = this.propertiesElement(bo);
    return ((props && props.properties) || []).filter(function (p) { return /^start_case_./.test(p.name || ''); })
      .map(function (p) { return p.name.replace(/^start_case_/, '') + '=' + (p.value || ''); }).join('\n');
  };

  PropertiesPanel.prototype.setLinkDeclarations = function (element, text) {
    var self = this;
    var wanted = {};
    (text || '').split(/\n/).forEach(function (line) {
      var parts = line.split('=');
      var name = (parts[0] || '').trim(), key = (parts[1] || '').trim();
      if (name && key) { wanted['start_case_' + name] = key; }
    });
    var props = this.propertiesElement(element.businessObject);
    ((props && props.properties) || []).forEach(function (p) {
      if (/^start_case_./.test(p.name || '') && !(p.name in wanted)) { self.setSpiffProperty(element, p.name, ''); }
    });
    Object.keys(wanted).forEach(function (name) { self.setSpiffProperty(element, name, wanted[name]); });
  };

  PropertiesPanel.prototype.timerFields = function (box, target, timer) {
    var self = this;
    var kinds = Object.keys(TIMER_KINDS).map(function (k) { return { value: k, label: TIMER_KINDS[k] }; });
    box.appendChild(el('h3', { text: '定时器' }));
    box.appendChild(this.field('类型', 'timer_kind', timer.kind, {
      choices: kinds, blank: '（选择类型）', rerender: true,
      onChange: function (v) { if (v) { self.setTimer(target, v, self.timer(target.businessObject).body); } }
    }));
    box.appendChild(this.field('表达式', 'timer_expression', timer.body, {
      hint: '表达式在沙箱中求值：ISO 8601 文本须加引号，例如 "P1D"、"R6/P1D"；工作日期限用变量，例如 reply_due',
      onChange: function (v) { self.setTimer(target, self.timer(target.businessObject).kind, v); }
    }));
  };

  PropertiesPanel.prototype.flowFields = function (box, target, bo) {
    var self = this;
    var source = target.source && target.source.businessObject;
    box.appendChild(this.field('条件', 'condition', bo.conditionExpression ? bo.conditionExpression.body : '', {
      multiline: true, rows: 2, hint: "例如 decision == 'approve'",
      onChange: function (v) { self.setCondition(target, v); }
    }));
    if (source && isAny(source, ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway'])) {
      box.appendChild(this.field('默认流', 'default_flow', source['default'] === bo, {
        checkbox: true, rerender: true, onChange: function (v) { self.setDefaultFlow(target, v); }
      }));
    }
  };

  window.QfPropertiesPanel = PropertiesPanel;
}());
