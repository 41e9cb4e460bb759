/* Process designer: the process version's settings document (settings/<key>.json) as an editable
   table. Each property is one setting; its `default` is the value in force for the version. Editing
   a value rewrites `default` in the document; deploying stores a new version (checked and audited). */
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

  function typeOf(prop) {
    return Array.isArray(prop.type) ? prop.type.filter(function (t) { return t !== 'null'; })[0] : prop.type;
  }

  // One input for one setting; `set(value)` stores a new value.
  function control(name, prop, editable, set) {
    var type = typeOf(prop);
    var value = prop['default'];
    var id = 'setting-' + name;
    if (type === 'boolean') {
      var box = el('input', { id: id, type: 'checkbox', disabled: !editable });
      box.checked = value === true;
      box.addEventListener('change', function () { set(box.checked); });
      return box;
    }
    if (type === 'integer' || type === 'number') {
      var number = el('input', { id: id, type: 'number', 'class': 'number', min: prop.minimum, max: prop.maximum,
                                 step: type === 'integer' ? 1 : 'any', readonly: !editable });
      number.value = value === undefined || value === null ? '' : String(value);
      number.addEventListener('input', function () {
        var parsed = type === 'integer' ? parseInt(number.value, 10) : parseFloat(number.value);
        set(isNaN(parsed) ? null : parsed);
      });
      return number;
    }
    if (type === 'array' && prop.items && prop.items['enum']) {
      var chosen = Array.isArray(value) ? value.slice() : [];
      var group = el('fieldset', { 'class': 'choices', id: id });
      prop.items['enum'].forEach(function (option) {
        var check = el('input', { type: 'checkbox', value: String(option), disabled: !editable });
        check.checked = chosen.indexOf(option) >= 0;
        check.addEventListener('change', function () {
          chosen = prop.items['enum'].filter(function (o) {
            return o === option ? check.checked : chosen.indexOf(o) >= 0;
          });
          set(chosen);
        });
        group.appendChild(el('label', { 'class': 'choice' }, [check, document.createTextNode(String(option))]));
      });
      return group;
    }
    var text = el('input', { id: id, type: 'text', readonly: !editable, pattern: prop.pattern });
    text.value = value === undefined || value === null ? '' : String(value);
    text.addEventListener('input', function () { set(text.value); });
    return text;
  }

  // Render `text` (the settings document) into `container`; `onChange(newText)` after every edit.
  function render(text, container, editable, onChange) {
    container.replaceChildren();
    var doc;
    try { doc = JSON.parse(text); } catch (e) {
      container.appendChild(el('p', { 'class': 'field-error', text: '设置文件不是有效的 JSON：' + e.message }));
      return;
    }
    var props = (doc && doc.properties) || {};
    if (doc.description) { container.appendChild(el('p', { 'class': 'hint', text: doc.description })); }
    var body = el('tbody');
    Object.keys(props).forEach(function (name) {
      var prop = props[name] || {};
      var input = control(name, prop, editable, function (value) {
        prop['default'] = value;
        onChange(JSON.stringify(doc, null, 2) + '\n');
      });
      body.appendChild(el('tr', { 'data-setting': name }, [
        el('th', { scope: 'row' }, [el('label', { 'for': 'setting-' + name, text: prop.title || name }),
                                    el('br'), el('code', { text: name })]),
        el('td', {}, [input]),
        el('td', { 'class': 'hint', text: prop.description || '' }),
      ]));
    });
    container.appendChild(el('table', { 'class': 'settings-table' }, [
      el('thead', {}, [el('tr', {}, [el('th', { text: '设置项' }), el('th', { text: '本版本取值' }), el('th', { text: '依据' })])]),
      body,
    ]));
  }

  window.QfSettingsEditor = { render: render };
}());
