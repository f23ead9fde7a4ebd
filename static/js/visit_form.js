// The visit form: household typeahead, GPS, submission through the outbox.
(function () {
  "use strict";
  const form = document.querySelector("[data-visit-form]");
  if (!form) {
    return;
  }
  const search = form.querySelector("[data-household-search]");
  const suggestions = form.querySelector("[data-suggestions]");
  const banner = document.querySelector("[data-offline-banner]");
  const panel = document.querySelector("[data-outbox-panel]");
  const list = document.querySelector("[data-outbox-list]");
  const CACHE_KEY = "policing.households.v1";
  let location = null;
  let timer = null;

  function message(name) {
    const node = document.getElementById("messages").content.querySelector(`[data-msg="${name}"]`);
    return node ? node.textContent : name;
  }

  function showError(field, text) {
    const node = form.querySelector(`[data-error-for="${field}"]`) ||
      form.querySelector('[data-error-for="non_field_errors"]');
    node.textContent = text;
    node.hidden = !text;
  }

  const notice = document.querySelector("[data-notice]");

  function showNotice(text, state) {
    notice.textContent = text;
    notice.className = `notice ${state}`;
    notice.dataset.notice = state;
    notice.hidden = !text;
  }

  function clearErrors() {
    form.querySelectorAll("[data-error-for]").forEach((node) => {
      node.textContent = "";
      node.hidden = true;
    });
  }

  // Households of the officer's grids, kept for typing while offline.
  function cachedHouseholds() {
    try {
      return JSON.parse(localStorage.getItem(CACHE_KEY)) || [];
    } catch (error) {
      return [];
    }
  }

  async function refreshCache() {
    const households = [];
    let url = "/api/v1/households/?page_size=200";
    try {
      for (let page = 0; url && page < 10; page += 1) {
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!response.ok) {
          return;
        }
        const data = await response.json();
        data.results.forEach((h) => households.push({ id: h.id, address: h.address }));
        url = data.next;
      }
      localStorage.setItem(CACHE_KEY, JSON.stringify(households));
    } catch (error) {
      // Offline: keep the previous cache.
    }
  }

  async function findHouseholds(text) {
    try {
      const response = await fetch(`/api/v1/households/?page_size=10&q=${encodeURIComponent(text)}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) {
        return (await response.json()).results;
      }
    } catch (error) {
      // Offline: search the cached list below.
    }
    const needle = text.toLowerCase();
    return cachedHouseholds().filter((h) => h.address.toLowerCase().includes(needle)).slice(0, 10);
  }

  function choose(household) {
    form.elements.household.value = household.id;
    // A household found by a resident's name is visited with that resident.
    form.elements.resident.value = household.matched_resident
      ? household.matched_resident.id
      : "";
    search.value = household.address;
    suggestions.hidden = true;
    showError("household", "");
  }

  search.addEventListener("input", () => {
    form.elements.household.value = "";
    form.elements.resident.value = "";
    clearTimeout(timer);
    const text = search.value.trim();
    if (!text) {
      suggestions.hidden = true;
      return;
    }
    timer = setTimeout(async () => {
      const found = await findHouseholds(text);
      suggestions.replaceChildren();
      if (!found.length) {
        const item = document.createElement("li");
        item.className = "muted";
        item.textContent = message("no-match");
        suggestions.append(item);
      }
      found.forEach((household) => {
        const item = document.createElement("li");
        item.setAttribute("role", "option");
        item.tabIndex = 0;
        item.textContent = household.address;
        if (household.matched_resident) {
          // Found by a resident's name: say whom.
          const who = document.createElement("span");
          who.className = "muted";
          who.dataset.matchedResident = household.matched_resident.id;
          who.textContent = ` · ${household.matched_resident.name}`;
          item.append(who);
        }
        item.addEventListener("click", () => choose(household));
        item.addEventListener("keydown", (event) => event.key === "Enter" && choose(household));
        suggestions.append(item);
      });
      suggestions.hidden = false;
    }, 200);
  });

  form.querySelector("[data-gps]").addEventListener("click", () => {
    const status = form.querySelector("[data-gps-status]");
    status.hidden = false;
    if (!navigator.geolocation) {
      status.textContent = message("gps-failed");
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => {
        // The browser reports WGS84, which is what the server stores.
        location = {
          type: "Point",
          coordinates: [position.coords.longitude, position.coords.latitude],
        };
        status.textContent = message("gps-ok");
      },
      () => {
        status.textContent = message("gps-failed");
      },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 },
    );
  });

  // The time of the visit: now, unless the officer logs one made earlier.
  // Left as filled in, it means the moment the form is sent.
  const timeInput = form.elements.visited_at;
  let timeEdited = false;

  function localMinute(date) {
    const local = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
    return local.toISOString().slice(0, 16);
  }

  function fillNow() {
    const now = localMinute(new Date());
    timeInput.value = now;
    timeInput.max = now;
    timeEdited = false;
  }

  timeInput.addEventListener("input", () => {
    timeEdited = true;
  });
  fillNow();

  function visitedAt() {
    if (!timeEdited || !timeInput.value) {
      return new Date();
    }
    // "YYYY-MM-DDTHH:MM" without an offset is read as local time.
    return new Date(timeInput.value);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    if (!form.elements.household.value) {
      showError("household", message("choose"));
      return;
    }
    const when = visitedAt();
    if (when.getTime() > Date.now() + 60000) {
      showError("visited_at", message("future"));
      return;
    }
    const payload = {
      client_uuid: window.outbox.uuid(),
      household: Number(form.elements.household.value),
      kind: form.elements.kind.value,
      info_items: Number(form.elements.info_items.value || 0),
      notes: form.elements.notes.value,
      visited_at: when.toISOString(),
    };
    if (form.elements.resident.value) {
      payload.resident = Number(form.elements.resident.value);
    }
    if (location) {
      payload.location = location;
    }
    const submitButton = form.querySelector("button[type=submit]");
    submitButton.disabled = true;
    const result = await window.outbox.submit("/api/v1/visits/", payload, search.value);
    submitButton.disabled = false;
    if (result.status === "sent") {
      window.location.assign(form.dataset.myWeek);
    } else if (result.status === "invalid") {
      const refusals = Object.entries(result.errors);
      if (!refusals.length) {
        showError("non_field_errors", message("refused"));
      }
      refusals.forEach(([field, errors]) =>
        showError(field, Array.isArray(errors) ? errors.join(" ") : String(errors)),
      );
    } else {
      // Kept on the phone: not an error, a record on its way.
      showNotice(message(result.status === "login" ? "login" : "queued"), "pending");
      window.outbox.whenSent(payload.client_uuid, () => showNotice(message("sent"), "sent"));
      form.reset();
      form.elements.household.value = "";
      fillNow();
      location = null;
    }
  });

  // The outbox is shared by every field form, and each kind of record names
  // its own time. An entry without one still has the moment it was queued.
  const TIME_FIELDS = ["visited_at", "inspected_at", "served_at", "started_at", "ended_at"];

  function recordedAt(item) {
    const value = TIME_FIELDS.map((name) => item.payload[name]).find(Boolean) || item.queuedAt;
    const when = new Date(value);
    return Number.isNaN(when.getTime()) ? null : when;
  }

  function timeLabel(when) {
    const clock = { hour: "2-digit", minute: "2-digit" };
    // A record can wait overnight; the hour alone would then date it wrongly.
    if (when.toDateString() === new Date().toDateString()) {
      return when.toLocaleTimeString([], clock);
    }
    return when.toLocaleString([], { month: "numeric", day: "numeric", ...clock });
  }

  function discardButton(item) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button small";
    button.textContent = message("discard");
    button.addEventListener("click", () => {
      if (window.confirm(message("discard-confirm"))) {
        window.outbox.discard(item.payload.client_uuid);
      }
    });
    return button;
  }

  function renderOutbox(items) {
    panel.hidden = items.length === 0;
    list.replaceChildren(
      ...items.map((item) => {
        const row = document.createElement("li");
        const when = recordedAt(item);
        if (when) {
          const time = document.createElement("time");
          time.dateTime = when.toISOString();
          time.textContent = timeLabel(when);
          row.append(time);
        }
        const label = document.createElement("span");
        label.textContent = item.label || "";
        row.append(label);
        if (item.errors) {
          // The server refused it: resending cannot help, only the officer can
          // decide to drop it.
          row.classList.add("error");
          const reason = document.createElement("span");
          reason.textContent = Object.values(item.errors).flat().join(" ") || message("refused");
          row.append(reason, discardButton(item));
        }
        return row;
      }),
    );
  }

  function updateBanner() {
    banner.hidden = navigator.onLine;
  }

  window.outbox.onChange(renderOutbox);
  window.addEventListener("online", updateBanner);
  window.addEventListener("offline", updateBanner);
  renderOutbox(window.outbox.items());
  updateBanner();
  window.outbox.flush();
  refreshCache();
})();
