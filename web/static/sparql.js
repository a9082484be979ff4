// Small enhancements of the SPARQL query page; the page works without them.
// Ctrl+Enter (or Cmd+Enter) in the editor runs the query; "Copy" copies the
// link to the query. Nothing is loaded from elsewhere.
(function () {
  "use strict";
  var form = document.getElementById("sparql-form");
  var editor = document.getElementById("query");
  if (form && editor) {
    editor.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
    });
  }
  var copy = document.getElementById("copy-share");
  var share = document.getElementById("share-url");
  if (copy && share && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(share.value).then(function () {
        copy.textContent = copy.dataset.done || "\u2713";
      });
    });
  }
  if (share) {
    share.addEventListener("focus", function () { share.select(); });
  }
})();
