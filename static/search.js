/* The search page: Pagefind UI from the site's own pagefind/ bundle.
   Settings come from data- attributes the template writes with Urls, so the
   base URL is never guessed here; ?q= from the header's search box prefills it. */
(function () {
  "use strict";
  var el = document.getElementById("search");
  if (!el || typeof PagefindUI === "undefined") { return; }
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: el.getAttribute("data-bundle-path"),
    baseUrl: el.getAttribute("data-base-url"),
    showSubResults: true,
    showImages: false,
    openFilters: ["author", "publisher", "year", "type"]
  });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { ui.triggerSearch(q); }
})();
