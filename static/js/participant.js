/* Participant page: keeps the phone on the current step, sends ballots over the socket with an
   acknowledgement, and shows the participant's own ballot again after any reload, reconnect or
   pushed update. Ballots travel as the vote form's fields, whatever the voting method, so this
   file knows nothing of methods beyond the two helper controls (points, ranking order). */
(function () {
  "use strict";
  var F = window.facilitation;
  if (!F) { return; }
  var body = document.body;
  var csrf = body.dataset.csrf;
  var mine = {}; // vote id -> {field name: [values]} as last recorded by the server
  try { mine = JSON.parse(body.dataset.fields || "{}"); } catch (e) { mine = {}; }
  var inputs = { items: {}, feedback: {} }; // own items by step, own feedback by project
  try { inputs = JSON.parse(body.dataset.mine || "{}"); } catch (e) { /* keep the default */ }
  inputs.items = inputs.items || {};
  inputs.feedback = inputs.feedback || {};
  inputs.wishes = inputs.wishes || {};

  function quote(text) { return String(text).replace(/["\\]/g, "\\$&"); }

  function formKey(form) {
    return form.className + "|" + (form.dataset.vote || form.dataset.step || form.dataset.project || "");
  }

  function formFields(form) {
    var fields = {};
    new FormData(form).forEach(function (value, key) {
      if (key === "csrf" || key === "vote" || typeof value !== "string") { return; }
      (fields[key] = fields[key] || []).push(value);
    });
    return fields;
  }

  function applyFields(form, fields) {
    var inputs = form.querySelectorAll("input[name], select[name]");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.name === "csrf" || input.name === "vote") { continue; }
      var values = fields[input.name] || [];
      if (input.type === "radio" || input.type === "checkbox") {
        input.checked = values.indexOf(input.value) !== -1;
      } else if (input.type === "number") {
        input.value = values.length ? values[0] : "0";
      } else if (input.tagName === "SELECT") {
        input.value = values.length ? values[0] : "";
      }
    }
    sortRanking(form);
    updateDots(form);
  }

  /* What became of the ballot: "ok" and "pending" in the status line, "error" (a refusal)
     in the alert below it, in the error colour; each clears the other. */
  function feedback(form, text, kind) {
    var out = form.querySelector(".vote-feedback");
    var alert = form.querySelector(".vote-error");
    var error = kind === "error" && alert;
    if (out) {
      out.textContent = error ? "" : text;
      out.classList.toggle("pending", kind === "pending");
    }
    if (alert) { alert.textContent = error ? text : ""; }
  }

  /* Ballots not sent yet (no link, or no answer): kept on the phone, even across a reload,
     and sent again when the socket connects. The server keeps one ballot per person, so a
     ballot that did arrive and is sent again is still counted once. */
  var pendingKey = "facilitation.pending." + body.dataset.event;
  var pending = {};
  try { pending = JSON.parse(window.localStorage.getItem(pendingKey) || "{}") || {}; } catch (e) { pending = {}; }
  function savePending() {
    try { window.localStorage.setItem(pendingKey, JSON.stringify(pending)); } catch (e) { /* private mode: memory only */ }
  }

  function voteForm(vote) {
    return document.querySelector("form.vote-form[data-vote=\"" + quote(vote) + "\"]");
  }

  function sendVote(vote, fields) {
    var form = voteForm(vote);
    var button = form && form.querySelector("button[type=submit]");
    pending[vote] = fields;
    savePending();
    if (!F.socket.connected) {
      if (form) { feedback(form, body.dataset.msgPending, "pending"); }
      return;
    }
    if (button) { button.disabled = true; }
    if (form) { feedback(form, body.dataset.msgSending); }
    F.socket.timeout(10000).emit("vote", { vote: vote, fields: fields }, function (err, ack) {
      var shown = voteForm(vote);
      var again = shown && shown.querySelector("button[type=submit]");
      if (again) { again.disabled = false; }
      if (err) { // no answer in time: the link is probably gone; kept for the reconnect
        if (shown) { feedback(shown, body.dataset.msgPending, "pending"); }
        return;
      }
      if (JSON.stringify(pending[vote]) === JSON.stringify(fields)) {
        delete pending[vote];
        savePending();
      }
      if (ack && ack.ok) {
        mine[vote] = ack.fields;
        if (shown) { feedback(shown, body.dataset.msgRecorded, "ok"); }
      } else if (shown) {
        feedback(shown, (ack && ack.error) || body.dataset.msgFailed, "error");
      }
    });
  }

  var everConnected = F.socket.connected;
  F.socket.on("connect", function () {
    everConnected = true;
    Object.keys(pending).forEach(function (vote) { sendVote(vote, pending[vote]); });
  });

  function markOwnProject() {
    var own = body.dataset.ownProject;
    if (!own) { return; }
    var inputs = document.querySelectorAll("form.vote-form[data-own-allowed='false'] [data-option=\"" + quote(own) + "\"]");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.disabled) { continue; }
      input.disabled = true;
      var label = input.closest("label, li, fieldset");
      var text = label && label.querySelector("span, .rank-label, .dots-label, legend");
      if (text) { text.textContent += " " + body.dataset.msgOwn; }
    }
  }

  /* A pushed vote is the same for every phone: show it only to the roles that vote in it. */
  function applyRole() {
    var role = body.dataset.personRole || "participant";
    var gated = document.querySelectorAll("[data-who]");
    for (var i = 0; i < gated.length; i++) {
      var allowed = gated[i].dataset.who.split(" ").indexOf(role) !== -1;
      var notice = gated[i].classList.contains("not-voter");
      gated[i].hidden = notice ? allowed : !allowed;
    }
  }

  /* What this phone sent in input steps, listed under the form (text only: never HTML). */
  function showOwnItems() {
    var boxes = document.querySelectorAll(".own-items");
    for (var i = 0; i < boxes.length; i++) {
      var step = boxes[i].dataset.step;
      var items = inputs.items[step] || [];
      var list = boxes[i].querySelector(".own-items-list");
      list.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.textContent = Object.keys(item.fields).map(function (k) { return item.fields[k]; }).join(" — ");
        list.appendChild(li);
      });
      boxes[i].hidden = items.length === 0;
      var form = document.querySelector("form.item-form[data-step=\"" + quote(step) + "\"]");
      if (form && form.dataset.limit) {
        var full = items.length >= Number(form.dataset.limit);
        form.querySelector("button[type=submit]").disabled = full;
      }
    }
  }

  function showOwnFeedback() {
    var forms = document.querySelectorAll("form.feedback-form");
    for (var i = 0; i < forms.length; i++) {
      var given = inputs.feedback[forms[i].dataset.project];
      if (!given) { continue; }
      var fields = {};
      Object.keys(given).forEach(function (k) { fields[k] = [String(given[k])]; });
      applyText(forms[i], fields);
      var status = forms[i].querySelector(".feedback-status");
      if (status) { status.textContent = body.dataset.msgSent; }
    }
  }

  function applyText(form, fields) {
    applyFields(form, fields);
    var texts = form.querySelectorAll("input[type=text][name], textarea[name]");
    for (var i = 0; i < texts.length; i++) {
      if (fields[texts[i].name]) { texts[i].value = fields[texts[i].name][0]; }
    }
  }

  /* "I want to meet this project": pressed when this phone already said so. */
  function showWishes() {
    var forms = document.querySelectorAll("form.wish-form");
    for (var i = 0; i < forms.length; i++) {
      var level = inputs.wishes[forms[i].dataset.target];
      var button = forms[i].querySelector(".wish-button");
      if (button) { button.setAttribute("aria-pressed", level === "want" || level === "must" ? "true" : "false"); }
      forms[i].classList.toggle("wished", level === "want" || level === "must");
    }
  }

  function fetchAgenda() {
    var box = document.getElementById("agenda-list");
    if (!box) { return; }
    fetch("/e/" + encodeURIComponent(body.dataset.event) + "/agenda", { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#agenda-list");
        var target = document.getElementById("agenda-list");
        if (fresh && target) { target.replaceWith(fresh); }
        if (fresh && fresh.querySelector(".meeting-card")) { showMeetings(); }
      })
      .catch(function () { /* the next push fetches it again */ });
  }

  F.socket.on("agenda_changed", fetchAgenda);

  function showMeetings() {
    var box = document.getElementById("agenda");
    if (box) { box.hidden = false; }
  }

  function applyMine() {
    applyRole();
    markOwnProject();
    showWishes();
    showOwnItems();
    showOwnFeedback();
    var fields = document.querySelectorAll(".csrf-field");
    for (var i = 0; i < fields.length; i++) { fields[i].value = csrf; }
    var forms = document.querySelectorAll("form.vote-form");
    for (var j = 0; j < forms.length; j++) {
      if (forms[j].dataset.kept) { updateDots(forms[j]); continue; } // the person's own state
      if (pending[forms[j].dataset.vote]) {
        applyFields(forms[j], pending[forms[j].dataset.vote]);
        feedback(forms[j], body.dataset.msgPending, "pending");
        continue;
      }
      var recorded = mine[forms[j].dataset.vote];
      if (recorded) {
        applyFields(forms[j], recorded);
        feedback(forms[j], body.dataset.msgRecorded, "ok");
      } else {
        updateDots(forms[j]);
      }
    }
  }

  /* Points: − and + buttons, and what is left of the budget. */
  function updateDots(form) {
    var budget = Number(form.dataset.budget || 0);
    var out = form.querySelector(".dots-left-value");
    if (!budget || !out) { return; }
    var spent = 0;
    var inputs = form.querySelectorAll("input[type=number]");
    for (var i = 0; i < inputs.length; i++) { spent += Math.max(0, Number(inputs[i].value) || 0); }
    out.textContent = String(budget - spent);
    out.parentNode.classList.toggle("over", spent > budget);
    // + says it is unavailable (and does nothing) once the budget or the option's cap is
    // reached; aria-disabled rather than disabled, so that focus stays on the button
    for (var j = 0; j < inputs.length; j++) {
      var value = Number(inputs[j].value) || 0;
      var up = inputs[j].parentNode.querySelector(".step-up");
      var down = inputs[j].parentNode.querySelector(".step-down");
      var full = inputs[j].disabled || spent >= budget || value >= Number(inputs[j].max || 1e9);
      if (up) { up.setAttribute("aria-disabled", full ? "true" : "false"); }
      if (down) { down.setAttribute("aria-disabled", inputs[j].disabled || value <= 0 ? "true" : "false"); }
    }
  }

  /* Ranking: ↑ and ↓ move an option; the list order is the ranking (1 = top). */
  function renumber(list) {
    var rows = list.querySelectorAll(".rank-row");
    for (var i = 0; i < rows.length; i++) {
      var select = rows[i].querySelector("select");
      if (select && !select.disabled) { select.value = String(i + 1); }
    }
  }

  function sortRanking(form) {
    var list = form.querySelector(".rank-list");
    if (!list) { return; }
    var rows = Array.prototype.slice.call(list.querySelectorAll(".rank-row"));
    var sorted = rows.slice().sort(function (a, b) {
      var ra = Number(a.querySelector("select").value) || 1e9;
      var rb = Number(b.querySelector("select").value) || 1e9;
      return ra - rb;
    });
    // rows already in order stay put: moving a row would take focus off its controls
    if (sorted.every(function (row, i) { return row === rows[i]; })) { return; }
    sorted.forEach(function (row) { list.appendChild(row); });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) { return; }
    var form = button.closest("form.vote-form");
    if (!form) { return; }
    if (button.classList.contains("step-up") || button.classList.contains("step-down")) {
      if (button.getAttribute("aria-disabled") === "true") { return; }
      var input = button.parentNode.querySelector("input[type=number]");
      var next = (Number(input.value) || 0) + Number(button.dataset.step);
      var max = Number(input.max || 1e9);
      input.value = String(Math.max(0, Math.min(max, next)));
      updateDots(form);
    } else if (button.classList.contains("move-up") || button.classList.contains("move-down")) {
      var row = button.closest(".rank-row");
      var list = row.parentNode;
      if (button.classList.contains("move-up") && row.previousElementSibling) {
        list.insertBefore(row, row.previousElementSibling);
      } else if (button.classList.contains("move-down") && row.nextElementSibling) {
        list.insertBefore(row.nextElementSibling, row);
      }
      renumber(list);
      button.focus();
    }
  });

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form.vote-form");
    if (form) { updateDots(form); }
  });
  // a refusal is about the ballot as it was sent: changing it takes the refusal away
  function clearRefusal(event) {
    var form = event.target.closest && event.target.closest("form.vote-form");
    var alert = form && form.querySelector(".vote-error");
    if (alert && alert.textContent && !(event.target.type === "submit")) { alert.textContent = ""; }
  }
  document.addEventListener("change", clearRefusal);
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("form.vote-form button[type=button]")) { clearRefusal(event); }
  });
  document.addEventListener("change", function (event) {
    var wishSelect = event.target.closest && event.target.closest("form.wish-select-form");
    if (wishSelect && event.target.tagName === "SELECT" && F.socket.connected) {
      wishSelect.requestSubmit();
      return;
    }
    if (event.target.tagName === "SELECT" && event.target.closest(".rank-list")) {
      sortRanking(event.target.closest("form"));
      event.target.focus();
    }
  });

  F.socket.on("me", function (data) {
    if (data && data.fields) { mine = data.fields; }
    if (data && data.items) { inputs.items = data.items; }
    if (data && data.feedback) { inputs.feedback = data.feedback; }
    if (data && data.wishes) { inputs.wishes = data.wishes; }
    applyMine();
  });

  /* My table, companions, role or card differ from phone to phone: fetched after a push. */
  var seatRequest = 0;
  function fetchSeat() {
    var box = document.getElementById("seat");
    if (!box) { return; }
    var ticket = ++seatRequest;
    fetch("/e/" + encodeURIComponent(body.dataset.event) + "/seat", { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || ticket !== seatRequest) { return; }
        var target = document.getElementById("seat");
        if (!target) { return; }
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#seat");
        if (fresh) {
          target.replaceWith(fresh);
          applyMine();
        }
      })
      .catch(function () { /* the next push or reconnect fetches it again */ });
  }

  F.socket.on("seat_changed", fetchSeat);

  F.socket.on("items", function (payload) {
    var box = document.getElementById("items-" + payload.step);
    if (box) { box.innerHTML = payload.html; }
  });

  F.socket.on("step", function (payload) {
    // What the participant has on screen (sent or not, typed or ticked) survives a pushed
    // update of the step, e.g. when the facilitator pauses the timer.
    var shown = {};
    var forms = document.querySelectorAll("#step form[data-vote], #step form[data-step], #step form[data-project]");
    for (var i = 0; i < forms.length; i++) { shown[formKey(forms[i])] = formFields(forms[i]); }
    var openBoxes = {};
    var details = document.querySelectorAll("#step details[data-project]");
    for (var d = 0; d < details.length; d++) { openBoxes[details[d].dataset.project] = details[d].open; }
    // On the same stage, a vote form that did not change stays the very element the person
    // is using (focus, ticks, order and scroll untouched): only what is around it is new.
    function graft(fresh, old, sameStage) {
      if (!sameStage) { return; }
      var forms = fresh.querySelectorAll("form.vote-form[data-shape]");
      for (var f = 0; f < forms.length; f++) {
        var before = old.querySelector("form.vote-form[data-vote=\"" + quote(forms[f].dataset.vote) + "\"]");
        if (before && before.dataset.shape === forms[f].dataset.shape) {
          before.dataset.kept = "1";
          forms[f].replaceWith(before);
        }
      }
    }
    if (F.swap("#step", payload, false, graft)) {
      if (document.querySelector("#step .step-match")) { showMeetings(); }
      if (payload.seated) { fetchSeat(); }
      applyMine();
      var fresh = document.querySelectorAll("#step form[data-vote], #step form[data-step], #step form[data-project]");
      for (var j = 0; j < fresh.length; j++) {
        if (fresh[j].dataset.kept) { delete fresh[j].dataset.kept; continue; }
        if (shown[formKey(fresh[j])]) { applyText(fresh[j], shown[formKey(fresh[j])]); }
      }
      var again = document.querySelectorAll("#step details[data-project]");
      for (var e = 0; e < again.length; e++) {
        if (openBoxes[again[e].dataset.project]) { again[e].open = true; }
      }
      var flashes = document.querySelectorAll(".flash");
      for (var k = 0; k < flashes.length; k++) { flashes[k].remove(); }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList) { return; }
    // A socket that once worked and is down now: the link is gone, a plain post would only
    // reach the browser's "site can't be reached" page. Ballots wait on the phone.
    if (form.classList.contains("vote-form") && (F.socket.connected || everConnected)) {
      event.preventDefault();
      sendVote(form.dataset.vote, formFields(form));
      return;
    }
    if (!F.socket.connected && everConnected) {
      event.preventDefault(); // the link is down: say so here rather than leave the page
      var said = form.querySelector("[role=status]");
      if (said) { said.textContent = body.dataset.msgFailed; }
      return;
    }
    if (!F.socket.connected) { return; } // no socket: the plain form post
    if (form.classList.contains("item-form") || form.classList.contains("feedback-form")) {
      event.preventDefault();
      var isItem = form.classList.contains("item-form");
      var status = form.querySelector(isItem ? ".item-feedback" : ".feedback-status");
      var values = {};
      var raw = formFields(form);
      Object.keys(raw).forEach(function (k) { values[k] = raw[k][0]; });
      delete values.step;
      delete values.project;
      var message = isItem ? { step: form.dataset.step, fields: values }
                           : { project: form.dataset.project, fields: values };
      var send = form.querySelector("button[type=submit]");
      if (send) { send.disabled = true; }
      if (status) { status.textContent = body.dataset.msgSending; }
      F.socket.timeout(10000).emit(isItem ? "item" : "feedback", message, function (err, ack) {
        if (send) { send.disabled = false; }
        if (err || !ack.ok) {
          if (status) { status.textContent = err ? body.dataset.msgFailed : ack.error; }
          return;
        }
        if (status) { status.textContent = body.dataset.msgSent; }
        if (isItem) {
          (inputs.items[ack.item.step] = inputs.items[ack.item.step] || []).push(ack.item);
          form.reset();
          showOwnItems();
        } else {
          inputs.feedback[ack.project] = ack.fields;
        }
      });
    } else if (form.classList.contains("wish-form") || form.classList.contains("wish-select-form")) {
      event.preventDefault();
      var toggle = form.classList.contains("wish-form");
      var wishTarget = form.dataset.target;
      var level = toggle ? (form.classList.contains("wished") ? null : "want")
                         : (form.querySelector("select").value || null);
      var helps = [];
      var ticks = form.querySelectorAll("input[name=helps]:checked");
      for (var h = 0; h < ticks.length; h++) { helps.push(ticks[h].value); }
      var wishStatus = form.querySelector(".wish-status");
      var message = { target: /^\d+$/.test(wishTarget) ? Number(wishTarget) : wishTarget, level: level };
      if (toggle) { message.helps = helps; }
      F.socket.timeout(10000).emit("wish", message, function (err, ack) {
        if (err || !ack.ok) {
          if (wishStatus) { wishStatus.textContent = err ? body.dataset.msgFailed : ack.error; }
          return;
        }
        if (level) { inputs.wishes[wishTarget] = level; } else { delete inputs.wishes[wishTarget]; }
        if (wishStatus) { wishStatus.textContent = body.dataset.msgSent; }
        showWishes();
      });
    } else if (form.classList.contains("profile-form")) {
      event.preventDefault();
      var data = { organisation: "", side: "need", offers: [], needs: [], slots: [] };
      new FormData(form).forEach(function (value, key) {
        if (key === "organisation" || key === "side") { data[key] = value; }
        else if (key === "offers" || key === "needs") { data[key].push(value); }
        else if (key === "slots") { data.slots.push(Number(value)); }
      });
      var profileStatus = form.querySelector(".profile-status");
      F.socket.timeout(10000).emit("profile", data, function (err, ack) {
        if (profileStatus) { profileStatus.textContent = err ? body.dataset.msgFailed : (ack.ok ? body.dataset.msgSent : ack.error); }
      });
    } else if (form.classList.contains("score-form") || form.classList.contains("choose-form")) {
      event.preventDefault();
      var isScore = form.classList.contains("score-form");
      var statusOut = form.querySelector(isScore ? ".score-status" : ".choose-status");
      var picked = form.querySelector("input[type=radio]:checked");
      if (!picked) { return; }
      var payload2 = isScore ? { card: Number(form.dataset.card), score: Number(picked.value) }
                             : { choice: picked.value };
      if (statusOut) { statusOut.textContent = body.dataset.msgSending; }
      F.socket.timeout(10000).emit(isScore ? "score" : "choose", payload2, function (err, ack) {
        if (!statusOut) { return; }
        statusOut.textContent = err ? body.dataset.msgFailed : (ack.ok ? body.dataset.msgSent : ack.error);
      });
    } else if (form.classList.contains("name-form")) {
      event.preventDefault();
      var input = form.querySelector("input[name=name]");
      var out = form.querySelector(".name-feedback");
      F.socket.timeout(10000).emit("name", { name: input.value }, function (err, ack) {
        if (out) { out.textContent = err ? body.dataset.msgFailed : (ack.ok ? "✓" : ack.error); }
        if (!err && ack.ok) {
          var summary = form.closest("details").querySelector("summary");
          if (summary && ack.name) { summary.textContent = ack.name; }
        }
      });
    }
  });

  applyMine();
})();
