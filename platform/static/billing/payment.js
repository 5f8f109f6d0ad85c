// Card payment with Stripe.js (or localstripe's stand-in). On submit: ask our server for a
// SetupIntent (a POST: no page view creates anything at Stripe), collect the card with it, let
// the server start or retry the subscription, authenticate (SCA) if the bank asks, then tell
// the server to look at Stripe and follow the order until the portal is ready.
(function () {
  const form = document.getElementById("payment-form");
  const progress = document.getElementById("progress");
  const statusUrl = (form && form.dataset.statusUrl) || (progress && progress.dataset.statusUrl);
  const csrfInput = document.querySelector("[name=csrfmiddlewaretoken]");
  const csrf = csrfInput ? csrfInput.value : "";

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body || {}),
    });
    return response.json();
  }

  async function follow(check) {
    if (!statusUrl) { window.location.reload(); return; }
    if (progress) progress.hidden = false;
    let body = check ? await post(statusUrl) : await (await fetch(statusUrl)).json();
    for (;;) {
      // The order page itself says what comes next (never a password link: that goes by e-mail).
      if (body.status === "completed") { window.location.reload(); return; }
      if (body.status === "failed") { if (progress) progress.textContent = body.error; return; }
      await new Promise((resolve) => setTimeout(resolve, 1500));
      body = await (await fetch(statusUrl)).json();
    }
  }

  if (!form) { if (statusUrl) follow(false); return; }
  const message = document.getElementById("payment-message");
  const stripe = Stripe(form.dataset.stripeKey);
  const card = stripe.elements().create("card");
  card.mount("#card-element");
  const button = form.querySelector("button[type=submit]");

  // The upgrade button names the amount of the interval chosen.
  const template = button.dataset.labelTemplate;
  form.querySelectorAll("[name=interval]").forEach((radio) => {
    radio.addEventListener("change", () => {
      if (template && radio.checked) button.textContent = template.replace("AMOUNT", radio.dataset.amount);
    });
  });

  function fail(text) { message.textContent = text; button.disabled = false; }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    message.textContent = "";
    const setupIntent = await post(form.dataset.setupUrl);
    if (!setupIntent.setup_secret) { fail(setupIntent.error || ""); return; }
    const setup = await stripe.confirmCardSetup(setupIntent.setup_secret, {
      payment_method: { card: card, billing_details: { email: form.dataset.email } },
    });
    if (setup.error) { fail(setup.error.message || String(setup.error)); return; }
    const interval = form.querySelector("[name=interval]:checked");
    const body = await post(form.dataset.payUrl, {
      payment_method: setup.setupIntent.payment_method, interval: interval && interval.value,
    });
    if (body.status === "requires_action") {
      const result = await stripe.confirmCardPayment(body.client_secret);
      if (result.error) { fail(result.error.message || String(result.error)); return; }
    } else if (body.status === "failed") {
      fail(body.error);
      return;
    }
    if (body.next) { window.location.href = body.next; return; }
    form.hidden = true;
    follow(true);
  });
})();
