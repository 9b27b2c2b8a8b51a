// A button marked data-print prints the page (the print stylesheet keeps the list only).
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) {
    window.print();
  }
});
