// After "Check my answer" the module page comes back scrolled to the question. Without
// this the browser leaves keyboard focus at the top of the page; with it, focus moves to
// the feedback (or to the error, when the answer was refused), which is also read out.
(function () {
  "use strict";
  function focusFeedback() {
    var id = window.location.hash.slice(1);
    var check = id && document.getElementById(id);
    var target = null;
    var scroll = false;
    if (check && check.classList.contains("knowledge-check")) {
      target = check.querySelector(".knowledge-check__feedback");
    }
    if (!target) {
      target = document.querySelector(".knowledge-check .field__error");
      scroll = true;
    }
    if (target) {
      target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: !scroll });
    }
  }
  // The browser's own scroll to the #fragment moves focus too; go after it.
  if (document.readyState === "complete") {
    window.setTimeout(focusFeedback, 0);
  } else {
    window.addEventListener("load", function () {
      window.setTimeout(focusFeedback, 0);
    });
  }
})();
