// The owner's pages: the upload form (preview, mapping, date format, upload) and live job
// progress. Every call goes to the same /api routes curl uses, signed by the session cookie, with
// the page's CSRF token in X-CSRF-Token on the calls that change something.

const csrf = document.querySelector("meta[name=csrf-token]").content;
const DONE = new Set(["succeeded", "failed"]);

async function call(url, options = {}) {
  const response = await fetch(url, {
    credentials: "same-origin",
    ...options,
    headers: { "X-CSRF-Token": csrf, Accept: "application/json", ...(options.headers ?? {}) },
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error(body?.error_message ?? `${response.status} ${response.statusText}`);
    error.status = response.status;
    error.parameter = body?.error_details?.parameter;
    throw error;
  }
  return body;
}

// Where an API refusal is shown: the field it names (413 and 415 concern the file).
function fieldOf(error) {
  if (error.status === 413 || error.status === 415) return "file";
  return error.parameter ?? "form";
}

function uploadForm(form) {
  const file = form.querySelector("#file");
  const preview = form.querySelector("[data-preview]");
  const state = form.querySelector("[data-preview-state]");
  const selects = [...form.querySelectorAll("select[data-target]")];
  const dates = form.querySelector("[data-dates]");
  const dateFormat = form.querySelector("#date_format");
  const submit = form.querySelector("[data-submit]");
  let analysis = null;

  function clearErrors() {
    for (const p of form.querySelectorAll("[data-error-for]")) {
      p.hidden = true;
      p.textContent = "";
    }
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  }

  function showError(error) {
    const where = fieldOf(error);
    const slot =
      form.querySelector(`[data-error-for="${where}"]`) ??
      form.querySelector('[data-error-for="form"]');
    slot.textContent = error.message;
    slot.hidden = false;
    const field = where === "mapping" ? selects[0] : form.querySelector(`#${where}`);
    field?.setAttribute("aria-invalid", "true");
    if (where === "file") preview.hidden = true;
  }

  function table(rows, columns) {
    const head = `<thead><tr>${columns.map(() => "<th scope=col></th>").join("")}</tr></thead>`;
    const body = rows.map(() => `<tr>${columns.map(() => "<td></td>").join("")}</tr>`).join("");
    const element = form.querySelector("[data-preview-table]");
    element.innerHTML = `${head}<tbody>${body}</tbody>`;
    element.querySelectorAll("th").forEach((th, i) => {
      th.textContent = `${columns[i].name} (${columns[i].type.toLowerCase()})`;
    });
    element.querySelectorAll("tbody tr").forEach((tr, r) => {
      tr.querySelectorAll("td").forEach((td, i) => {
        td.textContent = rows[r][columns[i].name] ?? "";
      });
    });
  }

  // The date format choice: shown for the column mapped to invoice_date; with no default when
  // day-first and month-first both read every value.
  function showDates() {
    const column = form.querySelector("#map-invoice_date").value;
    const found = analysis.date_columns.find((d) => d.column === column);
    dates.hidden = !found || found.fitting.length === 0;
    dateFormat.replaceChildren();
    if (dates.hidden) return;
    if (found.ambiguous) dateFormat.append(new Option("— choose —", ""));
    for (const fit of found.fitting) {
      const example = analysis.rows.find((row) => row[column])?.[column] ?? "";
      const label = `${fit.format}${fit.day_first === null ? "" : fit.day_first ? " (day first)" : " (month first)"}`;
      dateFormat.append(new Option(example ? `${label}, e.g. ${example}` : label, fit.format));
    }
    dateFormat.required = found.ambiguous;
    if (!found.ambiguous && found.suggested) dateFormat.value = found.suggested;
    form.querySelector("[data-dates-hint]").textContent = found.ambiguous
      ? `Every date in ${column} reads both day-first and month-first: say which it is.`
      : `The dates in ${column} read this way.`;
  }

  file.addEventListener("change", async () => {
    clearErrors();
    analysis = null;
    preview.hidden = true;
    if (!file.files.length) return;
    state.hidden = false;
    state.textContent = "Reading the file…";
    const body = new FormData();
    body.append("file", file.files[0]);
    try {
      analysis = await call("/api/jobs/upload/preview", { method: "POST", body });
    } catch (error) {
      state.hidden = true;
      showError(error);
      return;
    }
    state.hidden = true;
    const separator = analysis.delimiter === "\t" ? "tab" : `“${analysis.delimiter}”`;
    form.querySelector("[data-preview-summary]").textContent =
      `${analysis.row_count.toLocaleString("en")} rows, ${analysis.columns.length} columns, ` +
      `separated by ${separator}, decimal separator “${analysis.decimal_separator}”, ` +
      `${analysis.encoding}. The first ${analysis.rows.length} rows:`;
    table(analysis.rows, analysis.columns);
    for (const select of selects) {
      const keep = select.options[0];
      select.replaceChildren(keep, ...analysis.columns.map((c) => new Option(c.name, c.name)));
      select.value = analysis.suggested_mapping[select.dataset.target] ?? "";
    }
    showDates();
    preview.hidden = false;
  });

  form.querySelector("#map-invoice_date").addEventListener("change", showDates);

  // Missing columns and an unchosen date format are the API's to refuse: its 422 names the field.
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    if (!analysis) return;
    const mapping = Object.fromEntries(
      selects.filter((s) => s.value).map((s) => [s.dataset.target, s.value]),
    );
    const body = new FormData();
    body.append("file", file.files[0]);
    body.append("mapping", JSON.stringify(mapping));
    if (!dates.hidden && dateFormat.value) body.append("date_format", dateFormat.value);
    body.append("clustering_method", form.querySelector("#clustering_method").value);
    submit.disabled = true;
    submit.textContent = "Uploading…";
    try {
      const accepted = await call("/api/jobs/upload", { method: "POST", body });
      location.assign(`/app/jobs/${accepted.job_id}`);
    } catch (error) {
      showError(error);
      submit.disabled = false;
      submit.textContent = "Upload and analyse";
    }
  });
}

// Live progress: each [data-job] element follows its job; when one is done the page reloads to
// show its results (or its error) and its links.
function follow(elements) {
  const pending = elements.filter((el) => !DONE.has(el.dataset.state));
  if (!pending.length) return;
  const timer = setInterval(async () => {
    let jobs;
    try {
      jobs = await call("/api/jobs/");
    } catch {
      return; // a missed poll is retried at the next tick
    }
    const byId = new Map(jobs.map((job) => [job.job_id, job]));
    let finished = false;
    for (const element of pending) {
      const job = byId.get(element.dataset.job);
      if (!job) continue;
      element.dataset.state = job.state;
      element.querySelector("progress").value = job.percentage;
      const stage = job.state === "running" && job.stage ? `: ${job.stage}` : "";
      element.querySelector("[data-progress-text]").textContent =
        `${job.state}${stage} · ${job.percentage} %`;
      finished ||= DONE.has(job.state);
    }
    if (finished) {
      clearInterval(timer);
      location.reload();
    }
  }, 1000);
}

const upload = document.querySelector("[data-upload]");
if (upload) uploadForm(upload);
follow([...document.querySelectorAll("[data-job]")]);
