// Progressive enhancement only: every page works without it.
// When a page opens with an error summary, move the keyboard and screen-reader focus to it,
// so the officer hears what went wrong first (GOV.UK error summary pattern).
(function () {
  var summary = document.querySelector(".error-summary");
  if (!summary) return;
  if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
  summary.focus();
})();
