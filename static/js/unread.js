// The header's unread count (templates: notifications/_unread.html) is polled by htmx
// every minute. A phone in a pocket, or a tab left behind, should not ask all day: a
// poll is dropped while the page is hidden, and the count is asked for once as soon
// as the page is shown again.
(function () {
  "use strict";

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (document.hidden && elt && elt.hasAttribute && elt.hasAttribute("data-poll")) {
      event.preventDefault();
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      document.body.dispatchEvent(new CustomEvent("visible-again"));
    }
  });
})();
