// FAQ batch progress (progressive enhancement): while the job runs, the page is fetched again every 2 s and its
// progress (label, bar, status region) is updated in place: no reload, the keyboard focus stays where it is and
// the status region (role="status") is announced.
(function () {
  "use strict";
  var job = document.getElementById("job");
  if (!job || job.getAttribute("data-status") !== "running") { return; }
  function refresh() {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var next = fresh.getElementById("job");
        if (!next) { return; }
        document.getElementById("progress-label").textContent = fresh.getElementById("progress-label").textContent;
        var bar = document.getElementById("progress");
        bar.value = Number(fresh.getElementById("progress").getAttribute("value"));
        document.getElementById("job-status").innerHTML = fresh.getElementById("job-status").innerHTML;
        job.setAttribute("data-status", next.getAttribute("data-status"));
        if (next.getAttribute("data-status") === "running") { window.setTimeout(refresh, 2000); }
      })
      .catch(function () { window.setTimeout(refresh, 5000); });
  }
  window.setTimeout(refresh, 2000);
}());
