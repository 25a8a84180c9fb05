// kb serve only: reloads the page after a rebuild and shows a failed build's errors in a banner.
(function () {
  "use strict";
  var seen = null;   // the build version this page shows
  var stamp = null;  // the last status heard: the server answers when it moves on
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
  var timer = null;
  var busy = false;  // one request at a time
  function later(ms) { clearTimeout(timer); timer = setTimeout(poll, ms); }
  function poll() {
    // The page's path tells kb serve that it is open: a rebuild renders it before the rest. A
    // shown page waits for the next change; a hidden one asks now and again a second later, so
    // that tabs in the background do not hold the browser's few connections to the server (nor
    // do more than four pages at once: the server says it is busy).
    if (busy) return;
    busy = true;
    var url = "/__kb/status?page=" + encodeURIComponent(location.pathname);
    if (stamp !== null && !document.hidden) url += "&seen=" + stamp;
    fetch(url, { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (s) {
      busy = false;
      if (seen === null) seen = s.version;
      else if (s.version !== seen) { location.reload(); return; }
      stamp = s.stamp;
      if (s.error) show(s.error); else hide();
      later(document.hidden || s.busy ? 1000 : 0);  // busy: other pages hold the connections
    }).catch(function () {
      busy = false;
      later(1000);  // the server stopped or restarts: try again
    });
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) later(0);  // shown again: wait for the next change from now on
  });
  poll();
})();
