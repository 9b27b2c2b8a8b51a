// Shows that a form is being sent: on a weak network a save can take seconds, and a
// button that does not change invites a second tap. While htmx sends a form, its
// submit button is disabled and says "正在保存…" (a search form says "正在查找…"); the
// words come from the page (<body data-sending-post="…" data-sending-get="…">), so
// they are translated with everything else. The button comes back as it was when the
// request fails or the form comes back with a message; otherwise the next page
// replaces it.
(function () {
  "use strict";

  function formOf(event) {
    var elt = event.detail && event.detail.elt;
    if (!elt) return null;
    return elt.tagName === "FORM" ? elt : elt.closest ? elt.closest("form") : null;
  }

  // Only a submit: a search that runs as one types keeps its button as it is.
  function submitterOf(event, form) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (!trigger || trigger.type !== "submit") return null;
    return trigger.submitter || form.querySelector("button[type='submit'], button:not([type])");
  }

  function leaving(xhr) {
    return !!(xhr && (xhr.getResponseHeader("HX-Location") || xhr.getResponseHeader("HX-Redirect")));
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = formOf(event);
    if (!form || form.dataset.sending) return;
    var button = submitterOf(event, form);
    if (!button) return;
    var verb = (event.detail.requestConfig && event.detail.requestConfig.verb) || "get";
    var words = document.body.dataset[verb === "get" ? "sendingGet" : "sendingPost"];
    form.dataset.sending = "1";
    form.setAttribute("aria-busy", "true");
    button.dataset.label = button.innerHTML;
    if (words) button.textContent = words;
    button.classList.add("is-sending");
    // Disabled after htmx has read the form, so the button's own name and value
    // (e.g. "whole file" or "good rows only") are still sent.
    setTimeout(function () { button.disabled = true; }, 0);
  });

  function settle(form) {
    delete form.dataset.sending;
    form.removeAttribute("aria-busy");
    form.querySelectorAll("button.is-sending").forEach(function (button) {
      button.disabled = false;
      button.classList.remove("is-sending");
      if (button.dataset.label !== undefined) button.innerHTML = button.dataset.label;
    });
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = formOf(event);
    if (!form || !form.dataset.sending || !form.isConnected) return;
    if (event.detail.successful && leaving(event.detail.xhr)) return;  // the next page is coming
    settle(form);
  });

  // The page as it is kept for the Back button (htmx's history, the browser's page
  // cache) must not be a form frozen in the middle of sending. Chromium also leaves an
  // empty style attribute on the controls of a form whose sending failed; put back from
  // htmx's snapshot, each would be refused by the strict CSP (style-src 'self').
  function settleAll() {
    document.querySelectorAll("form[data-sending]").forEach(settle);
    document.querySelectorAll("form [style='']").forEach(function (el) { el.removeAttribute("style"); });
  }
  document.addEventListener("htmx:beforeHistorySave", settleAll);
  window.addEventListener("pageshow", function (event) { if (event.persisted) settleAll(); });
})();
