// The registration lookup link follows what is typed: name, unit, category and allegation of the form.
(function () {
  "use strict";
  var link = document.getElementById("cadre-lookup-link");
  if (!link) { return; }
  var form = link.closest("form");
  function value(name) {
    var field = form && form.elements.namedItem(name);
    return field && typeof field.value === "string" ? field.value.trim() : "";
  }
  function update() {
    var url = new URL(link.href, window.location.href);
    [["name", "subject_name"], ["unit", "subject_unit"], ["category", "allegation_category"],
     ["allegation", "allegation_summary"]].forEach(function (pair) {
      var text = value(pair[1]);
      if (text) { url.searchParams.set(pair[0], text); } else { url.searchParams.delete(pair[0]); }
    });
    link.href = url.pathname + url.search;
  }
  link.addEventListener("click", update);
  link.addEventListener("focus", update);
}());
