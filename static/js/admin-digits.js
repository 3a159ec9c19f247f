// The editors' desk: Django's admin scripts write counts ("3 of 50 selected") in Latin digits;
// turn them into Persian digits wherever the admin updates them.
(function () {
  "use strict";
  const persian = "۰۱۲۳۴۵۶۷۸۹";
  const convert = (node) => {
    const text = node.textContent;
    const changed = text.replace(/[0-9]/g, (d) => persian[d]);
    if (changed !== text) node.textContent = changed;
  };
  const watch = (element) => {
    convert(element);
    new MutationObserver(() => convert(element)).observe(element, { childList: true, characterData: true, subtree: true });
  };
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".action-counter, .actions .all, .actions .question a").forEach(watch);
  });
})();
