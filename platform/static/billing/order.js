// Live availability check of the subdomain on the order form.
(function () {
  const form = document.getElementById("order-form");
  if (!form) return;
  const input = form.querySelector("[name=subdomain]");
  const status = document.getElementById("subdomain-status");
  // Screen readers read the check's answer with the field, as sighted people see it below it.
  const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  input.setAttribute("aria-describedby", [...described, status.id].join(" "));
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (!input.value) { status.textContent = ""; return; }
      const url = `${form.dataset.checkUrl}?subdomain=${encodeURIComponent(input.value)}`;
      const body = await (await fetch(url)).json();
      status.textContent = body.message;
      status.classList.toggle("error", !body.available);
      input.setAttribute("aria-invalid", body.available ? "false" : "true");
    }, 300);
  });
  let sent = false;
  form.addEventListener("submit", (event) => {
    // A double click sends one order; the server also finds the first one on a resubmit.
    if (sent) { event.preventDefault(); }
    sent = true;
  });
})();
