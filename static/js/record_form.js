// A simple field-record form (inspection, service) posted through the outbox.
//
// The form names the API endpoint in data-api and the timestamp field in
// data-time-field; number inputs are sent as numbers, empty optional fields
// are left out. On success the officer returns to "my week".
(function () {
  "use strict";
  const form = document.querySelector("[data-record-form]");
  if (!form) {
    return;
  }
  const notice = form.querySelector('[data-error-for="non_field_errors"]');

  function showError(field, text) {
    const node = form.querySelector(`[data-error-for="${field}"]`) || notice;
    node.textContent = text;
    node.hidden = !text;
  }

  const status = document.querySelector("[data-notice]");

  function showNotice(text, state) {
    status.textContent = text;
    status.className = `notice ${state}`;
    status.dataset.notice = state;
    status.hidden = !text;
  }

  function payload() {
    const data = { client_uuid: window.outbox.uuid() };
    data[form.dataset.timeField] = new Date().toISOString();
    for (const element of form.elements) {
      if (!element.name || element.value === "") {
        continue;
      }
      data[element.name] =
        element.type === "number" || element.dataset.type === "id"
          ? Number(element.value)
          : element.value;
    }
    return data;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.querySelectorAll("[data-error-for]").forEach((node) => showError(node.dataset.errorFor, ""));
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const data = payload();
    const result = await window.outbox.submit(form.dataset.api, data, form.dataset.label);
    button.disabled = false;
    if (result.status === "sent") {
      window.location.assign(form.dataset.next);
    } else if (result.status === "invalid") {
      Object.entries(result.errors).forEach(([field, errors]) =>
        showError(field, Array.isArray(errors) ? errors.join(" ") : String(errors)),
      );
    } else {
      // Kept on the phone: not an error, a record on its way.
      showNotice(form.dataset[result.status === "login" ? "login" : "queued"], "pending");
      window.outbox.whenSent(data.client_uuid, () => showNotice(form.dataset.sent, "sent"));
      form.reset();
    }
  });
})();
