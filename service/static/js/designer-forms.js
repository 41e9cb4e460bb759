/* Process designer: live preview of a task form written as JSON Schema (the way task pages render it:
   one field per property, enum labels from x-enum-labels, required marks, textareas for long text). */
(function () {
  'use strict';

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') { node.textContent = attrs[key]; } else if (attrs[key] !== undefined && attrs[key] !== null && attrs[key] !== false) {
        node.setAttribute(key, attrs[key] === true ? '' : attrs[key]);
      }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function enumLabel(prop, value) {
    var labels = prop['x-enum-labels'] || {};
    return labels[value] || String(value);
  }

  function choiceList(name, prop, multiple, values, required) {
    var box = el('fieldset', { 'class': 'choices' });
    (values || []).forEach(function (value) {
      var input = el('input', { type: multiple ? 'checkbox' : 'radio', name: name, value: String(value), required: !multiple && required });
      box.appendChild(el('label', { 'class': 'choice' }, [input, document.createTextNode(enumLabel(prop, value))]));
    });
    return box;
  }

  function control(name, prop, required) {
    var type = Array.isArray(prop.type) ? prop.type.filter(function (t) { return t !== 'null'; })[0] : prop.type;
    var id = 'preview-' + name;
    if (prop['enum']) {
      if (prop['enum'].length <= 4) { return choiceList(name, prop, false, prop['enum'], required); }
      var select = el('select', { id: id, name: name, required: required });
      select.appendChild(el('option', { value: '', text: '请选择' }));
      prop['enum'].forEach(function (v) { select.appendChild(el('option', { value: String(v), text: enumLabel(prop, v) })); });
      return select;
    }
    if (type === 'array' && prop.items && prop.items['enum']) {
      return choiceList(name, prop.items, true, prop.items['enum'], false);
    }
    if (type === 'boolean') {
      return choiceList(name, { 'x-enum-labels': { 'true': '是', 'false': '否' } }, false, [true, false], required);
    }
    if (type === 'integer' || type === 'number') {
      return el('input', { id: id, name: name, type: 'number', 'class': 'number', required: required,
                           min: prop.minimum, max: prop.maximum, step: type === 'integer' ? 1 : 'any' });
    }
    if (prop.format === 'date') { return el('input', { id: id, name: name, type: 'date', 'class': 'date', required: required }); }
    if (prop.format === 'date-time') { return el('input', { id: id, name: name, type: 'datetime-local', required: required }); }
    if (type === 'object' || type === 'array') {
      return el('textarea', { id: id, name: name, rows: 3, placeholder: 'JSON', required: required });
    }
    if ((prop.maxLength || 0) > 200 || prop.format === 'textarea' || prop['x-widget'] === 'textarea') {
      return el('textarea', { id: id, name: name, rows: 4, maxlength: prop.maxLength, required: required });
    }
    return el('input', { id: id, name: name, type: 'text', maxlength: prop.maxLength, required: required });
  }

  function render(schema, form) {
    form.replaceChildren();
    if (!schema || typeof schema !== 'object') { return; }
    if (schema.title) { form.appendChild(el('h3', { text: schema.title })); }
    if (schema.description) { form.appendChild(el('p', { 'class': 'hint', text: schema.description })); }
    var required = schema.required || [];
    var props = schema.properties || {};
    var names = Object.keys(props);
    if (!names.length) { form.appendChild(el('p', { 'class': 'muted', text: '此表单没有字段。' })); }
    names.forEach(function (name) {
      var prop = props[name] || {};
      var isRequired = required.indexOf(name) >= 0;
      var label = el('label', { 'for': 'preview-' + name }, [document.createTextNode(prop.title || name)]);
      if (isRequired) { label.appendChild(el('span', { 'class': 'req', text: ' *' })); }
      var field = el('div', { 'class': 'field', 'data-field': name }, [label, control(name, prop, isRequired)]);
      if (prop.description) { field.appendChild(el('p', { 'class': 'hint', text: prop.description })); }
      form.appendChild(field);
    });
    form.appendChild(el('div', { 'class': 'buttons' }, [el('button', { type: 'button', 'class': 'primary', disabled: true, text: '提交（预览）' })]));
  }

  window.QfFormPreview = { render: render };
}());
