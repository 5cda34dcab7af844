// The text editor: line numbers that follow the text and its scrolling, the lines with a
// problem marked, and each listed problem moving the caret to its line and column.
(function () {
  "use strict";
  var editor = document.querySelector(".code-editor");
  if (!editor) return;
  var area = editor.querySelector("textarea");
  var gutter = editor.querySelector(".code-gutter");
  var bad = (editor.getAttribute("data-bad-lines") || "").split(",").filter(Boolean).map(Number);
  var shown = 0;

  function number() {
    var count = area.value.split("\n").length;
    if (count === shown) return;
    shown = count;
    var out = document.createDocumentFragment();
    for (var n = 1; n <= count; n++) {
      var span = document.createElement("span");
      span.textContent = String(n);
      if (bad.indexOf(n) >= 0) span.className = "bad";
      out.appendChild(span);
    }
    gutter.replaceChildren(out);
  }
  function follow() { gutter.scrollTop = area.scrollTop; }

  function goTo(line, column) {
    var lines = area.value.split("\n");
    var offset = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
    offset += Math.max(0, column - 1);
    area.focus();
    area.setSelectionRange(offset, offset);
    var height = parseFloat(getComputedStyle(area).lineHeight) || 20;
    area.scrollTop = Math.max(0, (line - 5) * height);
    follow();
  }

  area.addEventListener("input", number);
  area.addEventListener("scroll", follow);
  document.querySelectorAll("[data-line]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      goTo(Number(link.getAttribute("data-line")), Number(link.getAttribute("data-column")));
    });
  });
  number();
})();
