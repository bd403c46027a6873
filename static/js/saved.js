// The Save button of an article page saves or unsaves without reloading the page. Without
// JavaScript (or when the request fails) the form posts as usual and the page comes back.
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-save-form]");
  if (!form) return;
  event.preventDefault();
  const button = form.querySelector("button[type=submit]");
  const field = form.querySelector("input[name=saved]");
  button.disabled = true;
  let state = null;
  try {
    const response = await fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: {"Accept": "application/json"},
    });
    if (response.ok) state = await response.json();
  } catch (error) {
    state = null;
  }
  button.disabled = false;
  if (!state) {
    form.submit();  // the server explains what went wrong on a page of its own
    return;
  }
  field.value = state.saved ? "0" : "1";
  button.textContent = state.saved ? button.dataset.savedLabel : button.dataset.saveLabel;
  button.classList.toggle("button--primary", state.saved);
  if (state.saved) button.title = button.dataset.savedTitle;
  else button.removeAttribute("title");
  form.querySelector("[data-save-status]").textContent = state.message;
});
