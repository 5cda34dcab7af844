/* Shared by every live page: the socket, the connection badge, timers on the server's clock,
   and swapping pushed fragments in (never an older revision over a newer one). */
(function () {
  "use strict";
  var body = document.body;
  var code = body.dataset.event;
  var role = body.dataset.role;
  var offset = 0; // server clock minus this device's clock, in ms
  var revision = -1;
  var lastAnnounce = null;

  function pad(n) { return n < 10 ? "0" + n : "" + n; }

  function clock(ms) {
    var over = ms < 0;
    var seconds = over ? Math.floor(-ms / 1000) : Math.ceil(ms / 1000);
    var text = Math.floor(seconds / 60) + ":" + pad(seconds % 60);
    return over ? "+" + text : text;
  }

  function remaining(el) {
    var deadline = el.dataset.deadline;
    if (el.dataset.running === "true" && deadline) {
      return Number(deadline) - (Date.now() + offset);
    }
    return Number(el.dataset.remaining);
  }

  /* Time is up: a chime on the projector, a buzz on phones that can (both only when the
     facilitator turned the alert on, and once per deadline). Browsers play sound only after
     someone clicked the page, so the projector's chime needs one click on it first. */
  var alerted = {};
  var chime = null;
  var primed = false; // what is already past when the page opens does not ring
  function alertTimeUp(key, el) {
    if (alerted[key] || el.dataset.alert !== "true") { return; }
    alerted[key] = true;
    if (!primed) { return; }
    if (role === "screen") {
      chime = chime || new Audio(body.dataset.chime);
      var played = chime.play();
      if (played && played.catch) { played.catch(function () { /* no click yet: silent */ }); }
    } else if (navigator.vibrate) {
      try { navigator.vibrate([200, 100, 200]); } catch (e) { /* not allowed here */ }
    }
  }

  function slotTick(el) {
    var now = Date.now() + offset;
    var start = Number(el.dataset.start), length = Number(el.dataset.slotMs);
    var slots = Number(el.dataset.slots), elapsed = now - start;
    var slot = Math.min(Math.max(Math.floor(elapsed / length) + 1, 1), slots);
    var phase = "slot", ends = start + slot * length;
    if (elapsed < 0) { phase = "before"; ends = start; }
    else if (elapsed >= slots * length) { phase = "after"; ends = start + slots * length; }
    else if (slot > 1 && elapsed - (slot - 1) * length < Number(el.dataset.changeMs)) { phase = "change"; }
    var name = phase === "before" ? el.dataset.msgBefore : phase === "after" ? el.dataset.msgAfter
      : el.dataset.msgSlot.replace("{n}", slot).replace("{total}", slots);
    var label = el.querySelector(".slot-name"), value = el.querySelector(".slot-value");
    if (label && label.textContent !== name) { label.textContent = name; }
    var text = clock(Math.max(0, ends - now));
    if (value && value.textContent !== text) { value.textContent = text; }
    el.className = "slot-clock phase-" + phase + (phase === "slot" && ends - now < 60000 ? " warning" : "");
    var change = el.querySelector(".slot-change");
    if (change) { change.hidden = phase !== "change"; }
    if (phase === "change" || phase === "after") { alertTimeUp("slot" + slot + phase, el); }
  }

  function tick() {
    var timers = document.querySelectorAll("[data-timer]");
    for (var i = 0; i < timers.length; i++) {
      var el = timers[i];
      var ms = remaining(el);
      var value = el.querySelector(".timer-value");
      var text = clock(ms);
      if (value && value.textContent !== text) { value.textContent = text; }
      el.classList.toggle("overtime", ms < 0);
      // the last minute warns before overtime turns red
      el.classList.toggle("warning", ms >= 0 && ms < 60000 && Number(el.dataset.remaining) > 0);
      if (ms <= 0 && el.dataset.running === "true") { alertTimeUp("t" + el.dataset.deadline, el); }
    }
    var slotClocks = document.querySelectorAll("[data-slot-clock]");
    for (var j = 0; j < slotClocks.length; j++) { slotTick(slotClocks[j]); }
    primed = true;
  }

  function syncClock(timer) {
    if (timer && timer.server_now_ms) { offset = timer.server_now_ms - Date.now(); }
  }

  var firstTimer = document.querySelector("[data-timer]");
  if (firstTimer && firstTimer.dataset.serverNow) {
    offset = Number(firstTimer.dataset.serverNow) - Date.now();
  }
  var firstRevision = document.querySelector("[data-revision]");
  var firstAnnounce = document.getElementById("announce");
  if (firstAnnounce) { lastAnnounce = firstAnnounce.textContent; }
  if (firstRevision) { revision = Number(firstRevision.dataset.revision); }
  setInterval(tick, 250);
  tick();

  var conn = document.getElementById("conn");
  function setConnection(online) {
    if (!conn) { return; }
    conn.textContent = online ? (body.dataset.msgOnline || conn.textContent) : (body.dataset.msgOffline || "…");
    conn.classList.toggle("offline", !online);
  }

  if (typeof io === "undefined") { return; } // the page still works with plain forms
  // nginx keeps a socket on one process by this key (deploy/nginx.conf): one NAT, many phones
  var k = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  var socket = io({
    // the page's own language: a socket's handshake may not carry Accept-Language, and
    // refusals and pushed steps must read as the page does
    query: { code: code, role: role, lang: document.documentElement.lang || "", k: k },
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnectionDelayMax: 5000
  });
  socket.on("connect", function () { setConnection(true); });
  // A link that went silent (Wi-Fi gone without a word) ends when the server's pings stop
  // coming (engine.io's ping timeout): the socket then disconnects and says so here.
  socket.on("disconnect", function () { setConnection(false); });
  window.addEventListener("offline", function () { setConnection(false); });
  window.addEventListener("online", function () { setConnection(socket.connected); });
  socket.on("connect_error", function (err) {
    setConnection(false);
    // A refused identity (cookie lost) is mended by reloading: the page makes a new one.
    if (err && err.data && err.data.code === "no_identity") { window.location.reload(); }
    // A full server does not retry by itself: try again later, not all phones at once.
    if (err && err.data && err.data.code === "too_many_connections") {
      setTimeout(function () { socket.connect(); }, 5000 + Math.random() * 10000);
    }
  });

  /* Replace the content of `selector` with a pushed fragment. `outer` replaces the element
     itself. `graft(fresh, old)` may put nodes of the old content back into the fresh one
     before it is shown (a form the person is using). Focus and, on the same stage, the
     scroll position stay where they were. Returns the new element, or null when the payload
     is older than what is shown. */
  function swap(selector, payload, outer, graft) {
    if (typeof payload.revision === "number") {
      if (payload.revision < revision) { return null; }
      revision = payload.revision;
    }
    var target = document.querySelector(selector);
    if (!target) { return null; }
    var focused = focusKey(document.activeElement);
    var scrollX = window.scrollX, scrollY = window.scrollY;
    var holder = document.createElement("div");
    holder.innerHTML = payload.html;
    var before = target.querySelector("[data-stage]");
    var after = holder.querySelector("[data-stage]");
    var sameStage = !!(before && after && before.dataset.stage === after.dataset.stage);
    if (graft) { graft(holder, target, sameStage); }
    var result = target;
    if (outer) {
      result = holder.firstElementChild;
      target.replaceWith(result);
    } else {
      target.replaceChildren.apply(target, Array.prototype.slice.call(holder.childNodes));
    }
    restoreFocus(focused);
    if (sameStage) { window.scrollTo(scrollX, scrollY); }
    if (payload.title) { document.title = payload.title; }
    var live = document.getElementById("announce");
    if (live && payload.announce && payload.announce !== lastAnnounce) {
      live.textContent = payload.announce;
    }
    lastAnnounce = payload.announce;
    syncClock(payload.timer);
    tick();
    return result;
  }

  function focusKey(el) {
    if (!el || el === document.body) { return null; }
    if (el.id) { return "#" + el.id; }
    if (el.name && el.value !== undefined) {
      return el.tagName.toLowerCase() + "[name='" + el.name + "'][value='" + String(el.value).replace(/'/g, "") + "']";
    }
    return null;
  }

  function restoreFocus(key) {
    if (!key) { return; }
    try {
      var el = document.querySelector(key);
      if (el && document.activeElement !== el) { el.focus({ preventScroll: true }); }
    } catch (e) { /* a selector we could not rebuild: leave focus alone */ }
  }

  if (role === "screen") {
    socket.on("screen", function (payload) { swap("#stage", payload, false); });
  }

  window.facilitation = {
    socket: socket,
    swap: swap,
    tick: tick,
    revision: function () { return revision; },
    setRevision: function (r) { revision = Math.max(revision, r); },
    focusKey: focusKey,
    restoreFocus: restoreFocus
  };
})();
