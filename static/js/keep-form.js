// Keeps what a worker typed in a form marked `data-keep-form="<key>"` until it is
// saved: on a weak network a failed submit (or a closed tab) loses nothing. Drafts
// live in sessionStorage of this tab only, never files, never on the server. A draft
// is dropped when the page after its submit shows a success message.
(function () {
  "use strict";
  var PREFIX = "redstar-form:";
  var PENDING = "redstar-form-pending";

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      // Hidden fields too (a visit's id made with the form, so a retry after a lost
      // answer saves it once), but never the CSRF token of an older page.
      return el.name && el.name !== "_csrf_token" && el.type !== "file" && el.type !== "submit";
    });
  }

  function save(form) {
    var data = {};
    fields(form).forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) data[el.name + "=" + el.value] = true;
      } else {
        data[el.name] = el.value;
      }
    });
    try { sessionStorage.setItem(PREFIX + form.dataset.keepForm, JSON.stringify(data)); } catch (e) {}
  }

  function restore(form) {
    var raw = null;
    try { raw = sessionStorage.getItem(PREFIX + form.dataset.keepForm); } catch (e) {}
    if (!raw) return;
    var data = JSON.parse(raw);
    fields(form).forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = !!data[el.name + "=" + el.value];
      } else if (el.name in data) {
        el.value = data[el.name];
      }
    });
  }

  function setUp(root) {
    try {  // the page after a submit: its success message means that form was saved
      var pending = sessionStorage.getItem(PENDING);
      sessionStorage.removeItem(PENDING);
      if (pending && document.querySelector(".flash--success")) {
        sessionStorage.removeItem(PREFIX + pending);
      }
    } catch (e) {}
    (root.querySelectorAll ? root : document).querySelectorAll("form[data-keep-form]").forEach(function (form) {
      if (form.dataset.keepFormReady) return;
      form.dataset.keepFormReady = "1";
      if (!form.querySelector(".form-error")) restore(form);
      form.addEventListener("input", function () { save(form); });
      form.addEventListener("change", function () { save(form); });
      form.addEventListener("submit", function () {
        try { sessionStorage.setItem(PENDING, form.dataset.keepForm); } catch (e) {}
      });
    });
    // Any other form sent from this page is not the kept one.
    document.querySelectorAll("form:not([data-keep-form])").forEach(function (other) {
      if (other.dataset.keepFormWatch) return;
      other.dataset.keepFormWatch = "1";
      other.addEventListener("submit", function () {
        try { sessionStorage.removeItem(PENDING); } catch (e) {}
      });
    });
  }

  // htmx (hx-boost) could not reach the server: keep the page as it is and say so.
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.target.closest ? event.target.closest("form[data-keep-form]") : null;
    var notice = form && form.querySelector("[data-keep-form-notice]");
    if (notice) notice.hidden = false;
  });
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
})();
