/* The article page's tools: 字号 (font size, remembered in this browser), 分享 (copy the link,
   or the system share sheet where there is one) and 打印. Without JavaScript the tools stay
   hidden and the page reads as before. */
(function () {
  "use strict";
  var tools = document.querySelector("[data-article-tools]");
  if (!tools) return;
  var article = document.querySelector(".article");
  var KEY = "portal:font-size";
  var SIZES = ["small", "medium", "large", "xlarge"];

  function remembered() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }
  }

  function applySize(size) {
    if (SIZES.indexOf(size) < 0) size = "medium";
    SIZES.forEach(function (s) { article.classList.remove("font-" + s); });
    article.classList.add("font-" + size);
    tools.querySelectorAll("[data-font-size]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-font-size") === size));
    });
    return size;
  }

  applySize(remembered());
  tools.hidden = false;

  tools.querySelectorAll("[data-font-size]").forEach(function (button) {
    button.addEventListener("click", function () {
      var size = applySize(button.getAttribute("data-font-size"));
      try { localStorage.setItem(KEY, size); } catch (e) { /* private mode: this page only */ }
    });
  });

  var status = tools.querySelector("[data-share-status]");
  function say(text) {
    status.textContent = text;
    window.setTimeout(function () { status.textContent = ""; }, 3000);
  }

  var copy = tools.querySelector("[data-copy-link]");
  var link = copy.getAttribute("data-copy-link");
  copy.addEventListener("click", function () {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(link).then(
        function () { say(copy.getAttribute("data-done") || "链接已复制"); },
        function () { window.prompt("", link); }
      );
    } else {
      window.prompt("", link);
    }
  });

  var native = tools.querySelector("[data-share-native]");
  if (navigator.share) {
    native.hidden = false;
    native.addEventListener("click", function () {
      navigator.share({ title: document.title, url: link }).catch(function () {});
    });
  }

  tools.querySelector("[data-print]").addEventListener("click", function () { window.print(); });
})();
