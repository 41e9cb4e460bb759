/* Phones: every data table becomes stacked rows under 640 px (app.css); each cell is labelled with its
   column's heading, taken from the table's own <thead>, so tables on any page stack without extra markup. */
(function () {
  'use strict';
  document.querySelectorAll('table.data').forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll('thead th'), function (th) {
      return th.textContent.trim();
    });
    if (!heads.length) { return; }
    table.classList.add('stackable');
    table.querySelectorAll('tbody tr').forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        if (!cell.hasAttribute('data-label') && heads[column]) { cell.setAttribute('data-label', heads[column]); }
        column += cell.colSpan || 1;
      });
    });
  });
}());
