// The moderators' desk: decide in place and by keyboard. Without this file every button is a
// plain form post that comes back to the same place in the queue (comments/admin.py); with it
// the same forms are sent with fetch and the card changes where it is.
//
// Keys: j / k next / previous card, a approve, r reject (then a digit picks the reason),
// s spam, u undo the last decision (within a minute), Escape closes the reason picker.
(() => {
  const list = document.getElementById("result_list");
  if (!list) return;
  const text = list.dataset;
  const pendingCount = document.getElementById("pending-count");
  const undoBox = document.getElementById("desk-undo");
  let current = null;

  const cards = () => Array.from(list.querySelectorAll(".desk-card"));
  const isDecided = (card) => card.classList.contains("is-decided");

  function select(card, { scroll = true } = {}) {
    if (current) current.classList.remove("is-current");
    current = card;
    if (!card) return;
    card.classList.add("is-current");
    card.focus({ preventScroll: true });
    if (scroll) card.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const all = cards();
    if (!all.length) return;
    const at = all.indexOf(current);
    const next = at === -1 ? 0 : Math.min(all.length - 1, Math.max(0, at + step));
    select(all[next]);
  }

  function nextOpen(card) {
    const all = cards();
    const at = all.indexOf(card);
    return (
      all.slice(at + 1).find((c) => !isDecided(c)) ||
      all
        .slice(0, at)
        .reverse()
        .find((c) => !isDecided(c)) ||
      card
    );
  }

  function clearNotes(card) {
    card.querySelectorAll(".desk-inline-conflict, .desk-inline-error").forEach((el) => el.remove());
  }

  function showError(card, message) {
    clearNotes(card);
    const note = document.getElementById("desk-error-template").content.firstElementChild.cloneNode(true);
    note.textContent = message || text.failed;
    card.querySelector(".desk-actions").prepend(note);
  }

  // The card shows the comment's new state; its forms carry it as the state now "seen".
  function setStatus(card, status, label) {
    const before = card.dataset.status;
    card.dataset.status = status;
    card.className = card.className.replace(/\bstatus-\w+/, `status-${status}`);
    card.classList.toggle("is-decided", status !== "pending");
    card.querySelector("[data-status-label]").textContent = label;
    card.querySelectorAll("input[name=seen]").forEach((input) => {
      input.value = status;
    });
    card.querySelector(".desk-approve").disabled = status === "approved";
    card.querySelector(".desk-spam").disabled = status === "spam";
    const reject = card.querySelector(".desk-reject");
    reject.open = false;
    reject.hidden = status === "rejected";
    // 精选 and 驳回举报 apply to approved comments only, and 取消精选 always; the rest wait for a reload.
    card.querySelectorAll("form.desk-community").forEach((form) => {
      form.hidden = status !== "approved" && !form.querySelector("button[name=on][value='0']");
    });
    if (pendingCount && before !== status && (before === "pending" || status === "pending")) {
      const count = Number(pendingCount.textContent) + (status === "pending" ? 1 : -1);
      pendingCount.textContent = String(Math.max(0, count));
    }
  }

  function offerUndo(url, card, label) {
    if (!undoBox) return;
    const form = document.getElementById("desk-undo-template").content.firstElementChild.cloneNode(true);
    form.action = url;
    const token = document.createElement("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    token.value = text.csrf;
    form.append(token);
    const who = card.querySelector(".desk-nick").textContent;
    form.querySelector("[data-slot=text]").textContent = `${text.decided}${label} · ${who}`;
    form.dataset.card = card.id;
    undoBox.replaceChildren(form);
  }

  async function send(url, data) {
    const response = await fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    let body = {};
    try {
      body = await response.json();
    } catch {
      body = {};
    }
    return { status: response.status, body };
  }

  async function decide(card, form, data) {
    clearNotes(card);
    card.setAttribute("aria-busy", "true");
    let answer;
    try {
      answer = await send(form.action, data);
    } catch {
      answer = { status: 0, body: {} };
    } finally {
      card.removeAttribute("aria-busy");
    }
    const { status, body } = answer;
    if (status === 200) {
      setStatus(card, body.status, body.label);
      if (body.undo) offerUndo(body.undo, card, body.label);
      if (card === current) select(nextOpen(card));
    } else if (status === 409 && body.conflict) {
      showConflict(card, form, data, body);
    } else {
      showError(card, body.error);
    }
  }

  // Someone else decided meanwhile: say who and what, keep theirs or apply ours anyway.
  function showConflict(card, form, data, conflict) {
    const box = document.getElementById("desk-conflict-template").content.firstElementChild.cloneNode(true);
    box.querySelector("[data-slot=by]").textContent = conflict.by;
    box.querySelector("[data-slot=at]").textContent = conflict.at;
    box.querySelector("[data-slot=label]").textContent = conflict.label;
    box.querySelector("[data-slot=reason]").textContent = conflict.reason ? `（${conflict.reason}）` : "";
    box.querySelector("[data-keep]").addEventListener("click", () => {
      box.remove();
      setStatus(card, conflict.status, conflict.label);
      select(nextOpen(card));
    });
    box.querySelector("[data-override]").addEventListener("click", () => {
      data.set("seen", conflict.status);
      decide(card, form, data);
    });
    card.querySelector(".desk-actions").prepend(box);
    box.querySelector("[data-keep]").focus();
  }

  list.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.classList.contains("desk-decide")) return;
    event.preventDefault();
    const card = form.closest(".desk-card");
    select(card, { scroll: false });
    decide(card, form, new FormData(form, event.submitter));
  });

  list.addEventListener("focusin", (event) => {
    const card = event.target.closest(".desk-card");
    if (card && card !== current) {
      if (current) current.classList.remove("is-current");
      current = card;
      card.classList.add("is-current");
    }
  });

  async function undo() {
    const form = undoBox && undoBox.querySelector("form");
    if (!form) return;
    const card = document.getElementById(form.dataset.card || "") || null;
    if (!card) {
      form.submit(); // decided on an earlier page load: the server takes us back there
      return;
    }
    const { status, body } = await send(form.action, new FormData(form));
    if (status === 200) {
      setStatus(card, body.status, body.label);
      undoBox.replaceChildren();
      select(card);
    } else {
      showError(card, body.error);
    }
  }

  if (undoBox) {
    undoBox.addEventListener("submit", (event) => {
      event.preventDefault();
      undo();
    });
  }

  function press(card, selector) {
    const button = card.querySelector(selector);
    if (button && !button.disabled) button.form.requestSubmit(button);
  }

  function openReject(card) {
    const reject = card.querySelector(".desk-reject");
    if (!reject || reject.hidden) return;
    reject.open = true;
    const first = reject.querySelector("input[name=reason]");
    if (first) first.focus();
  }

  function chooseReason(card, digit) {
    const reject = card.querySelector(".desk-reject");
    if (!reject || !reject.open) return false;
    const reasons = reject.querySelectorAll("input[name=reason]");
    const reason = reasons[digit - 1];
    if (!reason) return false;
    reason.checked = true;
    const form = reject.querySelector("form");
    form.requestSubmit(form.querySelector("button[type=submit]"));
    return true;
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    const target = event.target;
    const typing =
      target.isContentEditable ||
      target.tagName === "TEXTAREA" ||
      target.tagName === "SELECT" ||
      (target.tagName === "INPUT" && !["radio", "checkbox", "submit", "button"].includes(target.type));
    if (typing) return;
    if (!current) select(cards()[0]);
    const card = current;
    const key = event.key;
    let handled = true;
    if (key === "j") move(1);
    else if (key === "k") move(-1);
    else if (key === "u") undo();
    else if (!card) handled = false;
    else if (key === "a") press(card, ".desk-approve");
    else if (key === "s") press(card, ".desk-spam");
    else if (key === "r") openReject(card);
    else if (key === "Escape") {
      const reject = card.querySelector(".desk-reject");
      if (reject) reject.open = false;
      card.focus();
    } else if (/^[1-9]$/.test(key)) handled = chooseReason(card, Number(key));
    else handled = false;
    if (handled) event.preventDefault();
  });

  // Select all of this page's cards for a bulk action.
  const all = document.getElementById("desk-select-page");
  if (all) {
    all.addEventListener("change", () => {
      list.querySelectorAll(".desk-check").forEach((box) => {
        box.checked = all.checked;
      });
    });
  }

  // On a phone the cards come first: the search, filters and bulk actions fold away unless
  // one of them is in use.
  const tools = document.getElementById("desk-tools");
  if (tools && !("active" in tools.dataset) && matchMedia("(max-width: 767px)").matches) {
    tools.open = false;
  }

  const target = location.hash.startsWith("#card-") && document.getElementById(location.hash.slice(1));
  if (target) select(target);
  else if (cards().length) select(cards()[0], { scroll: false });
})();
