// A page that comes back with form errors moves the focus to their summary, so a screen
// reader reads it first and a keyboard user starts from it (templates/forms/error_summary.html).
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});
