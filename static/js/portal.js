// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Auto-submitting filter forms do not need their submit button when htmx is present.
  if (window.htmx) {
    document.querySelectorAll("form.filters [type=submit]").forEach((b) => b.classList.add("visually-hidden"));
  }
  // Wide screens: the menu is open (CSS does it where ::details-content is supported).
  if (window.matchMedia("(min-width: 861px)").matches) {
    document.querySelectorAll("details.menu").forEach((d) => { d.open = true; });
  }
});
