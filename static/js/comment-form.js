// A page served from the shared cache is the same for every reader, so its comment form has no
// per-reader tokens. They are fetched when the reader starts writing, and at the latest on
// submit. Without JavaScript the server asks the reader to click again, text kept (comments/views.py).
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
  form.addEventListener("focusin", () => load().catch(() => {}));
  form.addEventListener("submit", (event) => {
    if (hasTokens()) return;
    event.preventDefault();
    // Submit either way: if the tokens could not be had, the server says what to do.
    load().catch(() => {}).then(() => form.submit());
  });
}
