/* Printing: folded answers (dropdowns) open for the printout and close
   again afterwards. */
(function () {
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();

/* Pre-rendered figures (div.course-views): keep a one-line caption naming
   the view on show, so that a printed page says which settings its picture
   has (the controls are hidden in print by course.css). */
(function () {
  function caption(views) {
    var img = views.querySelector("img");
    if (!img) { return; }
    var line = views.querySelector(".course-views-caption");
    if (!line) {
      line = document.createElement("p");
      line.className = "course-views-caption";
      img.insertAdjacentElement("afterend", line);
    }
    var update = function () { line.textContent = "Shown: " + img.alt; };
    update();
    new MutationObserver(update).observe(img, {attributes: true,
                                               attributeFilter: ["alt"]});
  }
  function start() {
    document.querySelectorAll(".course-views").forEach(caption);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
