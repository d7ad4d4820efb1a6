/* Linda sandbox page: virtual phones (polled every 2 s) and a USSD dial pad. No libraries. */
"use strict";

(function () {
  var body = document.body;
  var API = body.dataset.api;
  var SERVICE_CODE = body.dataset.serviceCode;
  var GSM_BASIC = body.dataset.gsmBasic;
  var GSM_EXT = body.dataset.gsmExtended;
  var cards = {};

  function $(sel, root) { return (root || document).querySelector(sel); }

  function post(path, fields) {
    return fetch(API + path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString()
    }).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = JSON.parse(text); } catch (e) { data = null; }
        if (!res.ok) { throw new Error(data && data.error ? data.error : text || ("HTTP " + res.status)); }
        return data;
      });
    });
  }

  function setStatus(el, text, isError) {
    el.textContent = text;
    el.classList.toggle("error", !!isError);
  }

  function phonePath(number) { return "/phones/" + encodeURIComponent(number); }

  /* --- SMS length as the network counts it ------------------------------------------ */
  function smsCount(text) {
    var septets = 0, gsm = true;
    for (var i = 0; i < text.length; i++) {
      var ch = text.charAt(i);
      if (GSM_BASIC.indexOf(ch) >= 0) { septets += 1; }
      else if (GSM_EXT.indexOf(ch) >= 0) { septets += 2; }
      else { gsm = false; }
    }
    var len = gsm ? septets : text.length;
    var single = gsm ? 160 : 70, multi = gsm ? 153 : 67;
    var parts = len <= single ? 1 : Math.ceil(len / multi);
    return { len: len, parts: parts, gsm: gsm };
  }

  /* --- phones --------------------------------------------------------------------- */
  function makeCard(number) {
    var node = $("#phone-template").content.firstElementChild.cloneNode(true);
    node.dataset.number = number;
    $(".number", node).textContent = number;
    var select = $("select", node);
    select.addEventListener("change", function () {
      var status = $(".reply .status", node);
      post(phonePath(number) + "/mode", { mode: select.value })
        .then(function () { setStatus(status, "Network mode: " + select.value); })
        .catch(function (err) { setStatus(status, "Could not set the mode: " + err.message, true); });
    });
    var form = $("form.reply", node);
    var area = $("textarea", form);
    var count = $(".count", form);
    area.addEventListener("input", function () {
      var c = smsCount(area.value);
      count.textContent = c.len + " chars, " + c.parts + " SMS" + (c.gsm ? "" : " (not GSM-7: sent as UCS-2)");
      count.classList.toggle("warn", !c.gsm || c.parts > 1);
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var status = $(".status", form);
      var text = area.value;
      if (!text.trim()) { setStatus(status, "Type a message first.", true); return; }
      setStatus(status, "Sending…");
      post(phonePath(number) + "/reply", { text: text })
        .then(function (data) {
          setStatus(status, (data.ok ? "Delivered to Linda: " : "Linda did not take it: ") + data.answer, !data.ok);
          /* Cleared when Linda's next SMS arrives, so it never sits above that SMS as if it were about it. */
          if (data.ok) { status.dataset.until = node.dataset.newestIn || ""; area.value = ""; count.textContent = ""; }
          refresh();
        })
        .catch(function (err) { setStatus(status, "Not sent: " + err.message, true); });
    });
    return node;
  }

  function newestIn(messages) {
    for (var i = 0; i < messages.length; i++) {
      if (messages[i].direction === "to_phone") { return messages[i].at + " " + messages[i].text; }
    }
    return "";
  }

  function clearStaleStatus(card, messages) {
    var status = $(".reply .status", card);
    card.dataset.newestIn = newestIn(messages);
    if (status.dataset.until !== undefined && card.dataset.newestIn !== status.dataset.until) {
      delete status.dataset.until;
      setStatus(status, "");
    }
  }

  function renderMessages(list, messages) {
    var key = JSON.stringify(messages);
    if (list.dataset.key === key) { return; }
    list.dataset.key = key;
    list.textContent = "";
    messages.forEach(function (m) {
      var li = document.createElement("li");
      li.className = m.direction;
      li.appendChild(document.createTextNode(m.text));
      var meta = document.createElement("span");
      meta.className = "meta";
      var when = m.at.replace("T", " ").replace("+00:00", " UTC");
      meta.textContent = (m.direction === "to_phone" ? "received " : "sent ") + when + " · " + m.state;
      li.appendChild(meta);
      list.appendChild(li);
    });
  }

  function renderPhones(phones) {
    var container = $("#phones");
    var datalist = $("#known-phones");
    if (phones.length && $(".empty", container)) { container.textContent = ""; }
    datalist.textContent = "";
    phones.forEach(function (p, index) {
      var card = cards[p.number];
      if (!card) { card = cards[p.number] = makeCard(p.number); }
      if (container.children[index] !== card) { container.insertBefore(card, container.children[index] || null); }
      var select = $("select", card);
      if (document.activeElement !== select) { select.value = p.mode; }
      renderMessages($(".messages", card), p.messages);
      clearStaleStatus(card, p.messages);
      var opt = document.createElement("option");
      opt.value = p.number;
      datalist.appendChild(opt);
    });
  }

  function refresh() {
    return fetch(API + "/phones").then(function (res) {
      if (!res.ok) { throw new Error("HTTP " + res.status); }
      return res.json();
    }).then(function (data) {
      renderPhones(data.phones);
      setStatus($("#phones-status"), "");
    }).catch(function (err) {
      setStatus($("#phones-status"), "Cannot load the phones: " + err.message, true);
    });
  }

  $("#add-phone").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var input = ev.target.elements.phone;
    post("/phones", { phone: input.value })
      .then(function () { input.value = ""; setStatus($("#phones-status"), "Phone added."); refresh(); })
      .catch(function (err) { setStatus($("#phones-status"), err.message, true); });
  });

  /* --- USSD dial pad ---------------------------------------------------------------- */
  var session = null;
  var screen = $("#ussd-screen"), input = $("#ussd-input"), sendBtn = $("#ussd-send");
  var hangupBtn = $("#ussd-hangup"), ussdStatus = $("#ussd-status"), phoneInput = $("#ussd-phone");

  function randomId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return "ATUid_" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function showScreen(text, isError) {
    screen.textContent = text;
    screen.classList.toggle("error", !!isError);
  }

  function idle() {
    session = null;
    sendBtn.textContent = "Call";
    hangupBtn.disabled = true;
    phoneInput.disabled = false;
    input.value = SERVICE_CODE;
  }

  function endSession(status, errorMessage) {
    var s = session;
    idle();
    if (!s) { return; }
    var fields = {
      sessionId: s.id, phoneNumber: s.phone, status: status, input: s.answers.join("*"),
      hopsCount: String(s.hops), durationInMillis: String(Date.now() - s.started),
      lastAppResponse: s.last, hopsMetadata: s.meta.join("|")
    };
    if (errorMessage) { fields.errorMessage = errorMessage; }
    post("/ussd/end", fields)
      .then(function (data) { setStatus(ussdStatus, "Session " + status.toLowerCase() + "; end notice → Linda " + data.answer, !data.ok); })
      .catch(function (err) { setStatus(ussdStatus, "End notice not sent: " + err.message, true); });
  }

  function hop() {
    var s = session;
    sendBtn.disabled = true;
    post("/ussd", { sessionId: s.id, phoneNumber: s.phone, text: s.answers.join("*") })
      .then(function (data) {
        s.hops += 1;
        if (data.hopMetadata) { s.meta.push(data.hopMetadata); }
        if (data.error) {
          s.last = "";
          showScreen("Connection problem or invalid MMI code.\n\n" + data.error, true);
          endSession("Failed", data.error);
          return;
        }
        s.last = data.kind + " " + data.screen;
        showScreen(data.screen);
        if (data.kind === "END") { endSession("Success"); }
        else { input.value = ""; input.focus(); setStatus(ussdStatus, "Session open: type an answer and Send."); }
      })
      .catch(function (err) {
        showScreen("The sandbox could not reach Linda.\n\n" + err.message, true);
        endSession("Failed", err.message);
      })
      .then(function () { sendBtn.disabled = false; });
  }

  $("#ussd-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (session) {
      session.answers.push(input.value.trim());
      hop();
      return;
    }
    var code = input.value.trim();
    if (code !== SERVICE_CODE) {
      showScreen("UNKNOWN APPLICATION\n\nDial " + SERVICE_CODE + " for Linda.", true);
      return;
    }
    var phone = phoneInput.value.trim();
    if (!phone) { showScreen("Enter the phone number to dial from.", true); return; }
    session = { id: randomId(), phone: phone, answers: [], meta: [], hops: 0, started: Date.now(), last: "" };
    sendBtn.textContent = "Send";
    hangupBtn.disabled = false;
    phoneInput.disabled = true;
    showScreen("Calling " + SERVICE_CODE + "…");
    setStatus(ussdStatus, "");
    hop();
  });

  hangupBtn.addEventListener("click", function () {
    showScreen("Session ended by the user.");
    endSession("Incomplete");
  });

  $("#ussd-keys").addEventListener("click", function (ev) {
    var key = ev.target.dataset && ev.target.dataset.key;
    if (key) { input.value += key; input.focus(); }
  });

  idle();
  refresh();
  window.setInterval(refresh, 2000);
})();
