// CXO's page behaviour, in a static file: the Content-Security-Policy allows no inline scripts or
// inline event handlers (onsubmit=, hx-on). Each behaviour is asked for with a data- attribute.
(function () {
  "use strict";

  // <form data-confirm="Close bidding?">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // <select data-submit-on-change>: a filter that applies as soon as another value is picked.
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-submit-on-change]");
    if (field && field.form) {
      field.form.requestSubmit();
    }
  });

  // <button data-remove-parent>: take its parent element (a chip) off the page.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-parent]");
    if (button && button.parentElement) {
      button.parentElement.remove();
    }
  });

  // A picked suggestion (<button data-clear-input="q-services">): once its htmx request is done, empty
  // the text box it was typed in and close the list of suggestions.
  document.addEventListener("htmx:afterRequest", function (event) {
    var picked = event.detail.elt.closest("[data-clear-input]");
    if (!picked) {
      return;
    }
    var input = document.getElementById(picked.dataset.clearInput);
    if (input) {
      input.value = "";
    }
    var list = picked.closest("ul");
    if (list) {
      list.innerHTML = "";
    }
  });
})();
