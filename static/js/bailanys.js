/* Keyboard-first helpers. Ctrl+Enter submits the focused form; "/" focuses the search box. */
document.addEventListener("keydown", function (event) {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    const form = event.target.closest && event.target.closest("form");
    if (form) { event.preventDefault(); form.requestSubmit(); }
  }
  if (event.key === "/" && !["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName)) {
    const search = document.querySelector("[data-search-box]");
    if (search) { event.preventDefault(); search.focus(); }
  }
});
/* A form is sent once: the submit button is disabled after the first click. */
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (form.dataset.submitting === "1" && !form.hasAttribute("hx-post")) { event.preventDefault(); return; }
  if (!form.hasAttribute("hx-post") && !form.hasAttribute("hx-get")) { form.dataset.submitting = "1"; }
});
