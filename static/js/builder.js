// The builder with htmx: after a swap, keep the keyboard where it was (the same button, or the
// first field with a problem), so that moving a step twice is two presses of the same key.
(function () {
  "use strict";
  var last = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var submitter = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent
      ? event.detail.requestConfig.triggeringEvent.submitter : null;
    last = submitter ? submitter.value : null;
  });
  document.addEventListener("htmx:afterSwap", function () {
    var invalid = document.querySelector("#builder [aria-invalid=true]");
    if (invalid) { invalid.focus(); return; }
    if (!last) return;
    var moved = /^(up|down|dup|del):/.test(last);
    var target = null;
    if (moved) {
      var current = document.querySelector("#builder .builder-step.current");
      var verb = last.split(":")[0];
      if (current) target = current.querySelector("button[value^='" + verb + ":']:not([disabled])") || current.querySelector(".step-open");
    } else if (/^(open|add)/.test(last)) {
      target = document.querySelector("#panel-title");
      if (target) target.setAttribute("tabindex", "-1");
    } else {
      target = document.querySelector("#builder button[value='" + last + "']:not([hidden])");
    }
    if (target) target.focus();
  });
})();
