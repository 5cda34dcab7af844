// Suggestions in the text editor, read off the format language's schema (the table the page
// carries as JSON): the keys allowed where the caret is, a step's by its kind, and the values
// of a key that takes one of a list. The ARIA combobox pattern on the textarea: the caret
// stays in the text, the list only says which option Enter or Tab would insert.
(function () {
  "use strict";
  var area = document.getElementById("source");
  var list = document.getElementById("source-completion");
  var data = document.getElementById("source-completion-data");
  var status = document.getElementById("source-completion-status");
  if (!area || !list || !data || !status) return;
  var table = JSON.parse(data.textContent);
  var NAME = "[A-Za-z0-9_][A-Za-z0-9_-]*";
  var KEY_LINE = new RegExp("^(" + NAME + ")\\s*:(?:\\s+|$)(.*)$");

  // ---- where the caret is: pure functions of the text ----

  // A line's structure: its dashes' columns, the column its content starts at, its key.
  function parseLine(text) {
    var content = text.replace(/\s+#.*$/, "");
    if (!content.trim() || /^\s*#/.test(content)) return null;
    var at = content.match(/^ */)[0].length;
    var dashes = [];
    var dash;
    while ((dash = content.slice(at).match(/^-( +|$)/))) {
      dashes.push(at);
      at += dash[0].length;
    }
    var rest = content.slice(at);
    var keyed = rest.match(KEY_LINE);
    return {dashes: dashes, col: at, key: keyed ? keyed[1] : null, value: keyed ? keyed[2].trim() : rest};
  }

  function lastDash(line) { return line.dashes.length ? line.dashes[line.dashes.length - 1] : -1; }

  // The mapping whose keys sit at `col` around `row` (`dash`: the column of the dash that
  // starts it on that row, or -1): its other keys, and the key above that holds it.
  function frameAt(lines, row, col, dash) {
    var siblings = {};
    var start = row;
    var owner = null;
    var r, line;
    for (r = row - 1; dash < 0 && r >= 0; r--) {
      line = parseLine(lines[r]);
      if (!line || line.col > col) continue;
      if (line.col === col) {
        if (line.key) siblings[line.key] = line.value;
        if (line.dashes.length) { start = r; dash = lastDash(line); }
        continue;
      }
      owner = {row: r, line: line, list: false};
      break;
    }
    for (r = row + 1; r < lines.length; r++) {
      line = parseLine(lines[r]);
      if (!line || line.col > col) continue;
      if (line.col < col || line.dashes.length) break;
      if (line.key) siblings[line.key] = line.value;
    }
    if (dash >= 0) {
      // a list item: the list belongs to the first key above at or left of its dash (YAML
      // lets a list sit at its key's own indentation)
      for (r = start - 1; r >= 0; r--) {
        line = parseLine(lines[r]);
        if (line && line.col <= dash) { owner = {row: r, line: line, list: true}; break; }
      }
    }
    var frame = {siblings: siblings, via: null, parent: null};
    if (owner && owner.line.key && !owner.line.value) {
      frame.via = {key: owner.line.key, list: owner.list};
      var ownDash = owner.line.dashes.length ? lastDash(owner.line) : -1;
      frame.parent = frameAt(lines, owner.row, owner.line.col, ownDash);
    } else if (owner) {
      // under a key that has its value already ("body: |" and its text), or under a plain
      // list item: what is typed there is not a key
      frame.lost = true;
    }
    return frame;
  }

  // What may be typed at `caret`: keys of a mapping, a key's value, or a list's item.
  function contextAt(text, caret) {
    var lineStart = text.lastIndexOf("\n", caret - 1) + 1;
    var lineEnd = text.indexOf("\n", caret);
    if (lineEnd < 0) lineEnd = text.length;
    var before = text.slice(lineStart, caret);
    var after = text.slice(caret, lineEnd);
    var lines = text.split("\n");
    var row = text.slice(0, lineStart).split("\n").length - 1;
    var tail = after.match(/^[A-Za-z0-9_-]*/)[0].length;
    var typed = before.match(new RegExp("^( *)((?:- +)*)(" + NAME + ")?$"));
    if (typed) {
      var prefix = typed[3] || "";
      var col = before.length - prefix.length;
      var dash = typed[2] ? typed[1].length + typed[2].lastIndexOf("-") : -1;
      var swallow = after.slice(tail).match(/^\s*:\s?/);
      return {mode: "key", prefix: prefix, start: caret - prefix.length,
        end: caret + tail + (swallow ? swallow[0].length : 0), frame: frameAt(lines, row, col, dash)};
    }
    var valued = before.match(new RegExp("^( *)((?:- +)*)(" + NAME + "):( +)([A-Za-z0-9_$-]*)$"));
    if (valued) {
      var at = valued[1].length + valued[2].length;
      var own = valued[2] ? valued[1].length + valued[2].lastIndexOf("-") : -1;
      return {mode: "value", key: valued[3], prefix: valued[5], start: caret - valued[5].length,
        end: caret + tail, frame: frameAt(lines, row, at, own)};
    }
    return null;
  }

  // ---- what the schema allows there ----

  function keysOf(shape, siblings) {
    if (!shape) return [];
    if (shape.free) return [];
    if (shape.by && shape.of[siblings[shape.by]]) return table.shapes[shape.of[siblings[shape.by]]].keys;
    return shape.keys || [];
  }

  function find(keys, name) {
    for (var i = 0; i < keys.length; i++) if (keys[i].k === name) return keys[i];
    return null;
  }

  // The shape of a frame's mapping, from the file's root down the keys that lead to it.
  function shapeOf(frame) {
    if (frame.lost) return null;
    if (!frame.parent) return table.shapes[table.root];
    var above = shapeOf(frame.parent);
    if (!above) return null;
    if (above.free) return table.shapes[above.free];
    var entry = find(keysOf(above, frame.parent.siblings), frame.via.key);
    if (!entry) return null;
    if (frame.via.list) return entry.a ? table.shapes[entry.a] : (entry.iv ? {items: entry} : null);
    if (entry.m) return {free: entry.m};
    return entry.o ? table.shapes[entry.o] : null;
  }

  function matches(word, prefix) {
    return word.toLowerCase().indexOf(prefix.toLowerCase()) === 0;
  }

  // The options for a context: {text to insert, the word, its label, its description}.
  function optionsFor(context) {
    var shape = shapeOf(context.frame);
    if (!shape) return [];
    var out = [];
    if (shape.items || context.mode === "value") {
      var entry = shape.items || find(keysOf(shape, context.frame.siblings), context.key);
      var values = entry ? (shape.items ? entry.iv : entry.v) : null;
      var labels = entry ? (shape.items ? entry.ivl : entry.vl) : null;
      (values || []).forEach(function (value, i) {
        if (matches(value, context.prefix)) {
          out.push({insert: value, word: value, label: labels ? labels[i] : "", help: ""});
        }
      });
      return out;
    }
    keysOf(shape, context.frame.siblings).forEach(function (entry) {
      if (entry.k in context.frame.siblings || !matches(entry.k, context.prefix)) return;
      out.push({insert: entry.k + ": ", word: entry.k, label: entry.l || "", help: entry.d || "",
        then: !!entry.v});
    });
    return out;
  }

  // ---- the list ----

  var shown = [];
  var active = -1;
  var context = null;
  var inserting = false;

  function close() {
    if (list.hidden) return;
    list.hidden = true;
    list.replaceChildren();
    area.removeAttribute("aria-activedescendant");
    status.textContent = "";
    shown = [];
    active = -1;
  }

  function part(className, text, lang) {
    var span = document.createElement("span");
    span.className = className;
    span.textContent = text;
    if (lang) span.lang = lang;
    return span;
  }

  function render() {
    var out = document.createDocumentFragment();
    shown.forEach(function (option, i) {
      var item = document.createElement("li");
      item.id = "source-completion-" + i;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", i === active ? "true" : "false");
      item.appendChild(part("completion-word", option.word));
      if (option.label) item.appendChild(part("completion-label", option.label));
      // the schema's descriptions are written in English
      if (option.help) item.appendChild(part("completion-help", option.help, "en"));
      out.appendChild(item);
    });
    list.replaceChildren(out);
  }

  function choose(index) {
    active = index;
    Array.prototype.forEach.call(list.children, function (item, i) {
      item.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    var item = list.children[index];
    if (!item) return;
    area.setAttribute("aria-activedescendant", item.id);
    // scrolls the list only (scrollIntoView would scroll the page under the caret too)
    if (item.offsetTop < list.scrollTop) list.scrollTop = item.offsetTop;
    var bottom = item.offsetTop + item.offsetHeight - list.clientHeight;
    if (bottom > list.scrollTop) list.scrollTop = bottom;
  }

  // Under the caret's line, in line with the word being typed (above it near the page's end).
  function place() {
    var style = getComputedStyle(area);
    var lineHeight = parseFloat(style.lineHeight) || 20;
    var probe = document.createElement("canvas").getContext("2d");
    probe.font = style.fontWeight + " " + style.fontSize + " " + style.fontFamily;
    var charWidth = probe.measureText("m").width || 8;
    var before = area.value.slice(0, context.start);
    var row = before.split("\n").length - 1;
    var column = before.length - before.lastIndexOf("\n") - 1;
    var box = area.getBoundingClientRect();
    var wrap = list.parentNode.getBoundingClientRect();
    var lineTop = box.top - wrap.top + area.clientTop + parseFloat(style.paddingTop) +
      row * lineHeight - area.scrollTop;
    var left = box.left - wrap.left + area.clientLeft + parseFloat(style.paddingLeft) +
      column * charWidth - area.scrollLeft;
    list.style.left = Math.max(0, Math.min(left, wrap.width - list.offsetWidth)) + "px";
    var below = lineTop + lineHeight + 2;
    var roomBelow = window.innerHeight - (wrap.top + below);
    list.style.top = (roomBelow < list.offsetHeight && lineTop > list.offsetHeight
      ? lineTop - list.offsetHeight - 2 : below) + "px";
  }

  function update(explicit) {
    context = area.selectionStart === area.selectionEnd ? contextAt(area.value, area.selectionStart) : null;
    var options = context ? optionsFor(context) : [];
    var wanted = explicit || !list.hidden || (context && (context.prefix || context.mode === "value"));
    if (!options.length || !wanted) { close(); return; }
    shown = options;
    list.hidden = false;
    render();
    place();
    choose(0);
    var counts = options.length === 1 ? status.getAttribute("data-one")
      : status.getAttribute("data-many").replace("{n}", String(options.length));
    if (status.textContent !== counts) status.textContent = counts;
  }

  function accept(index) {
    var option = shown[index];
    if (!option || !context) return;
    var start = context.start;
    var end = context.end;
    close();
    area.focus();
    area.setSelectionRange(start, end);
    inserting = true;
    // insertText keeps the browser's undo history (Ctrl+Z takes the suggestion back)
    if (!document.execCommand("insertText", false, option.insert)) {
      area.setRangeText(option.insert, start, end, "end");
      area.dispatchEvent(new Event("input", {bubbles: true}));
    }
    inserting = false;
    if (option.then) update(true);
  }

  area.setAttribute("aria-autocomplete", "list");
  area.setAttribute("aria-controls", list.id);

  area.addEventListener("input", function (event) {
    if (inserting) return;
    var typing = /^insert(Text|CompositionText|ReplacementText)$/.test(event.inputType || "");
    if (typing || !list.hidden) update(false);
  });
  area.addEventListener("keydown", function (event) {
    if (event.ctrlKey && (event.key === " " || event.code === "Space")) {
      event.preventDefault();
      update(true);
      return;
    }
    if (list.hidden) return;
    var plain = !event.ctrlKey && !event.altKey && !event.metaKey && !event.shiftKey;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      choose((active + step + shown.length) % shown.length);
    } else if ((event.key === "Enter" || event.key === "Tab") && plain && active >= 0) {
      event.preventDefault();
      accept(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (/^(ArrowLeft|ArrowRight|Home|End|PageUp|PageDown)$/.test(event.key)) {
      close();
    }
  });
  area.addEventListener("mousedown", close);
  area.addEventListener("blur", close);
  // above or below the line depends on the room left in the window
  function follow() { if (!list.hidden) place(); }
  area.addEventListener("scroll", follow);
  window.addEventListener("scroll", follow, {passive: true});
  window.addEventListener("resize", follow);
  // the mouse must not take the focus from the text (the caret stays where it was)
  list.addEventListener("mousedown", function (event) { event.preventDefault(); });
  list.addEventListener("click", function (event) {
    var item = event.target.closest("[role=option]");
    if (item) accept(Array.prototype.indexOf.call(list.children, item));
  });
})();
