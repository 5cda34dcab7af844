/* Facilitator console: live updates, keyboard shortcuts, and never an older state over a newer. */
(function () {
  "use strict";
  var F = window.facilitation;
  if (!F) { return; }

  function process(el) {
    if (el && window.htmx) { window.htmx.process(el); }
  }

  F.socket.on("console", function (payload) {
    process(F.swap("#console-state", payload, true));
  });

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var text = event.detail.xhr && event.detail.xhr.responseText;
    var match = text && text.match(/data-revision="(\d+)"/);
    if (match) {
      var incoming = Number(match[1]);
      if (incoming < F.revision()) { event.detail.shouldSwap = false; return; }
      F.setRevision(incoming);
    }
  });
  document.body.addEventListener("htmx:afterSwap", function () { F.tick(); });

  function click(name) {
    var button = document.querySelector("[data-shortcut='" + name + "']");
    if (button && !button.disabled) { button.click(); return true; }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var target = event.target;
    var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    if (tag === "input" || tag === "textarea" || tag === "select" || (target && target.isContentEditable)) { return; }
    if (event.key === "ArrowRight") {
      if (click("next")) { event.preventDefault(); }
    } else if (event.key === "ArrowLeft") {
      if (click("back")) { event.preventDefault(); }
    } else if (event.key === "r" || event.key === "R") {
      if (click("reveal")) { event.preventDefault(); }
    } else if (event.key === " " || event.key === "Spacebar") {
      if (tag === "button" || tag === "a" || tag === "summary") { return; } // space keeps its usual meaning there
      if (click("toggle")) { event.preventDefault(); }
    }
  });
})();
