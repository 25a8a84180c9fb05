// kb serve only: reloads the page after a rebuild and shows a failed build's errors in a banner.
(function () {
  "use strict";
  var seen = null;
  var banner = null;
  function show(message) {
    if (!banner) {
      banner = document.createElement("div");
      banner.className = "kb-banner";
      banner.id = "kb-error-banner";
      banner.setAttribute("role", "alert");
      document.body.appendChild(banner);
    }
    banner.textContent = "The last edit did not build; this page shows the last good version.\n\n" + message;
  }
  function hide() { if (banner) { banner.remove(); banner = null; } }
  function poll() {
    // The page's path tells kb serve that it is open: a rebuild renders it before the rest.
    fetch("/__kb/status?page=" + encodeURIComponent(location.pathname), { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (s) {
      if (seen === null) seen = s.version;
      else if (s.version !== seen) { location.reload(); return; }
      if (s.error) show(s.error); else hide();
    }).catch(function () { /* server stopped: try again later */ }).then(function () {
      setTimeout(poll, 250);
    });
  }
  poll();
})();
