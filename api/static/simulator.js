// The WhatsApp simulator: the shopper's side of a chat. Sends go through /simulator/api/send
// (a signed Cloud API webhook to the gateway); replies are what the gateway sent to the Graph
// API, read from the capture endpoint's feed. No framework, no build step.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const chat = $("chat"), typing = $("typing"), sheet = $("sheet");
  let after = 0, polling = null;
  const mine = new Map(); // wamid of the shopper's message → its ticks element

  function waId() { return $("wa-id").value.trim(); }
  function number() { return $("shop") ? $("shop").value : ""; }
  function time() { return new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }); }
  function scroll() { chat.scrollTop = chat.scrollHeight; }

  function bubble(text, side) {
    const b = document.createElement("div");
    b.className = "bubble " + side;
    b.textContent = text;
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = time();
    b.appendChild(meta);
    chat.appendChild(b);
    scroll();
    return { b, meta };
  }

  async function post(payload) {
    const r = await fetch("/simulator/api/send", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(Object.assign({ wa_id: waId(), phone_number_id: number(), name: $("name").value || "Shopper" }, payload)),
    });
    const answer = await r.json();
    $("last-webhook").textContent = JSON.stringify(answer.webhook || answer, null, 2);
    return answer;
  }

  async function say(text, payload) {
    const { meta } = bubble(text, "out");
    const ticks = document.createElement("span");
    ticks.className = "ticks";
    ticks.textContent = "✓";
    meta.appendChild(ticks);
    const answer = await post(payload);
    if (answer.status === 200) { ticks.textContent = "✓✓"; } else { ticks.textContent = "!"; }
    if (answer.message_id) { mine.set(answer.message_id, ticks); }
    startPolling();
  }

  function ack(wamid) { // the shopper's phone reports the reply delivered and read
    post({ type: "status", context_id: wamid, status: "delivered" });
    post({ type: "status", context_id: wamid, status: "read" });
  }

  function tap(kind, id, title, wamid, disable) {
    disable.forEach((b) => { b.disabled = true; });
    say(title, { type: kind, id: id, title: title, context_id: wamid });
  }

  function render(event) {
    const m = event.body;
    $("last-request").textContent = JSON.stringify(m, null, 2);
    typing.classList.add("hidden");
    $("presence").textContent = "online";
    if (m.type === "text") {
      bubble(m.text.body, "in");
    } else if (m.type === "image") {
      bubble("🖼️ " + (m.image.caption || m.image.link || "image"), "in");
    } else if (m.type === "template") { // a notification outside the 24-hour window
      bubble(event.preview || ("📄 " + m.template.name), "in");
    } else if (m.type === "interactive") {
      const i = m.interactive;
      const { b } = bubble(i.body.text, "in");
      if (i.type === "button") {
        const box = document.createElement("div");
        box.className = "buttons";
        const buttons = i.action.buttons.map((x) => {
          const btn = document.createElement("button");
          btn.type = "button";
          btn.textContent = x.reply.title;
          btn.dataset.id = x.reply.id;
          box.appendChild(btn);
          return btn;
        });
        buttons.forEach((btn) => btn.addEventListener("click",
          () => tap("button_reply", btn.dataset.id, btn.textContent, event.wamid, buttons)));
        chat.appendChild(box);
      } else if (i.type === "list") {
        const open = document.createElement("button");
        open.type = "button";
        open.className = "list-open";
        open.textContent = "☰ " + i.action.button;
        open.addEventListener("click", () => showSheet(i, event.wamid));
        b.appendChild(open);
      }
    }
    scroll();
    ack(event.wamid);
  }

  function showSheet(i, wamid) {
    $("sheet-title").textContent = i.action.button;
    const list = $("sheet-rows");
    list.innerHTML = "";
    i.action.sections.forEach((section) => section.rows.forEach((row) => {
      const li = document.createElement("li");
      li.dataset.id = row.id;
      const title = document.createElement("div");
      title.className = "row-title";
      title.textContent = row.title;
      li.appendChild(title);
      if (row.description) {
        const d = document.createElement("div");
        d.className = "row-desc";
        d.textContent = row.description;
        li.appendChild(d);
      }
      li.addEventListener("click", () => {
        sheet.classList.add("hidden");
        say(row.title, { type: "list_reply", id: row.id, title: row.title, context_id: wamid });
      });
      list.appendChild(li);
    }));
    sheet.classList.remove("hidden");
  }

  async function poll() {
    try {
      const r = await fetch("/simulator/api/feed?wa_id=" + encodeURIComponent(waId()) +
        "&phone_number_id=" + encodeURIComponent(number()) + "&after=" + after);
      const data = await r.json();
      data.events.forEach((e) => {
        after = Math.max(after, e.seq);
        if (e.kind === "read") {
          const ticks = mine.get(e.message_id);
          if (ticks) { ticks.textContent = "✓✓"; ticks.classList.add("read"); }
          if (e.typing) { typing.classList.remove("hidden"); $("presence").textContent = "typing…"; }
        } else {
          render(e);
        }
      });
    } catch (err) { /* the server restarting: try again */ }
  }

  function startPolling() { if (!polling) { polling = setInterval(poll, 400); } }

  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("message").value.trim();
    if (!text) { return; }
    $("message").value = "";
    say(text, { type: "text", text: text });
  });
  $("attach").addEventListener("click", () => {
    const address = window.prompt("Share location — address (with PIN code):",
      "Flat 302, Shanti Apartments, Andheri East, Mumbai 400069");
    if (address === null) { return; }
    say("📍 " + address, { type: "location", latitude: 19.1136, longitude: 72.8697, place: "Home", address: address });
  });
  $("photo").addEventListener("click", () => $("photo-file").click());
  $("photo-file").addEventListener("change", async () => {
    const file = $("photo-file").files[0];
    $("photo-file").value = "";
    if (!file) { return; }
    const { b, meta } = bubble("📷 " + file.name, "out");
    const img = document.createElement("img");
    img.className = "photo";
    img.alt = file.name;
    img.src = URL.createObjectURL(file);
    b.insertBefore(img, b.firstChild);
    const ticks = document.createElement("span");
    ticks.className = "ticks";
    ticks.textContent = "✓";
    meta.appendChild(ticks);
    const form = new FormData();
    form.append("photo", file);
    form.append("wa_id", waId());
    form.append("phone_number_id", number());
    form.append("name", $("name").value || "Shopper");
    const r = await fetch("/simulator/api/photo", { method: "POST", body: form });
    const answer = await r.json();
    $("last-webhook").textContent = JSON.stringify(answer.webhook || answer, null, 2);
    ticks.textContent = answer.status === 200 ? "✓✓" : "!";
    if (answer.message_id) { mine.set(answer.message_id, ticks); }
    startPolling();
  });
  $("sheet-close").addEventListener("click", () => sheet.classList.add("hidden"));
  $("wa-id").addEventListener("change", () => { chat.innerHTML = ""; after = 0; mine.clear(); });
  if ($("shop")) { // another shop is another chat: its own bubbles, name and feed
    $("shop").addEventListener("change", () => {
      chat.innerHTML = ""; after = 0; mine.clear();
      const chosen = $("shop").selectedOptions[0];
      document.querySelector(".chat-head .name").textContent = chosen ? chosen.dataset.name : "";
    });
  }
  startPolling();
})();
