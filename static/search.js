/* The search page: Pagefind UI from the site's own pagefind/ bundle.
   Settings come from data- attributes the template writes with Urls, so the
   base URL is never guessed here; ?q= from the header's search box prefills it.

   Sub-results: Pagefind splits a page at headings with ids, but a document's
   text is one section of paragraphs with ids p-1, p-2, …  processResult points
   the result, and each sub-result, at the paragraph holding its first matching
   word: the last "p-" anchor at or before that word (Pagefind gives anchors and
   matches as word positions in the page). */
(function () {
  "use strict";
  var el = document.getElementById("search");
  if (!el || typeof PagefindUI === "undefined") { return; }
  var PARAGRAPH_ID = /^p-\d+$/;

  function paragraphAnchors(result) {
    return (result.anchors || [])
      .filter(function (a) { return PARAGRAPH_ID.test(a.id || ""); })
      .sort(function (a, b) { return a.location - b.location; });
  }

  /* The paragraph id for the first match inside the text (a match in the title or
     the details above the text has no paragraph), or null. */
  function paragraphOf(anchors, locations) {
    if (!anchors.length || !locations || !locations.length) { return null; }
    var inText = locations.filter(function (w) { return w >= anchors[0].location; });
    if (!inText.length) { return null; }
    var first = Math.min.apply(null, inText);
    var id = null;
    for (var i = 0; i < anchors.length && anchors[i].location <= first; i++) { id = anchors[i].id; }
    return id;
  }

  function withFragment(url, id) {
    return id ? url.split("#")[0] + "#" + id : url;
  }

  function toParagraphs(result) {
    var anchors = paragraphAnchors(result);
    if (!anchors.length) { return result; }
    var pageUrl = result.url;
    result.url = withFragment(pageUrl, paragraphOf(anchors, result.locations));
    (result.sub_results || []).forEach(function (sub) {
      // the UI hides a sub-result that is the page itself; keep it recognisable
      sub.url = sub.url === pageUrl ? result.url : withFragment(sub.url, paragraphOf(anchors, sub.locations));
    });
    return result;
  }

  var ui = new PagefindUI({
    element: "#search",
    bundlePath: el.getAttribute("data-bundle-path"),
    baseUrl: el.getAttribute("data-base-url"),
    showSubResults: true,
    showImages: false,
    openFilters: ["author", "publisher", "year", "type"],
    processResult: toParagraphs
  });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { ui.triggerSearch(q); }
})();
