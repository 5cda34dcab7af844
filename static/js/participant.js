/* Participant page: keeps the phone on the current step, sends ballots over the socket with
   an acknowledgement, and shows the participant's own ballot after any reload or reconnect. */
(function () {
  "use strict";
  var F = window.facilitation;
  if (!F) { return; }
  var body = document.body;
  var csrf = body.dataset.csrf;
  var ballots = {};
  try { ballots = JSON.parse(body.dataset.ballots || "{}"); } catch (e) { ballots = {}; }

  function ballotValue(ballot) {
    if (!ballot) { return null; }
    if (ballot.abstain) { return "__abstain__"; }
    return ballot.choice || null;
  }

  function feedback(form, text) {
    var out = form.querySelector(".vote-feedback");
    if (out) { out.textContent = text; }
  }

  function markOwnProject() {
    var own = body.dataset.ownProject;
    if (!own) { return; }
    var forms = document.querySelectorAll("form.vote-form[data-own-allowed='false']");
    for (var i = 0; i < forms.length; i++) {
      var radio = forms[i].querySelector("input[type=radio][value='" + own.replace(/'/g, "") + "']");
      if (radio && !radio.disabled) {
        radio.disabled = true;
        radio.parentNode.querySelector("span").textContent += " " + body.dataset.msgOwn;
      }
    }
  }

  function applyMine() {
    markOwnProject();
    var fields = document.querySelectorAll(".csrf-field");
    for (var i = 0; i < fields.length; i++) { fields[i].value = csrf; }
    var forms = document.querySelectorAll("form.vote-form");
    for (var j = 0; j < forms.length; j++) {
      var form = forms[j];
      var value = ballotValue(ballots[form.dataset.vote]);
      if (!value) { continue; }
      var radio = form.querySelector("input[type=radio][value='" + value.replace(/'/g, "") + "']");
      if (radio) { radio.checked = true; }
      feedback(form, body.dataset.msgRecorded);
    }
  }

  function pendingChoices() {
    var pending = {};
    var forms = document.querySelectorAll("form.vote-form");
    for (var i = 0; i < forms.length; i++) {
      var checked = forms[i].querySelector("input[type=radio]:checked");
      if (checked) { pending[forms[i].dataset.vote] = checked.value; }
    }
    return pending;
  }

  function restorePending(pending) {
    Object.keys(pending).forEach(function (vote) {
      var form = document.querySelector("form.vote-form[data-vote='" + vote.replace(/'/g, "") + "']");
      if (!form) { return; }
      var radio = form.querySelector("input[type=radio][value='" + pending[vote].replace(/'/g, "") + "']");
      if (radio) { radio.checked = true; }
    });
  }

  F.socket.on("me", function (data) {
    if (data && data.ballots) { ballots = data.ballots; }
    applyMine();
  });

  F.socket.on("step", function (payload) {
    var pending = pendingChoices(); // a choice made but not yet sent survives a timer update
    if (F.swap("#step", payload, false)) {
      applyMine();
      restorePending(pending);
      var flashes = document.querySelectorAll(".flash");
      for (var i = 0; i < flashes.length; i++) { flashes[i].remove(); }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !F.socket.connected) { return; } // no socket: the plain form post
    if (form.classList.contains("vote-form")) {
      event.preventDefault();
      var checked = form.querySelector("input[type=radio]:checked");
      if (!checked) { return; }
      var vote = form.dataset.vote;
      var ballot = checked.value === "__abstain__" ? { abstain: true } : { choice: checked.value };
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      feedback(form, body.dataset.msgSending);
      F.socket.timeout(10000).emit("vote", { vote: vote, ballot: ballot }, function (err, ack) {
        if (button) { button.disabled = false; }
        if (err) { feedback(form, body.dataset.msgFailed); return; }
        if (ack && ack.ok) {
          ballots[vote] = ack.ballot;
          feedback(form, body.dataset.msgRecorded);
        } else {
          feedback(form, (ack && ack.error) || body.dataset.msgFailed);
        }
      });
    } else if (form.classList.contains("name-form")) {
      event.preventDefault();
      var input = form.querySelector("input[name=name]");
      var out = form.querySelector(".name-feedback");
      F.socket.timeout(10000).emit("name", { name: input.value }, function (err, ack) {
        if (out) {
          out.textContent = err ? body.dataset.msgFailed : (ack.ok ? "✓" : ack.error);
        }
        if (!err && ack.ok) {
          var summary = form.closest("details").querySelector("summary");
          if (summary && ack.name) { summary.textContent = ack.name; }
        }
      });
    }
  });

  applyMine();
})();
