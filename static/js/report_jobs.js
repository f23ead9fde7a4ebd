// Polls the progress of the report jobs still being built, once a second,
// and turns each into a download link when its file is ready.
(function () {
  "use strict";
  const POLL_MS = 1000;

  function poll(row) {
    fetch(row.dataset.progressUrl, { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response)))
      .then((job) => {
        row.dataset.status = job.status;
        row.querySelector("progress").value = job.percent;
        row.querySelector(".job-status").textContent = job.status_label;
        if (job.url) {
          const link = row.querySelector(".job-file");
          link.href = job.url;
          link.hidden = false;
        }
        if (job.status === "queued" || job.status === "running") {
          setTimeout(() => poll(row), POLL_MS);
        }
      })
      .catch(() => setTimeout(() => poll(row), 5 * POLL_MS));
  }

  document
    .querySelectorAll('.report-job[data-status="queued"], .report-job[data-status="running"]')
    .forEach((row) => poll(row));
})();
