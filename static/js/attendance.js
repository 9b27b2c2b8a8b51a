// The attendance sheet's comforts (the form works without them): a name filter over
// the rows, and the counts at the top kept in step as marks change.
(function () {
  "use strict";

  function setUp(form) {
    if (form.dataset.ready) return;
    form.dataset.ready = "1";
    var filter = form.querySelector(".att-filter");
    var rows = Array.prototype.slice.call(form.querySelectorAll(".att-row"));
    if (filter) {
      filter.hidden = false;
      filter.addEventListener("input", function () {
        var text = filter.value.trim().toLowerCase();
        rows.forEach(function (row) {
          row.hidden = text !== "" && row.dataset.name.toLowerCase().indexOf(text) < 0;
        });
      });
    }
    form.addEventListener("change", function (event) {
      if (event.target.type !== "radio") return;
      var counts = {};
      form.querySelectorAll(".att-seg input:checked").forEach(function (input) {
        counts[input.value] = (counts[input.value] || 0) + 1;
      });
      form.querySelectorAll("[data-count]").forEach(function (span) {
        span.querySelector("strong").textContent = counts[span.dataset.count] || 0;
      });
    });
  }

  function scan() {
    document.querySelectorAll("form[data-attendance]").forEach(setUp);
  }
  document.addEventListener("DOMContentLoaded", scan);
  document.addEventListener("htmx:load", scan);
})();
