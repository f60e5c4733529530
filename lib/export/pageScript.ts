/**
 * The script the render page runs (a string: this code compiles without the DOM lib).
 */

// Runs in the page. `plot` draws a figure into a new div on the stage (top-left corner, where
// screenshots are taken) and reports any text outside the image; `keep` moves it off the
// stage into the print queue; `printLayout` lays the queued plots out one per named page
// (each page exactly its figure's size); `svg` serialises a plot without plotting it again
// (Plotly.toImage would clone and re-plot it) and frees it. Serialising rearranges the
// plot's DOM, so it comes after the screenshot and the print.
export const PAGE_SCRIPT = `
window.__passk = (function () {
  var stage = document.getElementById("stage");
  var queue = document.getElementById("print");
  var pages = document.getElementById("pages");
  var kept = [];
  function free(div) { Plotly.purge(div); div.remove(); }
  return {
    plot: async function (fig, o) {
      while (stage.firstChild) free(stage.firstChild);
      var gd = document.createElement("div");
      gd.style.width = o.width + "px";
      gd.style.height = o.height + "px";
      gd.style.overflow = "hidden";
      stage.appendChild(gd);
      var layout = Object.assign({}, fig.layout || {}, { width: o.width, height: o.height, autosize: false });
      var config = Object.assign({}, fig.config || {}, { staticPlot: true, responsive: false });
      await Plotly.newPlot(gd, fig.data, layout, config);
      var box = gd.getBoundingClientRect();
      var clipped = [];
      gd.querySelectorAll("text").forEach(function (t) {
        var b = t.getBoundingClientRect();
        if (t.textContent.trim() === "" || b.width === 0) return;
        if (b.left < box.left - 1 || b.top < box.top - 1 || b.right > box.right + 1 || b.bottom > box.bottom + 1) {
          clipped.push(t.textContent.trim());
        }
      });
      return { clipped: clipped };
    },
    keep: function (o) {
      var gd = stage.firstChild;
      gd.remove();
      gd.style.page = "p" + kept.length;
      kept.push({ gd: gd, width: o.width, height: o.height });
    },
    printLayout: function () {
      while (stage.firstChild) free(stage.firstChild);
      pages.textContent = kept.map(function (k, i) {
        return "@page p" + i + " { size: " + k.width + "px " + k.height + "px; margin: 0 }";
      }).join("\\n");
      kept.forEach(function (k) { queue.appendChild(k.gd); });
    },
    unprint: function () {
      kept.forEach(function (k) { k.gd.remove(); });
    },
    svg: function (i) {
      var gd = i === undefined ? stage.firstChild : kept[i].gd;
      var svg = Plotly.Snapshot.toSVG(gd);
      free(gd);
      return svg;
    },
    clear: function () {
      while (stage.firstChild) free(stage.firstChild);
      kept.forEach(function (k) { free(k.gd); });
      kept = [];
      pages.textContent = "";
    }
  };
})();
`;
