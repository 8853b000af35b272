// Wagtail's rich text editor inside a block is a bare role="textbox": its label belongs to
// a hidden input, so screen readers announce an unnamed text field. Name each editor after
// the label of its field or, for a rich text block on its own, the block's heading.
(function () {
  "use strict";
  var count = 0;

  function idFor(element) {
    if (!element.id) {
      count += 1;
      element.id = "rich-text-name-" + count;
    }
    return element.id;
  }

  function nameEditors() {
    var editors = document.querySelectorAll('.Draftail-Editor [role="textbox"]');
    editors.forEach(function (editor) {
      if (editor.hasAttribute("aria-labelledby") || editor.hasAttribute("aria-label")) {
        return;
      }
      var field = editor.closest("[data-contentpath]");
      var label = field && field.querySelector(".w-field__label");
      if (!label || label.closest("[data-contentpath]") !== field) {
        var panel = editor.closest(".w-panel");
        label = panel && panel.querySelector(".w-panel__heading");
      }
      if (label) {
        editor.setAttribute("aria-labelledby", idFor(label));
      }
    });
  }

  var pending = false;
  function soon() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        nameEditors();
      });
    }
  }

  function start() {
    nameEditors();
    // Editors start after the page has loaded, and blocks added while editing bring their own.
    new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
