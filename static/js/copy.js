// Copy buttons: <button data-copy="ID" hidden> copies the text of #ID. Without JavaScript the
// button stays hidden and the text is still there to select; with it, one press copies.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    navigator.clipboard.writeText(source.textContent.trim()).then(() => {
      button.textContent = button.dataset.done || button.textContent;
    });
  });
});
