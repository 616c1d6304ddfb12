/* The search page: Pagefind UI from the site's own pagefind/ bundle.
   Settings come from data- attributes the template writes with Urls, so the
   base URL is never guessed here; ?q= from the header's search box prefills it.

   Shards: a large archive is indexed as several bundles (pagefind/, pagefind-2/,
   …), listed site-relative in pagefind/bundles.json (archive_builder/search.py).
   The UI loads the first and merges the others (Pagefind's mergeIndex), each
   with the same base URL, so results and filter counts span every shard.

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

  var bundlePath = el.getAttribute("data-bundle-path");
  var baseUrl = el.getAttribute("data-base-url");

  /* The bundles after the first, as mergeIndex entries. */
  function otherBundles(manifest) {
    return ((manifest && manifest.bundles) || []).slice(1).map(function (rel) {
      return { bundlePath: baseUrl + rel, baseUrl: baseUrl };
    });
  }

  function start(mergeIndex) {
    var ui = new PagefindUI({
      element: "#search",
      bundlePath: bundlePath,
      baseUrl: baseUrl,
      mergeIndex: mergeIndex,
      showSubResults: true,
      showImages: false,
      openFilters: ["author", "publisher", "year", "type"],
      processResult: toParagraphs
    });
    var q = new URLSearchParams(window.location.search).get("q");
    if (q) { ui.triggerSearch(q); }
  }

  // Without the list (a bundle from before shards), the first bundle alone still searches.
  fetch(bundlePath + "bundles.json")
    .then(function (response) { return response.ok ? response.json() : null; })
    .catch(function () { return null; })
    .then(function (manifest) { start(otherBundles(manifest)); });
})();
