// Card payment with Stripe.js (or localstripe's stand-in): collect the card with a SetupIntent,
// let the server start or retry the subscription, authenticate (SCA) if the bank asks, then
// follow the order until the portal is ready.
(function () {
  const form = document.getElementById("payment-form");
  const progress = document.getElementById("progress");
  const statusUrl = (form && form.dataset.statusUrl) || (progress && progress.dataset.statusUrl);

  async function follow() {
    if (!statusUrl) { window.location.reload(); return; }
    if (progress) progress.hidden = false;
    for (;;) {
      const body = await (await fetch(statusUrl)).json();
      if (body.status === "completed" && body.landing_url) { window.location.href = body.landing_url; return; }
      if (body.status === "failed") { if (progress) progress.textContent = body.error; return; }
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
  }

  if (!form) { if (statusUrl) follow(); return; }
  const message = document.getElementById("payment-message");
  const stripe = Stripe(form.dataset.stripeKey);
  const card = stripe.elements().create("card");
  card.mount("#card-element");
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    message.textContent = "";
    const setup = await stripe.confirmCardSetup(form.dataset.setupSecret, {
      payment_method: { card: card, billing_details: { email: form.dataset.email } },
    });
    if (setup.error) { message.textContent = setup.error.message || String(setup.error); button.disabled = false; return; }
    const interval = form.querySelector("[name=interval]:checked");
    const response = await fetch(form.dataset.payUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ payment_method: setup.setupIntent.payment_method, interval: interval && interval.value }),
    });
    const body = await response.json();
    if (body.status === "requires_action") {
      const result = await stripe.confirmCardPayment(body.client_secret);
      if (result.error) { message.textContent = result.error.message || String(result.error); return; }
    } else if (body.status === "failed") {
      // The SetupIntent is used up: fetch a fresh one so another card can be tried.
      message.textContent = body.error;
      const fresh = await (await fetch(form.dataset.setupUrl, { method: "POST", headers: { "X-CSRFToken": csrf } })).json();
      if (fresh.setup_secret) form.dataset.setupSecret = fresh.setup_secret;
      button.disabled = false;
      return;
    }
    if (body.next) { window.location.href = body.next; return; }
    form.hidden = true;
    follow();
  });
})();
