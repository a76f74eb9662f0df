/* The complaint form: a search box that narrows the long list of services, and districts narrowed to the region. */
(function () {
  "use strict";

  /* As the server's search folds names: lower case, Kazakh letters to their base letters (a citizen who types
   * "куәлік" finds "күәлік"). */
  var FOLD = { "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и", "ё": "е" };
  function fold(text) {
    return text.toLocaleLowerCase().replace(/[әғқңөұүһіё]/g, function (letter) { return FOLD[letter]; });
  }

  document.querySelectorAll("[data-filter-select]").forEach(function (box) {
    var select = document.getElementById(box.dataset.filterSelect);
    if (!select) { return; }
    box.addEventListener("input", function () {
      var terms = fold(box.value).split(/\s+/).filter(Boolean);
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) { return; }
        var name = fold(option.textContent);
        var shown = terms.every(function (term) { return name.indexOf(term) !== -1; });
        option.hidden = !shown;
        if (shown && first === null) { first = option; }
      });
      if (first && (select.selectedIndex <= 0 || select.options[select.selectedIndex].hidden)) { first.selected = true; }
    });
  });

  document.querySelectorAll("[data-territory-picker]").forEach(function (picker) {
    var region = picker.querySelector("[data-region-select]");
    var district = picker.querySelector("[data-district-select]");
    function narrow() {
      Array.prototype.forEach.call(district.options, function (option) {
        if (!option.value) { return; }
        option.hidden = option.dataset.region !== region.value;
        if (option.hidden && option.selected) { district.value = ""; }
      });
      district.disabled = !region.value;
    }
    region.addEventListener("change", narrow);
    narrow();
  });
})();
