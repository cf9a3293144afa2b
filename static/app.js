// leadgate: htmx config, focus + announcement after step swaps, timezone
// (filled into forms, and booking slots shown in the browser's zone).
// Load after htmx.min.js, both with `defer`. No inline handlers, no eval.
(function () {
  "use strict";

  function configure() {
    if (!window.htmx) return;
    var c = window.htmx.config;
    // A 422 carries the step re-rendered with field errors: swap it.
    c.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "422", swap: true },
      // A 409 carries the page re-rendered with the conflict: a booking
      // that lost the race (fresh slots), or a stale save in the editor.
      { code: "409", swap: true },
      { code: "[45]..", swap: false, error: true }
    ];
    // Indicator rules are in app.css; htmx's injected <style> breaks CSP.
    c.includeIndicatorStyles = false;
  }

  function fillTimezone(root) {
    var tz;
    try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!tz || !root.querySelectorAll) return;
    var els = root.querySelectorAll('input[name="tz"][data-detect-timezone]');
    for (var i = 0; i < els.length; i++) if (!els[i].value) els[i].value = tz;
  }

  // Booking slots are first shown in a guessed zone; with JavaScript the
  // list is fetched again in the browser's own zone, once.
  function refreshSlots(root) {
    var box = root.querySelector && root.querySelector("[data-tz-refresh]");
    if (!box || !window.htmx || box.getAttribute("data-tz-chosen") === "true") return;
    var tz;
    try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!tz || tz === box.getAttribute("data-shown-tz")) return;
    var url = box.getAttribute("data-tz-refresh") + "?tz=" + encodeURIComponent(tz);
    window.htmx.ajax("GET", url, { target: "#step", swap: "innerHTML" });
  }

  var FOCUS = [
    "[data-autofocus]",
    '[aria-invalid="true"]',
    'input:not([type="hidden"]):not([disabled]),select:not([disabled]),textarea:not([disabled])',
    'legend[tabindex="-1"],h1[tabindex="-1"],h2[tabindex="-1"]',
    "legend,h1,h2"
  ];

  function focusTarget(step) {
    for (var i = 0; i < FOCUS.length; i++) {
      var all = step.querySelectorAll(FOCUS[i]);
      for (var j = 0; j < all.length; j++) {
        if (all[j].getClientRects().length) return all[j];
      }
    }
    return null;
  }

  function stepTitle(step) {
    var el = step.querySelector("[data-step-title]");
    if (el) return el.getAttribute("data-step-title");
    el = step.querySelector("legend,h1,h2");
    return el ? el.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function announce(text) {
    var region = document.getElementById("announce");
    if (!region || !text) return;
    region.textContent = ""; // so a repeated title is announced again
    setTimeout(function () { region.textContent = text; }, 50);
  }

  var lastXhr = null;

  function afterSettle(evt) {
    var step = document.getElementById("step"), elt = evt.target;
    if (!step || !elt || elt.nodeType !== 1) return;
    if (!(step.contains(elt) || elt.contains(step))) return;
    var xhr = evt.detail && evt.detail.xhr;
    if (xhr && xhr === lastXhr) return; // one swap can settle several elements
    lastXhr = xhr || null;
    fillTimezone(step);
    refreshSlots(step);
    var t = focusTarget(step);
    if (t) {
      if (!t.matches("input,select,textarea,button,a[href],[tabindex]")) t.setAttribute("tabindex", "-1");
      t.focus();
    }
    announce(stepTitle(step));
  }

  // The inbox list is swapped when the live stream says a lead arrived:
  // announce its summary (the region is outside the swapped part).
  function announceLiveList(evt) {
    var target = evt.detail && evt.detail.target;
    if (!target || target.id !== "leads") return;
    var summary = target.querySelector("[data-live-summary]");
    if (summary) announce(summary.textContent.replace(/\s+/g, " ").trim());
  }

  function init() {
    configure(); // again, in case htmx was loaded after this file
    fillTimezone(document);
    refreshSlots(document);
    document.body.addEventListener("htmx:afterSettle", afterSettle);
    document.body.addEventListener("htmx:afterSwap", announceLiveList);
    document.body.addEventListener("htmx:load", function (e) { fillTimezone(e.target); });
  }

  configure();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
