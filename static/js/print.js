// A button marked data-print prints the page (a printable sheet: the survey's QR code).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
