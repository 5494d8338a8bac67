// A page served from the shared cache is the same for every reader, so its comment form has no
// per-reader tokens. They are fetched when the form comes into view (the form token dates the
// form: a reader who writes for a few seconds is never "too fast"), on focus, and at the latest
// on submit. Without JavaScript the server asks the reader to click again, text kept
// (comments/views.py).
for (const form of document.querySelectorAll("form.comment-form[data-token-url]")) {
  const csrf = form.elements.csrfmiddlewaretoken;
  const token = form.elements.token;
  let pending = null;
  const hasTokens = () => csrf.value !== "" && token.value !== "";
  const load = () => {
    if (hasTokens()) return Promise.resolve();
    pending ??= fetch(form.dataset.tokenUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((tokens) => {
        csrf.value = tokens.csrf;
        token.value = tokens.token;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  };
  // comment-actions.js asks here for its CSRF token: two requests at once would each set a new
  // CSRF cookie, and the token of the one whose cookie lost is refused (403).
  form.loadTokens = () => load().then(() => csrf.value);
  const quietly = () => load().catch(() => {});
  if ("IntersectionObserver" in window) {
    const watcher = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        watcher.disconnect();
        quietly();
      }
    });
    watcher.observe(form);
  }
  form.addEventListener("focusin", quietly);
  form.addEventListener("submit", (event) => {
    if (hasTokens()) return;
    event.preventDefault();
    // Submit either way: if the tokens could not be had, the server says what to do.
    load().catch(() => {}).then(() => form.submit());
  });
}
