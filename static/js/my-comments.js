// 我的留言 on an article page (comments/receipts.py). The page is shared by every reader, so the
// author's own comments — pending ones included — are fetched from a never-cached endpoint and
// shown to this browser only. Only browsers that have posted a comment ask: the commenter
// cookie is HttpOnly, so posting also sets the plain hint cookie "my_comments=1".
const panel = document.getElementById("my-comments");
if (panel && /(?:^|;\s*)my_comments=1(?:;|$)/.test(document.cookie)) {
  fetch(panel.dataset.url, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then((response) => (response.status === 200 ? response.text() : ""))
    .then((html) => {
      if (!html) return;
      panel.innerHTML = html; // the server's own fragment: every reader-written text escaped
      panel.hidden = false;
    })
    .catch(() => {}); // no panel is no harm: the page and 我的留言 still work
}
