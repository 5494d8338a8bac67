// 顶, 回复 and 举报 on the comment list, without reloading the page. The page is shared (the same
// cached bytes for every reader), so it carries no CSRF token: the first action fetches one from
// the tokens endpoint, which also sets the CSRF cookie (through comment-form.js when the page has
// the form, so that one request gives the form and the actions the same token).
// Without JavaScript every control still works: 顶 is a form, 回复 and 举报 are links to pages
// of the reader's own.
(() => {
  const section = document.getElementById("comments");
  if (!section) return;
  const form = document.getElementById("comment-form");
  const home = document.createComment("comment form");
  if (form) form.before(home);

  let pendingToken = null;
  const csrfToken = () => {
    const field = form && form.elements.csrfmiddlewaretoken;
    if (field && field.value) return Promise.resolve(field.value);
    // The form's own request (comment-form.js), never a second one beside it.
    if (form && form.loadTokens) return form.loadTokens();
    pendingToken ??= fetch(section.dataset.tokenUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((tokens) => tokens.csrf)
      .finally(() => {
        pendingToken = null;
      });
    return pendingToken;
  };

  // POST as the form would, asking for JSON: {ok, data} with the server's message either way.
  const send = (url, data) =>
    csrfToken()
      .then((csrf) =>
        fetch(url, {
          method: "POST",
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": csrf },
          body: data,
        }),
      )
      .then((response) =>
        response
          .json()
          .catch(() => ({}))
          .then((answer) => ({ ok: response.ok, answer })),
      );

  const say = (item, text, failed) => {
    const actions = item.querySelector(":scope > .comment-actions");
    let note = actions.querySelector(".action-note");
    if (!note) {
      note = document.createElement("span");
      note.className = "action-note";
      note.setAttribute("role", "status");
      actions.append(note);
    }
    note.classList.toggle("failed", Boolean(failed));
    note.textContent = text || "";
  };

  const like = (likeForm) => {
    const item = likeForm.closest("li.comment");
    const button = likeForm.querySelector("button");
    button.disabled = true;
    send(likeForm.action, new FormData(likeForm))
      .then(({ ok, answer }) => {
        if (ok) {
          // The same comment may be listed twice (热门评论 and its place in the list).
          const counts = section.querySelectorAll(
            `li.comment[data-id="${item.dataset.id}"] > .comment-actions .likes`,
          );
          for (const count of counts) count.textContent = answer.likes;
          likeForm.classList.add("liked");
        }
        say(item, answer.message || answer.error, !ok);
      })
      .catch(() => likeForm.submit())
      .finally(() => {
        button.disabled = false;
      });
  };

  const report = (reportForm) => {
    const item = reportForm.closest("li.comment");
    send(reportForm.action, new FormData(reportForm))
      .then(({ ok, answer }) => {
        if (ok) reportForm.remove();
        say(item, answer.message || answer.error, !ok);
      })
      .catch(() => reportForm.submit());
  };

  const openReport = (link) => {
    const item = link.closest("li.comment");
    const open = item.querySelector(":scope > .report-form");
    if (open) {
      open.remove();
      return;
    }
    const reasons = document.getElementById("report-reasons").content.firstElementChild;
    const reportForm = reasons.cloneNode(true);
    reportForm.action = link.href;
    item.querySelector(":scope > .comment-actions").after(reportForm);
    reportForm.querySelector("input").focus();
  };

  const replyTo = (link) => {
    const item = link.closest("li.comment");
    const nickname = item.querySelector(":scope > .comment-meta .nickname");
    form.elements.parent.value = item.dataset.id;
    form.querySelector(".replying-to").textContent = nickname ? nickname.textContent : "";
    form.querySelector(".replying").hidden = false;
    item.querySelector(":scope > .comment-actions").after(form);
    form.elements.body.focus();
  };

  const cancelReply = () => {
    form.elements.parent.value = "";
    form.querySelector(".replying").hidden = true;
    home.after(form);
  };

  section.addEventListener("submit", (event) => {
    if (event.target.matches("form.like")) {
      event.preventDefault();
      like(event.target);
    } else if (event.target.matches("li.comment form.report-form")) {
      event.preventDefault();
      report(event.target);
    }
  });
  section.addEventListener("click", (event) => {
    const link = event.target.closest("a.reply, a.report, a.cancel-reply");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (link.matches("a.report")) {
      event.preventDefault();
      openReport(link);
    } else if (form && link.matches("a.reply")) {
      event.preventDefault();
      replyTo(link);
    } else if (form && link.matches("a.cancel-reply")) {
      event.preventDefault();
      cancelReply();
    }
  });
})();
