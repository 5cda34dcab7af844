/* Audience questions and reactions: phones ask, upvote (and take it back) and react over
   the socket with an acknowledgement; the list pushed to everyone is marked with this
   phone's own upvotes and sorted as the phone chose. The projector floats reactions up
   (counts only when the viewer prefers reduced motion). Without the socket, the forms post. */
(function () {
  "use strict";
  var F = window.facilitation;
  if (!F) { return; }
  var body = document.body;
  var upvoted = {};
  var order = null;
  try {
    var mine = JSON.parse(body.dataset.mine || "{}");
    ((mine.questions || {}).upvoted || []).forEach(function (id) { upvoted[id] = true; });
  } catch (e) { /* nothing of mine yet */ }

  function panel() { return document.getElementById("questions"); }

  function mark() {
    var buttons = document.querySelectorAll("#questions-list .question-card");
    for (var i = 0; i < buttons.length; i++) {
      var card = buttons[i];
      var button = card.querySelector("button.upvote");
      var up = !!upvoted[card.dataset.id];
      if (button) { button.setAttribute("aria-pressed", up ? "true" : "false"); }
      var field = card.querySelector("input[name=up]");
      if (field) { field.value = up ? "0" : "1"; }
    }
    var csrf = body.dataset.csrf;
    if (csrf) {
      var fields = document.querySelectorAll("#questions-list .csrf-field");
      for (var j = 0; j < fields.length; j++) { fields[j].value = csrf; }
    }
  }

  function sort() {
    var list = document.querySelector("#questions-list ol.questions");
    var box = panel();
    if (!list || !box) { return; }
    var chosen = order || (box.querySelector(".sort[aria-pressed=true]") || {}).dataset;
    var by = typeof chosen === "string" ? chosen : (chosen && chosen.order) || "votes";
    var cards = Array.prototype.slice.call(list.children);
    cards.sort(function (a, b) {
      if (by === "recent") { return Number(b.dataset.at) - Number(a.dataset.at); }
      return Number(b.dataset.votes) - Number(a.dataset.votes) || Number(a.dataset.at) - Number(b.dataset.at);
    });
    cards.forEach(function (card) { list.appendChild(card); });
    var sorts = box.querySelectorAll(".sort");
    for (var i = 0; i < sorts.length; i++) {
      sorts[i].setAttribute("aria-pressed", sorts[i].dataset.order === by ? "true" : "false");
    }
  }

  function refresh() { mark(); sort(); }

  F.socket.on("me", function (data) {
    var own = data && data.questions;
    if (own && own.upvoted) {
      upvoted = {};
      own.upvoted.forEach(function (id) { upvoted[id] = true; });
      refresh();
    }
  });

  F.socket.on("questions", function (payload) {
    var box = document.getElementById("questions-list");
    var section = panel();
    if (!box || !section || section.dataset.step !== payload.step) { return; }
    var focused = document.activeElement;
    var focusedId = focused && focused.closest ? (focused.closest(".question-card") || {}).dataset : null;
    box.innerHTML = payload.html;
    refresh();
    if (focusedId && focusedId.id) {
      var again = box.querySelector(".question-card[data-id='" + focusedId.id.replace(/\D/g, "") + "'] button.upvote");
      if (again) { again.focus({ preventScroll: true }); }
    }
  });

  F.socket.on("step", function () { refresh(); });

  function status(form, text) {
    var out = form.querySelector(".ask-feedback") || document.querySelector(".react-feedback");
    if (out) { out.textContent = text; }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#questions .sort");
    if (!button) { return; }
    order = button.dataset.order;
    sort();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!F.socket.connected) { return; } // the form posts: nothing is lost without the socket
    if (form.classList.contains("ask-form")) {
      event.preventDefault();
      var text = form.querySelector("[name=text]");
      var name = form.querySelector("[name=name]");
      var send = form.querySelector("button[type=submit]");
      if (send) { send.disabled = true; }
      status(form, body.dataset.msgSending || "…");
      F.socket.timeout(10000).emit("ask", { text: text.value, name: name ? name.value : null }, function (err, ack) {
        if (send) { send.disabled = false; }
        if (err || !ack.ok) { status(form, err ? body.dataset.msgFailed : ack.error); return; }
        var section = panel();
        status(form, ack.question.state === "pending" ? section.dataset.msgPending : section.dataset.msgAsked);
        text.value = "";
      });
    } else if (form.classList.contains("upvote-form")) {
      event.preventDefault();
      var id = Number(form.querySelector("[name=question]").value);
      var up = !upvoted[id];
      F.socket.timeout(10000).emit("upvote", { question: id, up: up }, function (err, ack) {
        if (err || !ack.ok) { status(form, err ? body.dataset.msgFailed : ack.error); return; }
        if (ack.up) { upvoted[id] = true; } else { delete upvoted[id]; }
        mark();
      });
    } else if (form.classList.contains("react-form")) {
      event.preventDefault();
      var kind = form.querySelector("[name=kind]").value;
      F.socket.timeout(5000).emit("react", { kind: kind }, function (err, ack) {
        status(form, err ? body.dataset.msgFailed : (ack.ok ? form.querySelector("button").title : ack.error));
      });
    }
  }, true);

  /* The projector: reactions float up from the bottom, a few at a time. */
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  F.socket.on("reactions", function (payload) {
    var layer = document.querySelector(".reaction-layer");
    var kinds = layer ? JSON.parse(layer.dataset.kinds || "[]") : [];
    var signs = layer ? JSON.parse(layer.dataset.signs || "[]") : [];
    Object.keys(payload.counts).forEach(function (kind) {
      var count = document.querySelector(".screen-reaction[data-kind='" + kind.replace(/\W/g, "") + "'] .reaction-count");
      if (count) { count.textContent = String(Number(count.textContent) + payload.counts[kind]); }
      var sign = signs[kinds.indexOf(kind)];
      if (!layer || still || !sign) { return; }
      for (var i = 0; i < Math.min(payload.counts[kind], 6); i++) {
        var bubble = document.createElement("span");
        bubble.className = "reaction-bubble";
        bubble.textContent = sign;
        bubble.style.left = (5 + Math.random() * 90) + "%";
        bubble.style.animationDelay = (i * 0.12) + "s";
        bubble.addEventListener("animationend", function () { this.remove(); });
        layer.appendChild(bubble);
      }
    });
  });

  refresh();
})();
