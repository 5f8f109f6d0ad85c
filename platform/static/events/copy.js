// "Copy the address" buttons: copy the named input's value and say so in the status next to it.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.dataset.copy);
      var status = button.parentNode.querySelector(".copy-status");
      input.select();
      var done = function () { if (status) status.textContent = button.dataset.copied; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () {
          document.execCommand("copy"); done();
        });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
})();
