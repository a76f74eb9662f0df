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
/* Deadline clocks ([data-countdown]="ISO time") count down every second; past the time they read "overdue". */
function tickCountdowns() {
  document.querySelectorAll("[data-countdown]").forEach(function (clock) {
    const left = Math.floor((Date.parse(clock.dataset.countdown) - Date.now()) / 1000);
    if (isNaN(left)) { return; }
    if (left <= 0) { clock.textContent = clock.dataset.overdueLabel || "—"; return; }
    const pad = function (n) { return String(n).padStart(2, "0"); };
    clock.textContent = pad(Math.floor(left / 3600)) + ":" + pad(Math.floor(left % 3600 / 60)) + ":" + pad(left % 60);
  });
}
if (document.querySelector("[data-countdown]")) { tickCountdowns(); setInterval(tickCountdowns, 1000); }
