/* Facilitator console: live updates, keyboard shortcuts, and never an older state over a newer. */
(function () {
  "use strict";
  var F = window.facilitation;
  if (!F) { return; }

  function process(el) {
    if (el && window.htmx) { window.htmx.process(el); }
  }

  /* The current step stays in view in the agenda's own scroll box (step 22 of 24 too),
     without moving the page or the focus. */
  function showCurrent() {
    var list = document.querySelector(".agenda-list");
    var current = list && list.querySelector("li.current");
    if (!current) { return; }
    // the list ends at the bottom of the window, however tall the top bar is
    var room = window.innerHeight - list.getBoundingClientRect().top - 12;
    if (room > 160) { list.style.maxHeight = room + "px"; }
    var box = list.getBoundingClientRect(), item = current.getBoundingClientRect();
    // the part of the list on screen: the page itself may cut its bottom off
    var bottom = Math.min(box.bottom, window.innerHeight);
    if (item.top < box.top || item.bottom > bottom) {
      list.scrollTop += item.top - box.top - Math.max(0, bottom - box.top - item.height) / 3;
    }
  }
  showCurrent();

  F.socket.on("console", function (payload) {
    process(F.swap("#console-state", payload, true));
    showCurrent();
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
  document.body.addEventListener("htmx:afterSwap", function () { F.tick(); showCurrent(); });

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
